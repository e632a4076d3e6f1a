import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { AuditResult, runAudit, DEFAULT_AUDIT_OPTIONS } from "../../audit/run";
import { readMatrices } from "../../audit/matrix";
import { AuditTarget } from "../../audit/target";
import {
    apiHandler,
    clientHandler,
    RunningServer,
    serve,
    websiteHandler,
} from "../support/http-servers";
import { verifiedIn } from "../../promotion/evidence";
import { RegistryClient } from "../../registry/client";
import { pushImage } from "../support/oci-images";
import { REGISTRY_PASSWORD, REGISTRY_USER, startRegistry } from "../support/registry";
import { npmRun, npmRunAsync, pulumiInAsync } from "../support/run";
import { identityOfStack, ROOT } from "../support/stacks";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "keybuzz-audit-"));
const IMAGE = "ghcr.io/keybuzzio/keybuzz-api@sha256:" + "c".repeat(64);
const matrices = readMatrices(path.join(ROOT, "audit/matrix"), ["api", "client", "website"]);

/** A PROD-like environment (or, with env "dev", a DEV one whose client calls backend-dev). */
async function environment(
    mode: "broken" | "healthy",
    env: "prod" | "dev" = "prod",
): Promise<{ servers: RunningServer[]; target: AuditTarget }> {
    const api = await serve(apiHandler(mode, IMAGE));
    const client = await serve(
        clientHandler(
            mode === "broken" || env === "dev"
                ? "https://backend-dev.keybuzz.io"
                : "https://backend.keybuzz.io",
        ),
    );
    const website = await serve(websiteHandler());
    return {
        servers: [api, client, website],
        target: {
            environment: env,
            services: {
                api: { baseUrl: api.url, expectedImage: IMAGE },
                client: { baseUrl: client.url },
                website: { baseUrl: website.url },
            },
        },
    };
}

const verdicts = (r: AuditResult, service: string) =>
    Object.fromEntries(
        r.checks
            .filter((c) => c.service === service)
            .map((c) => [c.path, c.verdict === "pass" ? "OK" : (c.reason ?? "fail")]),
    );

