/**
 * The policy pack's own model: resources as the pack sees them, its config, and findings.
 * The same rule functions run inside Pulumi CrossGuard (`pulumi preview --policy-pack`),
 * under `policy:check` (the program under mocks) and on plain Kubernetes YAML.
 */

export type EnforcementLevel = "mandatory" | "advisory";

/** A resource as every rule sees it: a Pulumi type token and the Kubernetes object. */
export interface ResourceView {
    readonly type: string;
    readonly name: string;
    readonly urn: string;
    readonly props: Record<string, any>;
    /** Where the resource came from, for SARIF: a stack file or a manifest file and line. */
    readonly source?: { readonly file: string; readonly line?: number };
    /**
     * "manifests" for plain Kubernetes YAML (`policy:check --manifests`), which this project's
     * config keys and commands do not govern; absent for the program's own resources.
     */
    readonly origin?: "manifests";
}

/**
 * The fix for a finding. One text where it fits every input; otherwise what to change in the
 * stack (config keys, commands of this project) and what to change in a manifest.
 */
export type Fix = string | { readonly stack: string; readonly manifests: string };

/** Policy config shared by every rule: defined once, in zod (policies/config-schema.ts). */
export type { PackConfig } from "./config-schema";
import type { PackConfig } from "./config-schema";

export interface Finding {
    readonly policy: string;
    readonly level: EnforcementLevel;
    readonly resource: { readonly type: string; readonly name: string; readonly urn: string };
    /** Property path inside the resource, e.g. `spec.template.spec.containers[0].env.NEXTAUTH_SECRET`. */
    readonly property: string;
    /** What must be true, naming the offending item and (never for a secret) its value. */
    readonly message: string;
    readonly fix: string;
    readonly source?: { readonly file: string; readonly line?: number };
}

/** A check that could not be made offline or without evidence: never a silent pass. */
export interface NotVerified {
    readonly policy: string;
    readonly reason: string;
}

export interface RuleResult {
    readonly findings: Finding[];
    readonly notVerified: NotVerified[];
}

export interface PolicyRule {
    /** kebab-case name saying what it checks. */
    readonly name: string;
    /** Starts "Checks that…". */
    readonly description: string;
    readonly enforcementLevel: EnforcementLevel;
    /** The config keys this rule reads; CrossGuard's configSchema for it is derived from them. */
    readonly configKeys: readonly (keyof PackConfig)[];
    check(resources: readonly ResourceView[], config: PackConfig): RuleResult;
}

/** Builds a finding for `r`; keeps rule code short. */
export function finding(
    rule: Pick<PolicyRule, "name" | "enforcementLevel">,
    r: ResourceView,
    property: string,
    message: string,
    fix: Fix,
): Finding {
    return {
        policy: rule.name,
        level: rule.enforcementLevel,
        resource: { type: r.type, name: r.name, urn: r.urn },
        property,
        message,
        fix: typeof fix === "string" ? fix : r.origin === "manifests" ? fix.manifests : fix.stack,
        source: r.source,
    };
}
