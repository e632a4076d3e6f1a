/**
 * Reads a violation report back (policy:check --format json), or builds one from a Pulumi
 * engine event log (`pulumi preview --policy-pack policies --event-log <file>`). Malformed or
 * truncated input is an error, never a partial report that looks clean.
 */
import { z } from "zod";
import { REPORT_SCHEMA_VERSION, ViolationReport, fold } from "../evaluate";
import { Finding } from "../model";
import { jsonErrorWithoutContent } from "../../lib/input-file";

const violation = z.object({
    policy: z.string(),
    level: z.enum(["mandatory", "advisory"]),
    resource: z.object({ type: z.string(), name: z.string(), urn: z.string() }),
    property: z.string(),
    message: z.string(),
    fix: z.string(),
    source: z.object({ file: z.string(), line: z.number().optional() }).optional(),
    occurrences: z.number().int().min(1),
});

const report = z.object({
    schemaVersion: z.literal(REPORT_SCHEMA_VERSION),
    tool: z.object({ name: z.literal("keybuzz-policy"), version: z.string() }),
    target: z.object({
        kind: z.enum(["stack", "manifests", "engine"]),
        name: z.string(),
        environment: z.string(),
    }),
    generatedAt: z.string(),
    summary: z.object({
        resources: z.number(),
        mandatory: z.number(),
        advisory: z.number(),
        notVerified: z.number(),
        verdict: z.enum(["pass", "fail"]),
    }),
    policies: z.array(
        z.object({
            name: z.string(),
            description: z.string(),
            enforcementLevel: z.enum(["mandatory", "advisory"]),
            violations: z.number(),
        }),
    ),
    violations: z.array(violation),
    notVerified: z.array(z.object({ policy: z.string(), reason: z.string() })),
});

export class ReportInputError extends Error {}

export function parseReport(text: string, source: string): ViolationReport {
    let data: unknown;
    try {
        data = JSON.parse(text);
    } catch (e) {
        throw new ReportInputError(
            `${source} is not complete JSON (${jsonErrorWithoutContent(e)}); re-run policy:check --format json --out ${source}`,
        );
    }
    const r = report.safeParse(data);
    if (!r.success) {
        const i = r.error.issues[0];
        throw new ReportInputError(
            `${source} is not a keybuzz-policy report v${REPORT_SCHEMA_VERSION}: ${i.path.join(".") || "(root)"}: ${i.message}`,
        );
    }
    const mandatory = r.data.violations.filter((v) => v.level === "mandatory").length;
    if (
        mandatory !== r.data.summary.mandatory ||
        r.data.violations.length - mandatory !== r.data.summary.advisory
    ) {
        throw new ReportInputError(
            `${source}: summary counts do not match its violations (truncated or edited?)`,
        );
    }
    return r.data;
}

/**
 * An engine event stream: one JSON event per line, as `PULUMI_ENABLE_STREAMING_JSON_PREVIEW=true
 * pulumi preview --json` prints it (this CLI version has no --event-log on preview); policy events carry
 * { resourceUrn, message, policyName, policyPackName, enforcementLevel }.
 */
export function reportFromEventLog(text: string, source: string): ViolationReport {
    const findings: Finding[] = [];
    let sawEnd = false;
    const lines = text.split("\n").filter((l) => l.trim());
    lines.forEach((line, i) => {
        let e: any;
        try {
            e = JSON.parse(line);
        } catch {
            throw new ReportInputError(`${source}:${i + 1}: not a JSON event (truncated log?)`);
        }
        if (e.summaryEvent || e.cancelEvent) sawEnd = true;
        const p = e.policyEvent;
        if (!p) return;
        const urn: string = p.resourceUrn ?? "";
        const level = p.enforcementLevel === "advisory" ? "advisory" : "mandatory";
        // The engine prepends the policy's description ("Checks that …") to our message, and
        // our pack puts the fix on a last line starting "fix: ".
        const lines = String(p.message ?? "")
            .replace(/\u001b\[[0-9;]*m/g, "")
            .trim()
            .split("\n")
            .map((l) => l.trim())
            .filter(Boolean);
        const body = lines.length > 1 && /^Checks that\b/.test(lines[0]) ? lines.slice(1) : lines;
        const fix = body.find((l) => l.startsWith("fix: "));
        const message = body.filter((l) => l !== fix).join(" ");
        const property = /\(([^()]*)\)/.exec(message)?.[1] ?? "";
        findings.push({
            policy: p.policyName,
            level,
            resource: { type: urn.split("::")[2] ?? "", name: urn.split("::")[3] ?? urn, urn },
            property,
            message,
            fix: fix?.slice(5) ?? "see the policy's description",
        });
    });
    if (!sawEnd)
        throw new ReportInputError(
            `${source}: the event log has no summary event: the engine run did not finish, so the report would be incomplete`,
        );
    const violations = fold(findings);
    const mandatory = violations.filter((v) => v.level === "mandatory").length;
    const names = [...new Set(violations.map((v) => v.policy))];
    return {
        schemaVersion: REPORT_SCHEMA_VERSION,
        tool: { name: "keybuzz-policy", version: "0.1.0" },
        target: { kind: "engine", name: source, environment: "" },
        generatedAt: new Date().toISOString(),
        summary: {
            resources: 0,
            mandatory,
            advisory: violations.length - mandatory,
            notVerified: 0,
            verdict: mandatory ? "fail" : "pass",
        },
        policies: names.map((n) => ({
            name: n,
            description: "",
            enforcementLevel: violations.find((v) => v.policy === n)!.level,
            violations: violations.filter((v) => v.policy === n).length,
        })),
        violations,
        notVerified: [],
    };
}
