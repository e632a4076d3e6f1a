/**
 * Summary-first Markdown for a pull-request comment: verdict and counts, then one row per
 * violation. Kept under GitHub's 65,536-character comment limit by folding the tail.
 */
import { ViolationReport } from "../evaluate";

export const COMMENT_LIMIT = 65_000;

// Input text is untrusted: HTML (`</details><script>`) is shown as text, never rendered.
const cell = (s: string) =>
    s
        .replace(/&/g, "&amp;")
        .replace(/</g, "&lt;")
        .replace(/>/g, "&gt;")
        .replace(/\|/g, "\\|")
        .replace(/[\r\n]+/g, " ")
        .replace(/[\u0000-\u001f\u007f-\u009f]/g, "");

export function renderMarkdown(report: ViolationReport, limit = COMMENT_LIMIT): string {
    const s = report.summary;
    const icon = s.verdict === "pass" ? "✅" : "❌";
    const head = [
        `## ${icon} Policy check: ${report.target.kind} \`${report.target.name}\` (environment ${report.target.environment}) — ${s.verdict.toUpperCase()}`,
        "",
        `| mandatory | advisory | not verified | resources checked |`,
        `|---:|---:|---:|---:|`,
        `| ${s.mandatory} | ${s.advisory} | ${s.notVerified} | ${s.resources} |`,
        "",
    ];
    const rows = report.violations.map(
        (v) =>
            `| ${v.level === "mandatory" ? "🔴 mandatory" : "🟡 advisory"} | \`${v.policy}\` | ${cell(v.resource.name)} | \`${cell(v.property)}\` | ${cell(v.message)}${v.occurrences > 1 ? ` (×${v.occurrences})` : ""} | ${cell(v.fix)} |`,
    );
    const table = rows.length
        ? ["| level | policy | resource | property | message | fix |", "|---|---|---|---|---|---|"]
        : ["No violations."];
    const notVerified = report.notVerified.length
        ? [
              "",
              "### Not verified (evidence missing — not a pass)",
              "",
              ...report.notVerified.map((n) => `- \`${n.policy}\`: ${cell(n.reason)}`),
          ]
        : [];
    const footer = [
        "",
        `<sub>keybuzz-policy report schema v${report.schemaVersion} · ${report.generatedAt}</sub>`,
    ];
    const fixed =
        [...head, ...table].join("\n").length + [...notVerified, ...footer].join("\n").length + 200;
    const kept: string[] = [];
    let size = fixed;
    for (const row of rows) {
        if (size + row.length + 1 > limit) break;
        kept.push(row);
        size += row.length + 1;
    }
    const omitted = rows.length - kept.length;
    const fold =
        omitted > 0
            ? [
                  `| … | | | | ${omitted} more violation rows omitted to fit a PR comment; see the JSON or SARIF artifact | |`,
              ]
            : [];
    return [...head, ...table, ...kept, ...fold, ...notVerified, ...footer].join("\n") + "\n";
}
