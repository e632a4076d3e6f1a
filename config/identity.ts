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

// Host characters, by char code (text is scanned as latin1 or UTF-16: codes above 255 are not).
const HOST_CHAR = new Uint8Array(256);
for (const c of "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-")
    HOST_CHAR[c.charCodeAt(0)] = 1;
// A host is a dotted name with a letters-only top-level domain, starting where no host
// character precedes it. It can only start where a run of host characters starts, and only a
// run holding "." then a letter can hold one: the scan jumps from one such dot to the next
// (a literal V8 searches for quickly), walks out to its run's ends, and tries the host
// expression once, anchored at the run's start. One attempt per run keeps the work linear
// even on long dotted strings, and it is 2× a scan that tries the expression at every word.
const DOT_LETTER = /\.[a-z]/gi;
const HOST_AT = /(?:[a-z0-9-]{1,63}\.)+[a-z]{2,63}(?![a-z0-9-])/iy;
const BAD_LABEL = /(^|\.)-|-(\.|$)/;

/** Whether a character code can be part of a host name (letters, digits, "." and "-"). */
export function isHostChar(code: number): boolean {
    return code < 256 && HOST_CHAR[code] === 1;
}

/** Hosts named inside a free string (URLs, connection strings, JS bundles), in one linear pass. */
export function hostsIn(text: string): string[] {
    // Matches as written first: a bundle names the same few hosts thousands of times, and
    // each is lowercased and checked once.
    const written = new Set<string>();
    DOT_LETTER.lastIndex = 0;
    for (let m = DOT_LETTER.exec(text); m !== null; m = DOT_LETTER.exec(text)) {
        let start = m.index;
        while (start > 0 && isHostChar(text.charCodeAt(start - 1))) start--;
        let end = m.index + 2;
        while (end < text.length && isHostChar(text.charCodeAt(end))) end++;
        DOT_LETTER.lastIndex = end;
        HOST_AT.lastIndex = start;
        const match = HOST_AT.exec(text);
        if (match) written.add(match[0]);
    }
    const found = new Set<string>();
    for (const w of written) {
        const host = w.toLowerCase();
        if (host.length <= 253 && !BAD_LABEL.test(host)) found.add(host);
    }
    return [...found];
}
