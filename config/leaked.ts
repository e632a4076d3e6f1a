/**
 * Credentials known to have leaked (printed in a report, pasted in a chat). Stored as
 * SHA-256 digests so that this repository never holds the values themselves.
 */
import { nodeCrypto } from "../lib/node-crypto";

/**
 * Each with its length: a value of another length cannot match, so most strings of a large
 * export are never hashed. (The length of a value already leaked, and rotated, tells nothing.)
 */
export const KNOWN_LEAKED_SHA256: ReadonlyArray<{ digest: string; length: number; where: string }> =
    [
        // NEXTAUTH_SECRET printed in clear in the PH28.1 PROD audit report, section 4.
        {
            digest: "d6f2943c081595294402b4b44b2349af181f28a674128d3ed99bff6d23ce2a75",
            length: 44,
            where: "PH28.1 audit report §4 (NEXTAUTH_SECRET)",
        },
    ];

export function sha256Hex(value: string): string {
    return nodeCrypto().createHash("sha256").update(value, "utf8").digest("hex");
}

/** Where `value` was leaked, or undefined when it is not a known-leaked value. */
export function leakedWhere(value: string): string | undefined {
    const candidates = KNOWN_LEAKED_SHA256.filter((k) => k.length === value.length);
    if (candidates.length === 0) return undefined;
    const d = sha256Hex(value);
    return candidates.find((k) => k.digest === d)?.where;
}
