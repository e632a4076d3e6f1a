/**
 * One HTTP probe over undici: bounded in time and in bytes read, retried only on connection
 * errors, redirects recorded rather than followed.
 */
import { Dispatcher, request } from "undici";
import { CONNECTION_ERROR_CODES, errorCode } from "../lib/network-errors";

export interface ProbeOptions {
    readonly method: string;
    readonly timeoutMs: number;
    /** Read at most this many body bytes; the rest is never downloaded. */
    readonly maxBodyBytes: number;
    /** Extra attempts after a connection error (refused, reset); never after an answer. */
    readonly retries: number;
    readonly dispatcher: Dispatcher;
}

export type ProbeResult =
    | {
          kind: "answer";
          status: number;
          headers: Record<string, string>;
          body: string;
          truncated: boolean;
          timeMs: number;
          attempts: number;
      }
    | { kind: "timeout"; timeMs: number; attempts: number }
    | { kind: "connection-error"; code: string; timeMs: number; attempts: number }
    | { kind: "dns-error"; code: string; host: string; timeMs: number };

function codeOf(e: unknown): string {
    return errorCode(e) || (e as { name?: string })?.name || "ERROR";
}

export async function probe(url: string, opts: ProbeOptions): Promise<ProbeResult> {
    const started = performance.now();
    let attempts = 0;
    for (;;) {
        attempts++;
        const signal = AbortSignal.timeout(opts.timeoutMs);
        try {
            const res = await request(url, {
                method: opts.method as Dispatcher.HttpMethod,
                dispatcher: opts.dispatcher,
                signal,
                headersTimeout: opts.timeoutMs,
                bodyTimeout: opts.timeoutMs,
            });
            const chunks: Buffer[] = [];
            let size = 0;
            let truncated = false;
            for await (const chunk of res.body) {
                const b = chunk as Buffer;
                const room = opts.maxBodyBytes - size;
                chunks.push(room >= b.length ? b : b.subarray(0, room));
                size += Math.min(room, b.length);
                if (size >= opts.maxBodyBytes) {
                    truncated = true;
                    break;
                }
            }
            // Leaving the loop early destroys the stream: the rest of a huge body is never read.
            if (truncated) res.body.destroy();
            const headers: Record<string, string> = {};
            for (const [k, v] of Object.entries(res.headers))
                if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(", ") : String(v);
            return {
                kind: "answer",
                status: res.statusCode,
                headers,
                body: Buffer.concat(chunks).toString("utf8"),
                truncated,
                timeMs: performance.now() - started,
                attempts,
            };
        } catch (e) {
            const code = codeOf(e);
            const elapsed = performance.now() - started;
            if (
                signal.aborted ||
                code === "UND_ERR_HEADERS_TIMEOUT" ||
                code === "UND_ERR_BODY_TIMEOUT" ||
                code === "TimeoutError" ||
                code === "AbortError"
            ) {
                return { kind: "timeout", timeMs: elapsed, attempts };
            }
            if (code === "ENOTFOUND" || code === "EAI_AGAIN")
                return { kind: "dns-error", code, host: new URL(url).hostname, timeMs: elapsed };
            if (CONNECTION_ERROR_CODES.includes(code) && attempts <= opts.retries) {
                await new Promise((r) => setTimeout(r, 50 * attempts));
                continue;
            }
            return { kind: "connection-error", code, timeMs: elapsed, attempts };
        }
    }
}
