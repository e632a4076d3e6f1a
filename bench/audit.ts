/**
 * bench/audit: 60 endpoints each answering after 200 ms — the audit (concurrent, undici Agent)
 * vs a sequential loop of the same requests in this script; peak RSS; then 10,000 endpoints
 * at 0 ms for throughput. Servers are on 127.0.0.1 only.
 */
import * as http from "node:http";
import { AddressInfo } from "node:net";
import { request } from "undici";
import { Matrix } from "../audit/matrix";
import { DEFAULT_AUDIT_OPTIONS, runAudit } from "../audit/run";
import { fmt, median, timeRuns } from "./stats";

async function server(delayMs: number): Promise<{ url: string; close: () => void }> {
    const s = http.createServer((_req, res) => setTimeout(() => res.end("ok"), delayMs));
    s.keepAliveTimeout = 5000;
    await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
    return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`, close: () => s.close() };
}

function matrix(n: number): Matrix {
    return {
        version: 1,
        service: "api",
        endpoints: Array.from({ length: n }, (_, i) => ({
            path: `/e${i}`,
            method: "GET" as const,
            expect: [200],
        })),
        scanPages: [],
    };
}

(async () => {
    const slow = await server(200);
    const m60 = matrix(60);
    const target = { environment: "dev", services: { api: { baseUrl: slow.url } } };
    let peak = 0;
    const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
    const audit = await timeRuns(5, () =>
        runAudit(target, { api: m60 }, [], { ...DEFAULT_AUDIT_OPTIONS, concurrency: 64 }),
    );
    clearInterval(sample);
    const sequential = await timeRuns(5, async () => {
        for (const e of m60.endpoints) {
            const r = await request(slow.url + e.path);
            await r.body.text();
        }
    });
    slow.close();
    console.log(`bench/audit — 60 endpoints answering after 200 ms (median of 5)`);
    console.log(
        `  audit (concurrent):   ${fmt(median(audit))}   runs: ${audit.map((x) => x.toFixed(0)).join(", ")}`,
    );
    console.log(`  sequential loop:      ${fmt(median(sequential))}`);
    console.log(
        `  ratio sequential/audit: ${(median(sequential) / median(audit)).toFixed(1)}x   (slowest single check: 200 ms)`,
    );
    console.log(`  peak RSS during audit: ${(peak / 1048576).toFixed(0)} MiB`);

    const fast = await server(0);
    const m10k = matrix(10_000);
    const big = await timeRuns(3, () =>
        runAudit(
            { environment: "dev", services: { api: { baseUrl: fast.url } } },
            { api: m10k },
            [],
            { ...DEFAULT_AUDIT_OPTIONS, concurrency: 32 },
        ),
    );
    fast.close();
    console.log(
        `bench/audit — 10,000 endpoints at 0 ms (median of 3): ${fmt(median(big))} → ${(10_000 / (median(big) / 1000)).toFixed(0)} requests/s`,
    );
})();
