/**
 * The policy pack's own model: resources as the pack sees them, its config, and findings.
 * The same rule functions run inside Pulumi CrossGuard (`pulumi preview --policy-pack`),
 * under `policy:check` (the program under mocks) and on plain Kubernetes YAML.
 */
import { EnvironmentIdentity } from "../config/identity";

export type EnforcementLevel = "mandatory" | "advisory";

/** A resource as every rule sees it: a Pulumi type token and the Kubernetes object. */
export interface ResourceView {
    readonly type: string;
    readonly name: string;
    readonly urn: string;
    readonly props: Record<string, any>;
    /** Where the resource came from, for SARIF: a stack file or a manifest file and line. */
    readonly source?: { readonly file: string; readonly line?: number };
}

/** Policy config shared by every rule; one JSON object per environment (policies/config/<env>.json). */
export interface PackConfig {
    /** The environment the resources belong to. */
    readonly environment: string;
    /** Other environments' identities (hosts, namespace, DB name/user/location). */
    readonly otherEnvironments: readonly EnvironmentIdentity[];
    /**
     * Other environments' credential fingerprints by environment, then credential name.
     * An environment absent here could not be compared: reported as not verified.
     */
    readonly otherFingerprints: Readonly<Record<string, Readonly<Record<string, string>>>>;
    /** Environments whose fingerprints must be compared (long-lived ones). */
    readonly fingerprintEnvironments: readonly string[];
    /** Require images by digest (`@sha256:`). PROD: true. */
    readonly requireDigest: boolean;
    /** Digests the promotion recorded; undefined when the ledger could not be read. */
    readonly promotedDigests?: readonly string[];
    /** Require images to be promoted (PROD: true). */
    readonly requirePromoted: boolean;
    /** Require a PodDisruptionBudget per multi-replica Deployment (PROD: true). */
    readonly requirePdb: boolean;
    /** Registries images may come from. */
    readonly allowedRegistries: readonly string[];
}

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
    /** JSON schema of the config keys this rule reads (for CrossGuard's configSchema). */
    readonly configKeys: readonly (keyof PackConfig)[];
    check(resources: readonly ResourceView[], config: PackConfig): RuleResult;
}

/** Builds a finding for `r`; keeps rule code short. */
export function finding(rule: Pick<PolicyRule, "name" | "enforcementLevel">, r: ResourceView, property: string, message: string, fix: string): Finding {
    return { policy: rule.name, level: rule.enforcementLevel, resource: { type: r.type, name: r.name, urn: r.urn }, property, message, fix, source: r.source };
}
