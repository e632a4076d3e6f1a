/**
 * The policy pack's config, defined once: the TypeScript type, the defaults, the strictness
 * file format (policies/config/<env>.json) and CrossGuard's per-policy `configSchema` are all
 * derived from this zod schema.
 */
import { z } from "zod";
import { DECLARED_VOCABULARY } from "../config/environments";
import { DIGEST_PATTERN } from "../image/reference";

const identity = z
    .object({
        environment: z.string(),
        source: z.string(),
        hosts: z.array(z.string()).readonly(),
        namespace: z.string(),
        databaseName: z.string(),
        databaseUser: z.string(),
        databaseLocation: z.string(),
    })
    .describe("An environment's identity: the values that belong to it alone.");

/** What an environment demands of itself; one file per environment, all keys required. */
const strictness = {
    requireDigest: z.boolean().describe("Require images by digest (`@sha256:`). PROD: true."),
    requirePromoted: z
        .boolean()
        .describe("Require every image digest to be one the promotion recorded. PROD: true."),
    requirePdb: z
        .boolean()
        .describe("Require a PodDisruptionBudget per multi-replica Deployment. PROD: true."),
    environmentWords: z
        .record(z.string(), z.array(z.string().regex(/^[a-z0-9]+$/)).readonly())
        .optional()
        .describe(
            "Marker words of environments this project does not declare (staging, qa, uat…), by environment: a host carrying one belongs to that environment.",
        ),
    allowedRegistries: z
        .array(z.string())
        .readonly()
        .describe("Registries images may come from; empty allows any."),
};

export const strictnessSchema = z.object(strictness).strict();

export const packConfigSchema = z.object({
    environment: z.string().describe("The environment the resources belong to."),
    otherEnvironments: z
        .array(identity)
        .readonly()
        .default([])
        .describe("Other environments' identities (hosts, namespace, DB name/user/location)."),
    otherFingerprints: z
        .record(z.string(), z.record(z.string(), z.string()))
        .default({})
        .describe(
            "Other environments' credential fingerprints by environment, then credential name; an environment absent here could not be compared (not verified).",
        ),
    fingerprintEnvironments: z
        .array(z.string())
        .readonly()
        .default([])
        .describe("Environments whose fingerprints must be compared (long-lived ones)."),
    promotedDigests: z
        .array(z.string().regex(DIGEST_PATTERN))
        .readonly()
        .optional()
        .describe("Digests the promotion recorded; absent when the ledger could not be read."),
    requireDigest: strictness.requireDigest.default(false),
    requirePromoted: strictness.requirePromoted.default(false),
    requirePdb: strictness.requirePdb.default(false),
    allowedRegistries: strictness.allowedRegistries.default([]),
    environmentWords: strictness.environmentWords,
    otherCredentialValues: z
        .record(z.string(), z.record(z.string(), z.string()))
        .optional()
        .describe(
            "policy:check --manifests with --compare only: other environments' credential values as HMACs under a key of this run (fingerprint → where it sits); never written to a file.",
        ),
});

export type PackConfig = z.output<typeof packConfigSchema>;
export type PackConfigKey = keyof PackConfig;

/** Every environment's marker words: the declared environments' and the config's own. */
export function vocabularyOf(config: PackConfig): Readonly<Record<string, readonly string[]>> {
    return { ...DECLARED_VOCABULARY, ...(config.environmentWords ?? {}) };
}

/** CrossGuard's `configSchema` for a policy reading `keys` (JSON Schema properties, from zod). */
export function crossGuardConfigSchema(keys: readonly PackConfigKey[]): {
    properties: Record<string, object>;
    required: string[];
} {
    const pick = Object.fromEntries(["environment", ...keys].map((k) => [k, true])) as Partial<
        Record<PackConfigKey, true>
    >;
    const json = z.toJSONSchema(packConfigSchema.pick(pick as never), { io: "input" }) as {
        properties?: Record<string, object>;
    };
    return { properties: json.properties ?? {}, required: ["environment"] };
}

/** A policy's config as CrossGuard hands it over, with the defaults filled in. */
export function parsePackConfig(raw: unknown): PackConfig {
    return packConfigSchema.parse(raw);
}
