import * as assert from "node:assert/strict";
import * as http from "node:http";
import { AddressInfo } from "node:net";
import { RegistryClient } from "../../registry/client";
import { RegistryError } from "../../registry/errors";
import { promoteTag } from "../../registry/promote";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { reverseProxy, seeded } from "../support/reverse-proxy";
import { scanImage, SCANNER_VERSION } from "../../promotion/layer-scan";
import { pushImage } from "../support/oci-images";
import { identityOfStack } from "../support/stacks";
import {
    REGISTRY_PASSWORD,
    REGISTRY_USER,
    startRegistry,
    TestRegistry,
    testRegistryClient,
} from "../support/registry";
import { startTokenServer, TokenServer } from "../support/token-server";

describe("registry token auth (real registry + a token server on 127.0.0.1)", () => {
    let tokens: TokenServer;
    let reg: TestRegistry;
    before(async () => {
        const seed = await startRegistry(); // only to push the image with Basic auth
        const digest = await pushImage(seed.address, "keybuzzio/keybuzz-api", "dev", {
            files: { "a.txt": "x" },
            flavour: "oci",
        });
        await seed.stop();
        const fs = await import("node:fs");
        tokens = await startTokenServer(seed.dir, REGISTRY_USER, REGISTRY_PASSWORD, 2);
        reg = await startRegistry({ token: tokens });
        // Same storage as the seed registry: move its data under the token-auth registry.
        fs.cpSync(`${seed.dir}/data`, `${reg.dir}/data`, { recursive: true });
        (globalThis as any).__digest = digest;
    });
    after(async () => {
        await reg.stop();
        await tokens.close();
    });

    it("answers 401 with a Bearer challenge, fetches a token with Basic credentials, and promotes", async () => {
        const client = testRegistryClient(reg.address);
        const digest = (globalThis as any).__digest as string;
        const r = await promoteTag(client, {
            sourceRepository: "keybuzzio/keybuzz-api",
            digest,
            targetRepository: "keybuzzio/keybuzz-api",
            targetTag: "prod",
        });
        assert.equal(r.changed, true);
        assert.ok(client.tokenRequests >= 1);
        assert.equal((await client.headManifest("keybuzzio/keybuzz-api", "prod"))?.digest, digest);
        await client.close();
    });

    it("refreshes an expired token instead of failing", async () => {
        const client = testRegistryClient(reg.address);
        await client.headManifest("keybuzzio/keybuzz-api", "prod");
        const issued = client.tokenRequests;
        await new Promise((r) => setTimeout(r, 2500)); // tokens live 2 s
        assert.ok(await client.headManifest("keybuzzio/keybuzz-api", "prod"));
        assert.ok(client.tokenRequests > issued, "no new token after expiry");
        await client.close();
    });

    it("turns refused credentials into a message naming the image and what to do", async () => {
        const client = new RegistryClient({
            registry: reg.address,
            scheme: "http",
            credentials: { username: REGISTRY_USER, password: "wrong" },
        });
        await assert.rejects(
            client.headManifest("keybuzzio/keybuzz-api", "prod"),
            (e: RegistryError) => {
                assert.match(
                    e.message,
                    new RegExp(
                        `^${reg.address.replace(/\./g, "\\.")}/keybuzzio/keybuzz-api:prod: UNAUTHORIZED .*check the registry username and password`,
                    ),
                );
                return true;
            },
        );
        await client.close();
    });
});

/**
 * A fault-injecting reverse proxy between the client and the registry: 503s, 429 with
 * Retry-After, connection resets before or after forwarding, and PUT answers carrying a
 * wrong Docker-Content-Digest.
 */
async function faultyProxy(
    upstream: string,
    rng: () => number,
): Promise<{ address: string; faults: Record<string, number>; close: () => Promise<void> }> {
    const faults: Record<string, number> = {
        "503": 0,
        "429": 0,
        "reset-before": 0,
        "reset-after": 0,
        "wrong-digest": 0,
        forwarded: 0,
    };
    const server = await reverseProxy(upstream, (req, res, forward) => {
        const roll = rng();
        if (roll < 0.1) {
            faults["503"]++;
            res.writeHead(503).end();
            return;
        }
        if (roll < 0.18) {
            faults["429"]++;
            res.writeHead(429, { "retry-after": "0" }).end();
            return;
        }
        if (roll < 0.25) {
            faults["reset-before"]++;
            req.socket.destroy();
            return;
        }
        forward((ur) => {
            faults.forwarded++;
            const headers = { ...ur.headers };
            if (req.method === "PUT" && roll > 0.9) {
                faults["wrong-digest"]++;
                headers["docker-content-digest"] = "sha256:" + "0".repeat(64);
            }
            if (roll > 0.25 && roll < 0.3) {
                faults["reset-after"]++;
                ur.resume();
                req.socket.destroy();
                return;
            }
            res.writeHead(ur.statusCode ?? 502, headers);
            ur.pipe(res);
        });
    });
    return { ...server, faults };
}

