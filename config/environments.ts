/**
 * The environments this project knows, declared once. Everything that decides which
 * environment a host, namespace, database or DB user belongs to reads this table: the
 * config validation and the policy pack share it, so the two lines of defence cannot drift.
 */
export interface EnvironmentDeclaration {
    /** The environment's name; a stack of this environment declares it in `keybuzz-platform:environment`. */
    readonly name: string;
    /**
     * Tokens that mark a value as this environment's when they appear as a whole word in a
     * host, namespace, database name or user (`backend-dev.keybuzz.io`, `keybuzz_api_dev`).
     */
    readonly markers: readonly string[];
    /** Minimum replicas per service; PROD serves customers and must survive a pod loss. */
    readonly minReplicas: number;
    /** Throw-away environments (local renders, CI) may drop their data; long-lived ones may not. */
    readonly throwAway: boolean;
    /** The environment whose verified images this one runs (its promotion's default source). */
    readonly promotesFrom?: string;
}

export const ENVIRONMENTS: readonly EnvironmentDeclaration[] = [
    { name: "dev", markers: ["dev", "develop", "development"], minReplicas: 1, throwAway: false },
    {
        name: "prod",
        markers: ["prod", "production"],
        minReplicas: 2,
        throwAway: false,
        promotesFrom: "dev",
    },
    { name: "local", markers: ["local"], minReplicas: 1, throwAway: true },
    { name: "test", markers: ["test", "ci"], minReplicas: 1, throwAway: true },
];

export const ENVIRONMENT_NAMES = ENVIRONMENTS.map((e) => e.name) as [string, ...string[]];

export function findEnvironment(name: string): EnvironmentDeclaration | undefined {
    return ENVIRONMENTS.find((e) => e.name === name);
}

/** Splits a host, URL, namespace or DB name into the words a marker can match. */
export function wordsOf(value: string): string[] {
    return value
        .toLowerCase()
        .split(/[^a-z0-9]+/)
        .filter((w) => w.length > 0);
}

/**
 * The environments other than `own` whose markers appear in `value`, e.g.
 * `markedEnvironments("backend-dev.keybuzz.io", "prod")` → ["dev"].
 */
export function markedEnvironments(
    value: string,
    own: string,
    vocabulary: Readonly<Record<string, readonly string[]>> = DECLARED_VOCABULARY,
): string[] {
    const words = new Set(wordsOf(value));
    return Object.entries(vocabulary)
        .filter(([name, markers]) => name !== own && markers.some((m) => words.has(m)))
        .map(([name]) => name);
}

/** The declared environments' marker words, by environment. */
export const DECLARED_VOCABULARY: Readonly<Record<string, readonly string[]>> = Object.fromEntries(
    ENVIRONMENTS.map((e) => [e.name, e.markers]),
);
