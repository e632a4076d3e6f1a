/**
 * Runs every rule over a set of resources and builds the versioned violation report that
 * every output format (JSON, Markdown, SARIF, JUnit) is rendered from.
 */
import { uninterpretedKind } from "./kubernetes";
import { RULES } from "./rules";
import {
    EnforcementLevel,
    Finding,
    NotVerified,
    PackConfig,
    PolicyRule,
    ResourceView,
} from "./model";

/** Bump on any removal or rename of a field (README, "Reading a report"). */
export const REPORT_SCHEMA_VERSION = 1;

export interface Violation extends Finding {
    /** How many raw findings were folded into this row (same policy, resource and property). */
    readonly occurrences: number;
}

export interface ViolationReport {
    readonly schemaVersion: number;
    readonly tool: { readonly name: "keybuzz-policy"; readonly version: string };
    /** What was checked: a stack (program under mocks), manifests, or an engine event log. */
    readonly target: {
        readonly kind: "stack" | "manifests" | "engine";
        readonly name: string;
        readonly environment: string;
    };
    readonly generatedAt: string;
    readonly summary: {
        readonly resources: number;
        readonly mandatory: number;
        readonly advisory: number;
        readonly notVerified: number;
        /** "fail" when any mandatory violation exists. */
        readonly verdict: "pass" | "fail";
    };
    readonly policies: ReadonlyArray<{
        readonly name: string;
        readonly description: string;
        readonly enforcementLevel: EnforcementLevel;
        readonly violations: number;
    }>;
    readonly violations: readonly Violation[];
    readonly notVerified: readonly NotVerified[];
}

/** Folds repeats: one bad value in one property of one resource is one row. */
export function fold(findings: readonly Finding[]): Violation[] {
    const rows = new Map<string, Violation>();
    for (const f of findings) {
        const key = `${f.policy}|${f.resource.urn}|${f.property}`;
        const prior = rows.get(key);
        rows.set(
            key,
            prior ? { ...prior, occurrences: prior.occurrences + 1 } : { ...f, occurrences: 1 },
        );
    }
    return [...rows.values()];
}

/** Kinds the pack read as text only: said in the report, never silently passed. */
function uninterpreted(resources: readonly ResourceView[]): NotVerified[] {
    const counts = new Map<string, number>();
    for (const r of resources) {
        const kind = uninterpretedKind(r);
        if (kind) counts.set(kind, (counts.get(kind) ?? 0) + 1);
    }
    if (counts.size === 0) return [];
    const kinds = [...counts].map(([k, n]) => (n > 1 ? `${k} ×${n}` : k)).join(", ");
    return [
        {
            policy: "no-plaintext-secrets",
            reason: `kinds the pack cannot interpret were read as text only (${kinds}): other environments' references and known-leaked values are found in them, credentials by field name are not`,
        },
    ];
}

export function evaluate(
    resources: readonly ResourceView[],
    config: PackConfig,
    target: ViolationReport["target"],
    rules: readonly PolicyRule[] = RULES,
): ViolationReport {
    const findings: Finding[] = [];
    const notVerified: NotVerified[] = [];
    for (const rule of rules) {
        const r = rule.check(resources, config);
        findings.push(...r.findings);
        notVerified.push(...r.notVerified);
    }
    notVerified.push(...uninterpreted(resources));
    const violations = fold(findings).sort((a, b) =>
        a.level === b.level ? 0 : a.level === "mandatory" ? -1 : 1,
    );
    const mandatory = violations.filter((v) => v.level === "mandatory").length;
    return {
        schemaVersion: REPORT_SCHEMA_VERSION,
        tool: { name: "keybuzz-policy", version: "0.1.0" },
        target,
        generatedAt: new Date().toISOString(),
        summary: {
            resources: resources.length,
            mandatory,
            advisory: violations.length - mandatory,
            notVerified: notVerified.length,
            verdict: mandatory > 0 ? "fail" : "pass",
        },
        policies: rules.map((r) => ({
            name: r.name,
            description: r.description,
            enforcementLevel: r.enforcementLevel,
            violations: violations.filter((v) => v.policy === r.name).length,
        })),
        violations,
        notVerified,
    };
}
