/**
 * The images this repository builds from source (images/src) and which build variant of each
 * service a variant set holds. A variant changes one service; the others stay the `good`
 * build, so a variant's images differ from `good` exactly where the failure it replays is.
 */
export const SERVICES = ["api", "client", "website"] as const;
export type Service = (typeof SERVICES)[number];

export const VARIANTS = ["good", "stale", "leaky-client", "crash"] as const;
export type Variant = (typeof VARIANTS)[number];

export const VARIANT_MEANING: Record<Variant, string> = {
    good: "the three services as they should be",
    stale: "the PH28.1 PROD API: /health answers, most routes 404, no /debug/version",
    "leaky-client":
        "a client whose bundle names DEV's backend, baked in at build time (the layer scan must refuse it)",
    crash: "an API that exits at start (the rollout must fail, quoting its last log line)",
};

const CHANGES: Partial<Record<Variant, Service>> = {
    stale: "api",
    "leaky-client": "client",
    crash: "api",
};

/** The build of `service` that variant set `variant` holds. */
export function buildOf(variant: Variant, service: Service): Variant {
    return CHANGES[variant] === service ? variant : "good";
}

/** Repository of a service's image in the local registry. */
export const repositoryOf = (service: Service) => `keybuzz/keybuzz-${service}`;

/** Infrastructure images the local cluster itself needs (no registry is reachable here). */
export const PAUSE_REPOSITORY = "keybuzz/pause";
export const POSTGRES_REPOSITORY = "keybuzz/postgres";

export function parseVariants(value: string | undefined): Variant[] {
    if (value === undefined || value === "good") return ["good"];
    if (value === "all") return [...VARIANTS];
    const v = value.split(",").map((s) => s.trim());
    const bad = v.filter((x) => !(VARIANTS as readonly string[]).includes(x));
    if (bad.length)
        throw new Error(
            `--variant ${bad.join(",")}: not a variant; give one of ${VARIANTS.join(", ")} or all`,
        );
    return v as Variant[];
}
