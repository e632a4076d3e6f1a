/**
 * An environment's identity: the values that belong to it alone. Two environments may share
 * infrastructure (the PostgreSQL server, the image registry), never an identity value.
 */
import { markedEnvironments } from "./environments";

export interface EnvironmentIdentity {
    /** Environment name (dev, prod, …). */
    readonly environment: string;
    /** Where the identity was read from, e.g. `Pulumi.dev.yaml`; shown in messages. */
    readonly source: string;
    readonly hosts: readonly string[];
    readonly namespace: string;
    readonly databaseName: string;
    readonly databaseUser: string;
    /** `host:port/database`: the same database on the same server is the same data. */
    readonly databaseLocation: string;
}

/** The in-cluster server of an environment: its namespace's own `postgres` Service. */
export function inClusterDatabaseHost(namespace: string): string {
    return `postgres.${namespace}.svc`;
}

/** `host:port/database`; an in-cluster database lives on its own namespace's server. */
export function databaseLocation(
    host: string | undefined,
    port: number,
    name: string,
    namespace: string,
): string {
    return `${host ?? inClusterDatabaseHost(namespace)}:${port}/${name}`;
}

/**
 * The one way an identity is built, whatever it is read from (a validated config, a stack file
 * read leniently, another environment's manifests): the database location is always derived
 * by the same rule.
 */
export function environmentIdentity(parts: {
    readonly environment: string;
    readonly source: string;
    readonly hosts: readonly string[];
    readonly namespace: string;
    readonly databaseName: string;
    readonly databaseUser: string;
    /** Absent: the namespace's in-cluster server. */
    readonly databaseHost?: string;
    readonly databasePort?: number;
    /** Known as a whole (from a connection string) rather than from its parts. */
    readonly databaseLocation?: string;
}): EnvironmentIdentity {
    return {
        environment: parts.environment,
        source: parts.source,
        hosts: [...parts.hosts],
        namespace: parts.namespace,
        databaseName: parts.databaseName,
        databaseUser: parts.databaseUser,
        databaseLocation:
            parts.databaseLocation ??
            databaseLocation(
                parts.databaseHost,
                parts.databasePort ?? 5432,
                parts.databaseName,
                parts.namespace,
            ),
    };
}

export type IdentityKind = "host" | "namespace" | "database name" | "database user" | "database";

export interface IdentityClash {
    readonly kind: IdentityKind;
    readonly value: string;
    /** The environment the value belongs to. */
    readonly owner: string;
    /** How we know: a marker word, or the other stack file that declares the same value. */
    readonly evidence: string;
}

/** Every value of `identity`, with its kind; used to compare two identities field by field. */
export function identityValues(
    identity: EnvironmentIdentity,
): Array<{ kind: IdentityKind; value: string }> {
    return [
        ...identity.hosts.map((h) => ({ kind: "host" as const, value: h.toLowerCase() })),
        { kind: "namespace", value: identity.namespace },
        { kind: "database name", value: identity.databaseName },
        { kind: "database user", value: identity.databaseUser },
        { kind: "database", value: identity.databaseLocation },
    ];
}

// An identity's values by lower-cased value, built once per identity: a large export asks
// about every string it holds.
const indexes = new WeakMap<EnvironmentIdentity, Map<string, IdentityKind[]>>();
function valueIndex(identity: EnvironmentIdentity): Map<string, IdentityKind[]> {
    let index = indexes.get(identity);
    if (!index) {
        index = new Map();
        for (const v of identityValues(identity)) {
            const key = v.value.toLowerCase();
            index.set(key, [...(index.get(key) ?? []), v.kind]);
        }
        indexes.set(identity, index);
    }
    return index;
}

/** How a value may be matched to another environment. */
export interface MatchOptions {
    /**
     * Marker words count (`backend-dev.keybuzz.io` is dev's). For free text only host names
     * are marker-checked, and only their own labels: never a cluster-internal suffix
     * (`svc.cluster.local` is not the `local` environment) nor the top-level domain (`.dev`).
     * Default true.
     */
    readonly markers?: boolean;
    /** Identity kinds compared; default all. */
    readonly kinds?: readonly IdentityKind[];
    /** Marker words by environment (the policy config's vocabulary); default the declared environments'. */
    readonly vocabulary?: Readonly<Record<string, readonly string[]>>;
}

/**
 * Decides whether `value` (found in environment `own`) belongs to another environment:
 * either another environment's identity holds the same value, or it carries another
 * environment's marker word. Returns the first clash, or undefined.
 */
export function findOwner(
    value: string,
    own: string,
    others: readonly EnvironmentIdentity[],
    options: MatchOptions = {},
): IdentityClash | undefined {
    const normalized = value.toLowerCase();
    for (const other of others) {
        if (other.environment === own) continue;
        for (const v of identityValues(other)) {
            if (options.kinds && !options.kinds.includes(v.kind)) continue;
            if (v.value.toLowerCase() === normalized) {
                return {
                    kind: v.kind,
                    value,
                    owner: other.environment,
                    evidence: `declared by ${other.source}`,
                };
            }
        }
        // A host inside another environment's namespace (`postgres.keybuzz-dev.svc.cluster.local`).
        const ns = inClusterNamespace(normalized);
        if (
            ns &&
            ns === other.namespace &&
            (!options.kinds || options.kinds.includes("namespace"))
        ) {
            return {
                kind: "namespace",
                value,
                owner: other.environment,
                evidence: `its namespace ${ns} is declared by ${other.source}`,
            };
        }
    }
    if (options.markers === false) return undefined;
    const marked = markedEnvironments(markedPart(normalized), own, options.vocabulary);
    if (marked.length > 0) {
        return {
            kind: "host",
            value,
            owner: marked[0],
            evidence: `the word "${marked[0]}" marks ${marked[0]} values`,
        };
    }
    return undefined;
}

// Suffixes a cluster gives its own services: never an environment's word.
const CLUSTER_INTERNAL = /\.(svc\.cluster\.local|svc|cluster\.local)$/;

/** `<service>.<namespace>.svc[.cluster.local]` → the namespace; undefined for other hosts. */
export function inClusterNamespace(host: string): string | undefined {
    const m = /^(?:[a-z0-9-]+\.)?([a-z0-9-]+)\.svc(?:\.cluster\.local)?$/.exec(host);
    return m?.[1];
}

/** The part of a host whose words may mark an environment: without the cluster suffix or the TLD. */
function markedPart(value: string): string {
    if (!value.includes(".")) return value;
    if (CLUSTER_INTERNAL.test(value)) return value.replace(CLUSTER_INTERNAL, "");
    return value.slice(0, value.lastIndexOf("."));
}
