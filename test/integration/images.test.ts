import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { scanImage } from "../../promotion/layer-scan";
import { npmRun } from "../support/run";
import {
    REGISTRY_PASSWORD,
    REGISTRY_USER,
    startRegistry,
    TestRegistry,
    testRegistryClient,
} from "../support/registry";
import { identityOfStack } from "../support/stacks";

/**
 * `npm run images -- build`: the services' images built from images/src without Docker, the
 * same bytes from the same source (two builds in separate folders, no shared cache), and the
 * leaky-client variant refused by the promotion's layer scan, read from a real registry.
 */
describe("npm run images: the services' images from source, reproducibly", function () {
    this.timeout(600_000);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "keybuzz-images-"));
    let registry: TestRegistry;
    after(async () => {
        await registry?.stop();
        fs.rmSync(tmp, { recursive: true, force: true });
    });

    function build(dir: string): Record<string, Record<string, string>> {
        const r = npmRun("images", ["build", "--variant", "all", "--no-push", "--out-dir", dir]);
        assert.equal(r.code, 0, r.stderr);
        const out: Record<string, Record<string, string>> = {};
        for (const line of r.stdout
            .trim()
            .split("\n")
            .filter((l) => l.startsWith("{"))) {
            const { variant, images } = JSON.parse(line);
            out[variant] = images;
        }
        return out;
    }

    it("the same source gives the same digests, in two folders that share nothing", () => {
        const a = build(path.join(tmp, "a"));
        const b = build(path.join(tmp, "b"));
        assert.deepEqual(Object.keys(a).sort(), ["crash", "good", "leaky-client", "stale"]);
        assert.deepEqual(a, b);
        for (const images of Object.values(a))
            for (const ref of Object.values(images))
                assert.match(ref, /^keybuzz\/keybuzz-\w+@sha256:[0-9a-f]{64}$/);
        // A variant differs from good exactly in the service it replays.
        assert.notEqual(a.stale.api, a.good.api);
        assert.notEqual(a.crash.api, a.good.api);
        assert.notEqual(a["leaky-client"].client, a.good.client);
        assert.equal(a.stale.client, a.good.client);
        assert.equal(a["leaky-client"].api, a.good.api);
        assert.equal(a.crash.website, a.good.website);
    });

    it("the leaky-client image names DEV's backend in a file of its layer, and the promotion's layer scan refuses it; the good client is clean", async () => {
        registry = await startRegistry();
        const auth = path.join(tmp, "auth.json");
        fs.writeFileSync(
            auth,
            JSON.stringify({
                auths: {
                    [registry.address]: {
                        auth: Buffer.from(`${REGISTRY_USER}:${REGISTRY_PASSWORD}`).toString(
                            "base64",
                        ),
                    },
                },
            }),
            { mode: 0o600 },
        );
        const layouts = path.join(tmp, "a", "build", "layouts");
        const client = testRegistryClient(registry.address);
        try {
            const found: Record<string, string[]> = {};
            for (const build of ["good", "leaky-client"]) {
                const r = spawnSync(
                    "skopeo",
                    [
                        "copy",
                        "--quiet",
                        "--dest-tls-verify=false",
                        "--dest-authfile",
                        auth,
                        `oci:${path.join(layouts, `client-${build}`)}:${build}`,
                        `docker://${registry.address}/keybuzz/client:${build}`,
                    ],
                    { encoding: "utf8" },
                );
                assert.equal(r.status, 0, r.stderr);
                const digest = (await client.headManifest("keybuzz/client", build))!.digest;
                const scan = await scanImage(client, "keybuzz/client", digest, "prod", [
                    identityOfStack("dev"),
                ]);
                assert.equal(scan.layers, 1);
                found[build] = scan.foreignHosts.map((h) => `${h.file} ${h.host}`);
            }
            assert.deepEqual(found.good, []);
            assert.deepEqual(found["leaky-client"], ["static/app.js backend-dev.keybuzz.io"]);
        } finally {
            await client.close();
        }
    });
});