describe("promotion under injected faults (200 randomized runs)", () => {
    let reg: TestRegistry;
    before(async () => {
        reg = await startRegistry();
    });
    after(async () => reg.stop());

    it("leaves the PROD tag either unchanged or equal to the source digest, never anything else", async function () {
        this.timeout(240_000);
        const repo = "keybuzzio/keybuzz-api";
        const a = await pushImage(reg.address, repo, "a", {
            files: { "v.txt": "a" },
            flavour: "oci",
        });
        const b = await pushImage(reg.address, repo, "b", {
            files: { "v.txt": "b" },
            flavour: "index",
        });
        const direct = testRegistryClient(reg.address);
        const rng = seeded(20261124);
        const proxy = await faultyProxy(reg.address, rng);
        const outcomes = { promoted: 0, failedUnchanged: 0, failedButPromoted: 0, violations: 0 };
        for (let run = 0; run < 200; run++) {
            const tag = `prod-${run}`;
            const startsAt = rng() < 0.5 ? a : undefined;
            if (startsAt)
                await promoteTag(direct, {
                    sourceRepository: repo,
                    digest: startsAt,
                    targetRepository: repo,
                    targetTag: tag,
                });
            const viaProxy = new RegistryClient({
                registry: proxy.address,
                scheme: "http",
                credentials: { username: REGISTRY_USER, password: REGISTRY_PASSWORD },
                retry: { attempts: 4, baseDelayMs: 1, maxDelayMs: 5, totalMs: 5000 },
            });
            let ok = false;
            try {
                await promoteTag(viaProxy, {
                    sourceRepository: repo,
                    digest: b,
                    targetRepository: repo,
                    targetTag: tag,
                });
                ok = true;
            } catch (e) {
                assert.ok(e instanceof RegistryError, `run ${run}: unexpected ${e}`);
            } finally {
                await viaProxy.close();
            }
            const end = (await direct.headManifest(repo, tag))?.digest;
            if (end !== startsAt && end !== b) outcomes.violations++;
            else if (ok && end === b) outcomes.promoted++;
            else if (ok)
                outcomes.violations++; // reported success but the tag is not the source
            else if (end === b) outcomes.failedButPromoted++;
            else outcomes.failedUnchanged++;
        }
        await proxy.close();
        await direct.close();
        console.log(
            `      outcomes over 200 runs: ${JSON.stringify(outcomes)}; faults injected: ${JSON.stringify(proxy.faults)}`,
        );
        assert.equal(outcomes.violations, 0);
        assert.ok(
            outcomes.promoted > 100,
            "too few successful promotions: retries are not working",
        );
    });
});

/** 10% of answers 503, and 5% of layer bodies cut off half way, between the scan and the registry. */
async function flakyBlobProxy(
    upstream: string,
    rng: () => number,
): Promise<{ address: string; faults: Record<string, number>; close: () => Promise<void> }> {
    const faults = { "503": 0, "cut-body": 0, forwarded: 0, "blob-reads": 0 };
    const server = await reverseProxy(upstream, (req, res, forward) => {
        const roll = rng();
        if (roll < 0.1) {
            faults["503"]++;
            res.writeHead(503).end();
            return;
        }
        forward((ur) => {
            faults.forwarded++;
            const blob = /\/blobs\/sha256:/.test(req.url ?? "");
            if (blob && req.method === "GET") faults["blob-reads"]++;
            res.writeHead(ur.statusCode ?? 502, ur.headers);
            if (blob && roll > 0.95) {
                faults["cut-body"]++;
                ur.once("data", (chunk: Buffer) => {
                    res.write(chunk.subarray(0, Math.max(1, chunk.length >> 1)));
                    req.socket.destroy();
                    ur.destroy();
                });
                return;
            }
            ur.pipe(res);
        });
    });
    return { ...server, faults };
}

