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

/** Answers a share of requests (`rate`, drawn from `rng`) with 503 and forwards the rest. */
export async function unavailableProxy(
    upstream: string,
    rate: number,
    rng: () => number,
): Promise<RunningProxy & { readonly stats: { requests: number; injected503: number } }> {
    const stats = { requests: 0, injected503: 0 };
    const p = await reverseProxy(upstream, (req, res, forward) => {
        stats.requests++;
        if (rng() < rate) {
            stats.injected503++;
            req.resume();
            res.writeHead(503, { "content-type": "application/json" }).end(
                '{"errors":[{"code":"UNAVAILABLE","message":"injected"}]}',
            );
            return;
        }
        forward((ur) => {
            res.writeHead(ur.statusCode ?? 502, ur.headers);
            ur.pipe(res);
        });
    });
    return { ...p, stats };
}

/** A repeatable pseudo-random sequence in [0, 1) (LCG), so a fault campaign can be re-run exactly. */
export function seeded(seed: number): () => number {
    let s = seed >>> 0;
    return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}
