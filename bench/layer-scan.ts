/**
 * bench/layer-scan — the layer scan on large images, as the user runs it: `npm run promote --
 * plan` of three images with one 200 MB layer each (JavaScript-like text, as a Next.js client
 * carries; cold layer cache), its scan throughput beside the raw throughput of reading and
 * decompressing the same layers (`curl … | gzip -dc`, the limit), and the command's peak RSS
 * (flat: layers are streamed, never held). KEYBUZZ_BENCH_LAYER_MB sets the layer size.
 */
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
    promotionProject,
    PROMOTE_ENV,
    PROMOTED_SERVICES,
} from "../test/support/promotion-project";
import {
    REGISTRY_PASSWORD,
    REGISTRY_USER,
    startRegistry,
    testRegistryClient,
} from "../test/support/registry";
import { ROOT } from "../test/support/stacks";
import { fmt } from "./stats";

const MB = Number(process.env.KEYBUZZ_BENCH_LAYER_MB ?? 200);

(async () => {
    const reg = await startRegistry();
    const project = await promotionProject(reg.address, reg.address, {
        fileBytes: MB * 1024 * 1024,
    });
    const client = testRegistryClient(reg.address);
    const layers: Array<{ repository: string; digest: string }> = [];
    for (const s of PROMOTED_SERVICES) {
        const repository = `keybuzzio/keybuzz-${s}`;
        const top = JSON.parse(
            (await client.getManifest(repository, project.digests[s])).bytes.toString("utf8"),
        );
        const manifests = top.manifests
            ? [
                  JSON.parse(
                      (
                          await client.getManifest(repository, top.manifests[0].digest)
                      ).bytes.toString("utf8"),
                  ),
              ]
            : [top];
        for (const m of manifests)
            for (const l of m.layers) layers.push({ repository, digest: l.digest });
    }
    await client.close();
    // The limit: read each layer from the registry and decompress it, nothing else.
    let rawBytes = 0;
    const rawStart = performance.now();
    for (const l of layers) {
        const out = execFileSync(
            "bash",
            [
                "-c",
                `curl -sf -u '${REGISTRY_USER}:${REGISTRY_PASSWORD}' http://${reg.address}/v2/${l.repository}/blobs/${l.digest} | gzip -dc | wc -c`,
            ],
            { encoding: "utf8" },
        );
        rawBytes += Number(out.trim());
    }
    const rawMs = performance.now() - rawStart;
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), "keybuzz-bench-layer-cache-"));
    const started = performance.now();
    const r = spawnSync(
        "/usr/bin/time",
        [
            "-f",
            "%M",
            "npm",
            "run",
            "-s",
            "promote",
            "--",
            "plan",
            "--stack",
            "prod",
            "--project",
            project.dir,
            "--source",
            project.sourceFile,
        ],
        {
            cwd: ROOT,
            encoding: "utf8",
            env: { ...process.env, ...PROMOTE_ENV, KEYBUZZ_CACHE_DIR: cache },
        },
    );
    const scanMs = performance.now() - started;
    const peakKb = Number(r.stderr.trim().split("\n").pop());
    fs.rmSync(cache, { recursive: true, force: true });
    fs.rmSync(project.dir, { recursive: true, force: true });
    await reg.stop();
    if (r.status !== 0)
        throw new Error(`promote plan exited ${r.status}: ${r.stderr.slice(0, 400)}`);
    const mb = rawBytes / 1024 / 1024;
    console.log(
        `bench/layer-scan — ${layers.length} layers, ${mb.toFixed(0)} MB uncompressed in all (one run each, cold cache)`,
    );
    console.log(
        `  curl | gzip -dc (read + decompress, the limit): ${fmt(rawMs)} = ${(mb / (rawMs / 1000)).toFixed(0)} MB/s`,
    );
    console.log(
        `  npm run promote -- plan (evidence + layer scan, whole command): ${fmt(scanMs)} = ${(mb / (scanMs / 1000)).toFixed(0)} MB/s   ${(rawMs / scanMs).toFixed(2)}× the limit's throughput (goal ≥ 0.7×)   peak RSS ${(peakKb / 1024).toFixed(0)} MB`,
    );
})().catch((e) => {
    console.error(e);
    process.exit(1);
});
