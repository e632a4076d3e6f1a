/** The audit's report, laid out like the PH28.1 tables: per service, then separation, then verdict. */
import { AuditResult } from "./run";

export function renderAuditMarkdown(r: AuditResult): string {
    const lines = [
        `# Audit of environment ${r.environment} — ${r.verdict === "pass" ? "✅ PASS" : "❌ FAIL"}`,
        "",
    ];
    for (const service of [...new Set(r.checks.map((c) => c.service))]) {
        lines.push(
            `## ${service}`,
            "",
            "| endpoint | expected | got | time (ms) | verdict |",
            "|---|---|---|---:|---|",
        );
        for (const c of r.checks.filter((x) => x.service === service)) {
            lines.push(
                `| \`${c.method} ${c.path}\` | ${c.expected} | ${c.got} | ${c.timeMs} | ${c.verdict === "pass" ? "✅ OK" : `❌ ${c.reason}`} |`,
            );
        }
        lines.push("");
    }
    lines.push(
        "## Environment separation",
        "",
        "| service | where | verdict | detail |",
        "|---|---|---|---|",
    );
    for (const s of r.separation)
        lines.push(
            `| ${s.service} | ${s.where} | ${s.verdict === "pass" ? "✅" : "❌"} | ${s.detail} |`,
        );
    const failed =
        r.checks.filter((c) => c.verdict === "fail").length +
        r.separation.filter((s) => s.verdict === "fail").length;
    lines.push(
        "",
        "## Summary",
        "",
        `${r.checks.length} endpoints, ${r.separation.length} separation checks, ${failed} failed, in ${r.wallMs} ms. Verdict: **${r.verdict.toUpperCase()}**.`,
    );
    return lines.join("\n") + "\n";
}
