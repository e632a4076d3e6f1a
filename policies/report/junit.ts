/** JUnit XML for CI test tabs: one test case per policy, a failure per mandatory violation. */
import { ViolationReport } from "../evaluate";

const esc = (s: string) =>
    s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

export function renderJunit(report: ViolationReport): string {
    const cases = report.policies.map((p) => {
        const vs = report.violations.filter((v) => v.policy === p.name);
        const body = vs
            .map((v) =>
                v.level === "mandatory"
                    ? `<failure type="mandatory" message="${esc(v.message)}">${esc(`${v.resource.urn}#${v.property}\nfix: ${v.fix}`)}</failure>`
                    : `<system-out>${esc(`advisory: ${v.message}`)}</system-out>`,
            )
            .join("");
        const skipped = report.notVerified
            .filter((n) => n.policy === p.name)
            .map((n) => `<skipped message="${esc("not verified: " + n.reason)}"/>`)
            .join("");
        return `    <testcase classname="keybuzz-policy.${esc(report.target.name)}" name="${esc(p.name)}">${body}${skipped}</testcase>`;
    });
    const failures = report.policies.filter((p) =>
        report.violations.some((v) => v.policy === p.name && v.level === "mandatory"),
    ).length;
    return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites>\n  <testsuite name="keybuzz-policy ${esc(report.target.name)}" tests="${report.policies.length}" failures="${failures}">\n${cases.join("\n")}\n  </testsuite>\n</testsuites>\n`;
}
