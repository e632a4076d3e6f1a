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

/**
 * Decides whether `value` (found in environment `own`) belongs to another environment:
 * either it carries another environment's marker word, or another environment's identity
 * holds the same value. Returns the first clash, or undefined.
 */
export function findOwner(
    value: string,
    own: string,
    others: readonly EnvironmentIdentity[],
): IdentityClash | undefined {
    const normalized = value.toLowerCase();
    for (const other of others) {
        if (other.environment === own) continue;
        for (const v of identityValues(other)) {
            if (v.value.toLowerCase() === normalized) {
                return {
                    kind: v.kind,
                    value,
                    owner: other.environment,
                    evidence: `declared by ${other.source}`,
                };
            }
        }
    }
    const marked = markedEnvironments(value, own);
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

/** Hosts named inside a free string (URLs, connection strings, JS bundles). */
export function hostsIn(text: string): string[] {
    const found = new Set<string>();
    const re = /\b(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,}\b/gi;
    for (const m of text.matchAll(re)) found.add(m[0].toLowerCase());
    return [...found];
}
