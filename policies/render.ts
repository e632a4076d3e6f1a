/** Renders a violation report in any supported format. */
import { printable } from "../lib/printable";
import { ViolationReport } from "./evaluate";
import { renderJunit } from "./report/junit";
import { renderMarkdown } from "./report/markdown";
import { renderSarif } from "./report/sarif";

export const FORMATS = ["text", "json", "md", "sarif", "junit"] as const;
export type Format = (typeof FORMATS)[number];

export function renderText(report: ViolationReport): string {
    const s = report.summary;
    const lines = [
        `policy check of ${report.target.kind} ${report.target.name} (environment ${report.target.environment}): ${s.verdict.toUpperCase()}`,
        `  ${s.mandatory} mandatory, ${s.advisory} advisory, ${s.notVerified} not verified, ${s.resources} resources`,
    ];
    for (const v of report.violations) {
        lines.push(
            `  [${v.level}] ${v.policy}: ${v.message}${v.occurrences > 1 ? ` (×${v.occurrences})` : ""}`,
        );
        lines.push(
            `      at ${v.resource.type} ${v.resource.name} ${v.property}${v.source ? ` (${v.source.file}${v.source.line ? `:${v.source.line}` : ""})` : ""}`,
        );
        lines.push(`      fix: ${v.fix}`);
    }
    for (const n of report.notVerified) lines.push(`  [not verified] ${n.policy}: ${n.reason}`);
    // Values come from manifests and stack files: terminal escapes are shown, not obeyed.
    return printable(lines.join("\n"));
}

export function render(report: ViolationReport, format: Format): string {
    switch (format) {
        case "json":
            return JSON.stringify(report, null, 2);
        case "md":
            return renderMarkdown(report);
        case "sarif":
            return JSON.stringify(renderSarif(report), null, 2);
        case "junit":
            return renderJunit(report);
        default:
            return renderText(report);
    }
}
