/**
 * How a failed HTTP call failed, for the registry client and the audit's prober alike: the
 * error codes of a connection that failed or broke, and of a server too slow to answer.
 * Arrays, not Sets: the registry client runs inside Pulumi dynamic providers, whose closure
 * serializer does not recreate Set instances captured at module level.
 */

/** The connection could not be made or broke: nothing was answered, a retry may succeed. */
export const CONNECTION_ERROR_CODES: readonly string[] = [
    "ECONNREFUSED",
    "ECONNRESET",
    "EPIPE",
    "ETIMEDOUT",
    "UND_ERR_SOCKET",
    "UND_ERR_CLOSED",
];

/** undici gave up waiting (connect, headers, body). */
export const TIMEOUT_ERROR_CODES: readonly string[] = [
    "UND_ERR_CONNECT_TIMEOUT",
    "UND_ERR_HEADERS_TIMEOUT",
    "UND_ERR_BODY_TIMEOUT",
];

/** The Node/undici error code of `e` (or of its cause); "" when it has none. */
export function errorCode(e: unknown): string {
    const any = e as { code?: string; cause?: { code?: string } };
    return any?.code ?? any?.cause?.code ?? "";
}
