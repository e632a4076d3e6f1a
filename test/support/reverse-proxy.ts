/** Loopback reverse proxies in front of a test registry: counting requests, injecting faults. */
import * as http from "node:http";
import { AddressInfo } from "node:net";

export interface RunningProxy {
    readonly address: string;
    close(): Promise<void>;
}

/** A reverse proxy on 127.0.0.1 in front of `upstream`: `route` answers a request itself or forwards it. */
export async function reverseProxy(
    upstream: string,
    route: (
        req: http.IncomingMessage,
        res: http.ServerResponse,
        forward: (onAnswer: (ur: http.IncomingMessage) => void) => void,
    ) => void,
): Promise<RunningProxy> {
    const [host, port] = upstream.split(":");
    const server = http.createServer((req, res): void =>
        route(req, res, (onAnswer) => {
            const up = http.request(
                {
                    host,
                    port: Number(port),
                    method: req.method,
                    path: req.url,
                    headers: req.headers,
                },
                onAnswer,
            );
            up.on("error", () => req.socket.destroy());
            req.pipe(up);
        }),
    );
    server.keepAliveTimeout = 5000;
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    return {
        address: `127.0.0.1:${(server.address() as AddressInfo).port}`,
        close: () =>
            new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
    };
}

/** Forwards everything and counts requests. */
export async function countingProxy(
    upstream: string,
): Promise<RunningProxy & { readonly count: () => number }> {
    let n = 0;
    const p = await reverseProxy(upstream, (_req, res, forward) => {
        n++;
        forward((ur) => {
            res.writeHead(ur.statusCode ?? 502, ur.headers);
            ur.pipe(res);
        });
    });
    return { ...p, count: () => n };
}

/** A repeatable pseudo-random sequence in [0, 1) (LCG), so a fault campaign can be re-run exactly. */
export function seeded(seed: number): () => number {
    let s = seed >>> 0;
    return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

export interface FaultMix {
    /** Shares of requests answered 503, 429 (Retry-After: 0), or cut (connection reset). */
    readonly unavailable: number;
    readonly tooMany: number;
    readonly reset: number;
    /** Share of PUT answers whose Docker-Content-Digest header is wrong. */
    readonly wrongDigest: number;
}

export const CAMPAIGN_MIX: FaultMix = {
    unavailable: 0.1,
    tooMany: 0.05,
    reset: 0.02,
    wrongDigest: 0.02,
};

/** A registry's bad day: 503s, 429s, connection resets and lying PUT answers, in the given shares. */
export async function faultyRegistryProxy(upstream: string, mix: FaultMix, rng: () => number) {
    const stats = { requests: 0, unavailable: 0, tooMany: 0, reset: 0, wrongDigest: 0 };
    const p = await reverseProxy(upstream, (req, res, forward) => {
        stats.requests++;
        const roll = rng();
        if (roll < mix.unavailable) {
            stats.unavailable++;
            req.resume();
            res.writeHead(503, { "content-type": "application/json" }).end(
                '{"errors":[{"code":"UNAVAILABLE","message":"injected"}]}',
            );
            return;
        }
        if (roll < mix.unavailable + mix.tooMany) {
            stats.tooMany++;
            req.resume();
            res.writeHead(429, { "retry-after": "0" }).end();
            return;
        }
        if (roll < mix.unavailable + mix.tooMany + mix.reset) {
            stats.reset++;
            req.socket.destroy();
            return;
        }
        const lie = req.method === "PUT" && rng() < mix.wrongDigest;
        forward((ur) => {
            const headers = { ...ur.headers };
            if (lie) {
                stats.wrongDigest++;
                headers["docker-content-digest"] = "sha256:" + "0".repeat(64);
            }
            res.writeHead(ur.statusCode ?? 502, headers);
            ur.pipe(res);
        });
    });
    return { ...p, stats };
}