describe("the layer scan under injected faults (60 scans through 10% 503s and cut-off layers)", () => {
    let reg: TestRegistry;
    before(async () => {
        reg = await startRegistry();
    });
    after(async () => reg.stop());

    it("completes every scan and finds the other environment's host each time: layer reads are retried like every call", async function () {
        this.timeout(240_000);
        const repo = "keybuzzio/keybuzz-client";
        // Large enough that a layer body spans several chunks, so a cut lands inside it.
        const filler = Array.from(
            { length: 4000 },
            (_, i) => `const x${i} = "${i.toString(36).repeat(8)}";`,
        ).join("\n");
        const digest = await pushImage(reg.address, repo, "dev", {
            files: {
                "app/chunk.js": `${filler}\nfetch("https://backend-dev.keybuzz.io/api")\n${filler}`,
            },
            flavour: "index",
        });
        const rng = seeded(20261128);
        const proxy = await flakyBlobProxy(reg.address, rng);
        const others = [identityOfStack("dev")];
        let completed = 0;
        for (let run = 0; run < 60; run++) {
            // A fresh layer cache each time: every scan reads the layer through the faults.
            process.env.KEYBUZZ_CACHE_DIR = fs.mkdtempSync(
                path.join(os.tmpdir(), "keybuzz-scan-cache-"),
            );
            const client = new RegistryClient({
                registry: proxy.address,
                scheme: "http",
                credentials: { username: REGISTRY_USER, password: REGISTRY_PASSWORD },
                retry: { attempts: 6, baseDelayMs: 1, maxDelayMs: 5, totalMs: 10_000 },
            });
            try {
                const found = (await scanImage(client, repo, digest, "prod", others)).foreignHosts;
                assert.deepEqual(
                    [...new Set(found.map((f) => f.host))],
                    ["backend-dev.keybuzz.io"],
                    `run ${run}`,
                );
                completed++;
            } finally {
                await client.close();
            }
        }
        delete process.env.KEYBUZZ_CACHE_DIR;
        await proxy.close();
        console.log(
            `      completed ${completed}/60 scans; faults injected: ${JSON.stringify(proxy.faults)}`,
        );
        assert.equal(completed, 60);
        assert.ok(proxy.faults["503"] > 0 && proxy.faults["cut-body"] > 0, "no fault was injected");
    });
});

describe("layer-scan verdicts cached by layer digest", () => {
    let reg: TestRegistry;
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), "keybuzz-scan-cache-"));
    before(async () => {
        reg = await startRegistry();
        process.env.KEYBUZZ_CACHE_DIR = cache;
    });
    after(async () => {
        delete process.env.KEYBUZZ_CACHE_DIR;
        fs.rmSync(cache, { recursive: true, force: true });
        await reg.stop();
    });

    it("a second scan of known layers reads no blob, finds the same hosts, and the cache names its scanner version", async () => {
        const repo = "keybuzzio/keybuzz-client";
        const digest = await pushImage(reg.address, repo, "cached", {
            files: { "app/chunk.js": 'fetch("https://backend-dev.keybuzz.io/api")' },
            flavour: "index",
        });
        const proxy = await flakyBlobProxy(reg.address, () => 0.5);
        const scan = async () => {
            const client = testRegistryClient(proxy.address);
            try {
                return await scanImage(client, repo, digest, "prod", [identityOfStack("dev")]);
            } finally {
                await client.close();
            }
        };
        const first = await scan();
        const blobReadsFirst = proxy.faults["blob-reads"];
        const second = await scan();
        await proxy.close();
        assert.ok(blobReadsFirst > 0);
        assert.equal(proxy.faults["blob-reads"], blobReadsFirst, "the second scan read a blob");
        assert.deepEqual(second, first);
        assert.ok(second.layers > 0);
        assert.deepEqual(
            [...new Set(second.foreignHosts.map((f) => f.host))],
            ["backend-dev.keybuzz.io"],
        );
        const files = fs.readdirSync(path.join(cache, "layer-scan"));
        assert.ok(files.length > 0);
        for (const f of files)
            assert.equal(
                JSON.parse(fs.readFileSync(path.join(cache, "layer-scan", f), "utf8")).scanner,
                SCANNER_VERSION,
            );
    });
});