describe("audit against real HTTP servers on 127.0.0.1", () => {
    it("replays the PH28.1 PROD and reproduces the audit's §3 verdicts", async () => {
        const { servers, target } = await environment("broken");
        try {
            const r = await runAudit(target, matrices, [identityOfStack("dev")]);
            assert.deepEqual(verdicts(r, "api"), {
                "/health": "OK",
                "/tenants": "OK",
                "/conversations": "route missing (404)",
                "/messages": "route missing (404)",
                "/attachments": "route missing (404)",
                "/dashboard": "route missing (404)",
                "/stats": "route missing (404)",
                "/webhooks": "route missing (404)",
                "/auth/login": "route missing (404)",
                "/auth/signup": "route missing (404)",
                "/auth/me": "OK",
                "/debug/version": "route missing (404)",
            });
            assert.deepEqual(verdicts(r, "client"), {
                "/": "OK",
                "/login": "OK",
                "/signup": "OK",
                "/dashboard": "OK",
                "/inbox": "OK",
            });
            assert.deepEqual(verdicts(r, "website"), {
                "/": "OK",
                "/pricing": "OK",
                "/contact": "OK",
                "/features": "OK",
            });
            const bad = r.separation.filter((s) => s.verdict === "fail");
            assert.deepEqual(
                bad.map((s) => `${s.service} ${s.where}: ${s.detail}`),
                [
                    "client script /_next/static/chunks/main-abc123.js: names backend-dev.keybuzz.io, a dev host: the client calls another environment's backend",
                ],
            );
            assert.equal(r.verdict, "fail");
        } finally {
            await Promise.all(servers.map((s) => s.close()));
        }
    });

    it("passes a healthy environment, including the deployed image at /debug/version", async () => {
        const { servers, target } = await environment("healthy");
        try {
            const r = await runAudit(target, matrices, [identityOfStack("dev")]);
            assert.deepEqual(
                r.checks.filter((c) => c.verdict === "fail"),
                [],
            );
            assert.deepEqual(
                r.separation.map((s) => s.verdict),
                ["pass"],
            );
            assert.equal(r.verdict, "pass");
        } finally {
            await Promise.all(servers.map((s) => s.close()));
        }
    });

    it("fails /debug/version when it reports another image than the one deployed", async () => {
        const api = await serve(
            apiHandler("healthy", "ghcr.io/keybuzzio/keybuzz-api:v0.9.29-contact-fix"),
        );
        try {
            const r = await runAudit(
                {
                    environment: "prod",
                    services: { api: { baseUrl: api.url, expectedImage: IMAGE } },
                },
                matrices,
                [],
            );
            assert.match(
                verdicts(r, "api")["/debug/version"],
                /image is "ghcr\.io\/keybuzzio\/keybuzz-api:v0\.9\.29-contact-fix", expected/,
            );
        } finally {
            await api.close();
        }
    });

    it("gives slow, hanging, resetting and oversized endpoints the right verdict within their timeouts", async () => {
        let resets = 0;
        const server = await serve((req, res) => {
            if (req.url === "/health") return setTimeout(() => res.end("late"), 1500);
            if (req.url === "/tenants") return; // hangs: never answers
            if (req.url === "/auth/me") {
                resets++;
                return req.socket.destroy();
            }
            if (req.url === "/conversations") {
                res.writeHead(401, { "content-type": "text/html" });
                const chunk = Buffer.alloc(64 * 1024, "a");
                let sent = 0;
                const pump = () => {
                    while (sent < 200 * 1024 * 1024 && res.write(chunk)) sent += chunk.length;
                    if (sent < 200 * 1024 * 1024) res.once("drain", pump);
                    else res.end();
                };
                res.on("close", () => (sent = Infinity));
                return pump();
            }
            res.writeHead(401);
            res.end();
        });
        try {
            const started = Date.now();
            const heapBefore = process.memoryUsage().rss;
            const r = await runAudit(
                {
                    environment: "prod",
                    services: { api: { baseUrl: server.url, expectedImage: IMAGE } },
                },
                matrices,
                [],
                { ...DEFAULT_AUDIT_OPTIONS, timeoutMs: 500, maxBodyBytes: 256 * 1024 },
            );
            const wall = Date.now() - started;
            const v = verdicts(r, "api");
            assert.match(v["/health"], /^no answer within \d+ ms$/);
            assert.match(v["/tenants"], /^no answer within \d+ ms$/);
            assert.match(
                v["/auth/me"],
                /^connection failed \((ECONNRESET|UND_ERR_SOCKET)\) after 3 attempts$/,
            );
            assert.equal(resets, 3);
            assert.equal(v["/conversations"], "OK");
            assert.ok(wall < 2500, `audit took ${wall} ms with 500 ms timeouts`);
            assert.ok(
                process.memoryUsage().rss - heapBefore < 100 * 1024 * 1024,
                "reading a 200 MiB body grew memory by 100 MiB or more",
            );
        } finally {
            await server.close();
        }
    });

    it("npm run audit exits 2 naming the key of an invalid target file, and 1 with a Markdown table on the broken PROD", async () => {
        const bad = path.join(tmp, "bad-target.json");
        fs.writeFileSync(
            bad,
            JSON.stringify({ environment: "prod", services: { api: { baseUrl: "ftp://x" } } }),
        );
        const r = npmRun("audit", ["--target", bad]);
        assert.equal(r.code, 2);
        assert.match(
            r.stderr,
            /invalid target file .*bad-target\.json: services\.api\.baseUrl: must be an http\(s\) URL/,
        );

        const { servers, target } = await environment("broken");
        try {
            const file = path.join(tmp, "target.json");
            fs.writeFileSync(file, JSON.stringify(target));
            const md = await npmRunAsync("audit", ["--target", file]);
            assert.equal(md.code, 1, md.stderr);
            assert.match(
                md.stdout,
                /\| `GET \/conversations` \| 200\/401\/403\/405 \| 404 \| \d+ \| ❌ route missing \(404\) \|/,
            );
            assert.match(md.stdout, /Verdict: \*\*FAIL\*\*/);
        } finally {
            await Promise.all(servers.map((s) => s.close()));
        }
    });

    it("records the verified-in-dev evidence for the audited digest only when the audit passes", async function () {
        this.timeout(60_000);
        const reg = await startRegistry();
        const access = { username: REGISTRY_USER, password: REGISTRY_PASSWORD };
        const env = {
            KEYBUZZ_REGISTRY_USERNAME: REGISTRY_USER,
            KEYBUZZ_REGISTRY_PASSWORD: REGISTRY_PASSWORD,
            KEYBUZZ_REGISTRY_SCHEME: "http",
        };
        const client = new RegistryClient({
            registry: reg.address,
            scheme: "http",
            credentials: access,
        });
        try {
            const good = await pushImage(reg.address, "keybuzzio/keybuzz-api", "dev-good", {
                files: { "a.txt": "good" },
                flavour: "oci",
            });
            const bad = await pushImage(reg.address, "keybuzzio/keybuzz-api", "dev-bad", {
                files: { "a.txt": "bad" },
                flavour: "oci",
            });
            for (const [mode, digest, code] of [
                ["healthy", good, 0],
                ["broken", bad, 1],
            ] as const) {
                const image = `${reg.address}/keybuzzio/keybuzz-api@${digest}`;
                const api = await serve(apiHandler(mode, image));
                const client2 = await serve(clientHandler("https://backend-dev.keybuzz.io"));
                try {
                    const file = path.join(tmp, `${mode}-dev-target.json`);
                    fs.writeFileSync(
                        file,
                        JSON.stringify({
                            environment: "dev",
                            services: {
                                api: { baseUrl: api.url, expectedImage: image },
                                client: { baseUrl: client2.url },
                            },
                        }),
                    );
                    const r = await npmRunAsync(
                        "audit",
                        ["--target", file, "--record-gate", "--format", "json"],
                        env,
                    );
                    assert.equal(r.code, code, r.stdout + r.stderr);
                    assert.equal(
                        (await verifiedIn(client, "keybuzzio/keybuzz-api", digest, "dev")).verified,
                        code === 0,
                        `${mode}: evidence ${code === 0 ? "missing" : "written"}`,
                    );
                } finally {
                    await api.close();
                    await client2.close();
                }
            }
        } finally {
            await client.close();
            await reg.stop();
        }
    });
    it("reads its targets from a deployed stack's outputs (--stack) under the real engine", async function () {
        this.timeout(120_000);
        const { servers, target } = await environment("healthy");
        const state = fs.mkdtempSync(path.join(os.tmpdir(), "keybuzz-audit-state-"));
        const program = path.join(ROOT, "test/fixtures/engine-audit-target");
        const run = (args: string[]) =>
            pulumiInAsync(program, state, args, { PULUMI_CONFIG_PASSPHRASE: "audit-test" });
        try {
            assert.equal((await run(["stack", "init", "prod", "--non-interactive"])).code, 0);
            const urls = Object.fromEntries(
                Object.entries(target.services).map(([k, v]) => [k, v!.baseUrl]),
            );
            // The outputs the platform program exports: environment, urls, images (as JSON config here).
            for (const [k, v] of [
                ["environment", "prod"],
                ["urls", JSON.stringify(urls)],
                ["images", JSON.stringify({ api: IMAGE })],
            ]) {
                assert.equal((await run(["config", "set", "--stack", "prod", k, v])).code, 0);
            }
            const up = await run(["up", "--yes", "--skip-preview", "--stack", "prod"]);
            assert.equal(up.code, 0, up.stdout + up.stderr);
            const r = await npmRunAsync(
                "audit",
                ["--stack", "prod", "--project", program, "--format", "json"],
                { PULUMI_BACKEND_URL: `file://${state}`, PULUMI_CONFIG_PASSPHRASE: "audit-test" },
            );
            assert.equal(r.code, 0, r.stdout + r.stderr);
            const result = JSON.parse(r.stdout);
            assert.equal(result.environment, "prod");
            assert.equal(result.checks.length, 21);
        } finally {
            await run(["stack", "rm", "--yes", "--force", "--stack", "prod"]);
            await Promise.all(servers.map((s) => s.close()));
            fs.rmSync(state, { recursive: true, force: true });
        }
    });
});
