/**
 * bench/promotion — promotion as the user runs it: the whole command
 * `npm run -s promote -- apply --stack prod` of three images (OCI, index, Docker; evidence
 * check and layer scan on, a cold layer-scan cache on first runs) against three
 * `skopeo copy --preserve-digests --all` processes of the same images, in the same run,
 * through the same counting proxy in front of Debian's docker-registry on 127.0.0.1.
 * First promotion and no-op re-run, median of RUNS (default 5), requests per image.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import {
    promoteApplyArgs,
    promotionProject,
    PROMOTE_ENV,
    PROMOTED_SERVICES,
    skopeoCopyArgs,
    useTargetSuffix,
} from "../test/support/promotion-project";
import { startRegistry } from "../test/support/registry";
import { countingProxy } from "../test/support/reverse-proxy";
import { ROOT } from "../test/support/stacks";
import { fmt, median } from "./stats";

const run = promisify(execFile);
const RUNS = Number(process.env.KEYBUZZ_BENCH_RUNS ?? 5);

(async () => {
    const reg = await startRegistry();
    const proxy = await countingProxy(reg.address);
    const project = await promotionProject(reg.address, proxy.address, { fileBytes: 200_000 });
    const images = JSON.parse(fs.readFileSync(project.sourceFile, "utf8")) as Record<
        string,
        string
    >;
    const cacheRoot = fs.mkdtempSync(path.join(os.tmpdir(), "keybuzz-bench-cache-"));

    const ours = async (suffix: string, cache: string) => {
        useTargetSuffix(project, suffix);
        await run("npm", ["run", "-s", "promote", "--", ...promoteApplyArgs(project)], {
            cwd: ROOT,
            env: { ...process.env, ...PROMOTE_ENV, KEYBUZZ_CACHE_DIR: cache },
        });
    };
    const skopeo = async (suffix: string) => {
        for (const s of PROMOTED_SERVICES) {
            await run(
                "skopeo",
                skopeoCopyArgs(
                    images[s],
                    `${proxy.address}/keybuzzio/keybuzz-${s}-skopeo${suffix}`,
                ),
            );
        }
    };
    const measure = async (fn: (i: number) => Promise<unknown>) => {
        const times: number[] = [];
        const requests: number[] = [];
        for (let i = 0; i < RUNS; i++) {
            const before = proxy.count();
            const t = performance.now();
            await fn(i);
            times.push(performance.now() - t);
            requests.push((proxy.count() - before) / PROMOTED_SERVICES.length);
        }
        return { ms: median(times), requestsPerImage: median(requests) };
    };
    // npm's own start, for context: what any npm command costs before it does anything.
    const npmNoop = await measure(() =>
        run("npm", ["run", "-s", "env", "--", "true"], { cwd: ROOT }),
    );
    // Interleaved per run would mix caches; each side runs its own series against fresh targets.
    const firstOurs = await measure((i) => ours(`-b${i}`, path.join(cacheRoot, `first-${i}`)));
    const firstSkopeo = await measure((i) => skopeo(`-b${i}`));
    const noopOurs = await measure(() => ours("-b0", path.join(cacheRoot, "first-0")));
    const noopSkopeo = await measure(() => skopeo("-b0"));
    await proxy.close();
    await reg.stop();
    fs.rmSync(cacheRoot, { recursive: true, force: true });
    fs.rmSync(project.dir, { recursive: true, force: true });

    const line = (
        label: string,
        o: { ms: number; requestsPerImage: number },
        s: { ms: number; requestsPerImage: number },
    ) =>
        `  ${label.padEnd(16)} npm run promote -- apply ${fmt(o.ms)} (${o.requestsPerImage.toFixed(1)} req/image)   3× skopeo copy ${fmt(s.ms)} (${s.requestsPerImage.toFixed(1)} req/image)   ours/skopeo ${(o.ms / s.ms).toFixed(2)}× (goal ≤ 2×)`;
    console.log(
        `bench/promotion — 3 images (OCI, index, Docker), evidence + layer scan on, whole commands through one counting proxy, median of ${RUNS}`,
    );
    console.log(line("first promotion:", firstOurs, firstSkopeo));
    console.log(line("no-op re-run:", noopOurs, noopSkopeo));
    console.log(
        `  context: npm run -s env -- true ${fmt(npmNoop.ms)}; no-op requests per image ${noopOurs.requestsPerImage.toFixed(1)} (goal ≤ 2)`,
    );
})().catch((e) => {
    console.error(e);
    process.exit(1);
});
