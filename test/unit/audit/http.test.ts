import * as assert from "node:assert/strict";
import * as http from "node:http";
import { AddressInfo } from "node:net";
import { Agent } from "undici";
import { probe } from "../../../audit/http";

describe("the audit's HTTP prober (audit/http.ts), against servers on 127.0.0.1", () => {
    const dispatcher = new Agent();
    let server: http.Server;
    let base: string;
    before(async () => {
        server = http.createServer((req, res) => {
            if (req.url === "/big") return void res.end("x".repeat(100_000));
            if (req.url === "/slow") return void setTimeout(() => res.end("late"), 2000);
            if (req.url === "/redirect")
                return void res.writeHead(302, { location: "/elsewhere" }).end();
            res.writeHead(404).end("no");
        });
        await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
        base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(async () => {
        server.closeAllConnections();
        server.close();
        await dispatcher.close();
    });
    const opts = { method: "GET", timeoutMs: 500, maxBodyBytes: 1024, retries: 2, dispatcher };

    it("reads at most maxBodyBytes of an answer and says it truncated", async () => {
        const r = await probe(`${base}/big`, opts);
        assert.equal(r.kind, "answer");
        if (r.kind === "answer")
            assert.deepEqual([r.status, r.body.length, r.truncated], [200, 1024, true]);
    });

    it("records a redirect instead of following it", async () => {
        const r = await probe(`${base}/redirect`, opts);
        assert.ok(r.kind === "answer" && r.status === 302 && r.headers.location === "/elsewhere");
    });

    it("gives up on a slow server at the timeout, without retrying an answer that never came", async () => {
        const r = await probe(`${base}/slow`, opts);
        assert.equal(r.kind, "timeout");
        assert.equal(r.attempts, 1);
    });

    it("retries a refused connection, then reports it by code", async () => {
        const closed = http.createServer();
        await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
        const port = (closed.address() as AddressInfo).port;
        await new Promise<void>((r) => closed.close(() => r()));
        const r = await probe(`http://127.0.0.1:${port}/`, opts);
        assert.ok(
            r.kind === "connection-error" && r.code === "ECONNREFUSED" && r.attempts === 3,
            JSON.stringify(r),
        );
    });
});
