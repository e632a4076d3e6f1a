/**
 * Retries for registry calls: connection errors, 408, 429 (honouring Retry-After) and 5xx,
 * with exponential backoff and full jitter, bounded in attempts and in total time.
 */
import { CONNECTION_ERROR_CODES, TIMEOUT_ERROR_CODES } from "../lib/network-errors";

export interface RetryPolicy {
    readonly attempts: number;
    readonly baseDelayMs: number;
    readonly maxDelayMs: number;
    readonly totalMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
    attempts: 6,
    baseDelayMs: 100,
    maxDelayMs: 5000,
    totalMs: 60_000,
};

/** Transport failures worth another attempt: a broken connection or a server too slow to answer. */
export const RETRYABLE_CODES: readonly string[] = [
    ...CONNECTION_ERROR_CODES,
    ...TIMEOUT_ERROR_CODES,
];

export function retryableStatus(status: number): boolean {
    return status === 408 || status === 429 || (status >= 500 && status <= 599);
}

/** Delay before attempt `attempt` (1-based retry count); Retry-After wins when given. */
export function backoffMs(
    policy: RetryPolicy,
    attempt: number,
    retryAfter?: string,
    random: () => number = Math.random,
): number {
    if (retryAfter) {
        const seconds = Number(retryAfter);
        const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(retryAfter) - Date.now();
        if (Number.isFinite(ms) && ms >= 0) return Math.min(ms, policy.maxDelayMs);
    }
    const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
    return Math.floor(random() * cap);
}
