/**
 * bench/promotion-faults — the fault campaign: image promotions through a proxy that answers
 * 10% of registry requests with 503 (seeded, repeatable), as the user runs them
 * (`npm run -s promote -- apply` of three images per command, evidence + layer scan on,
 * cold layer cache) against `skopeo copy --retry-times 5` of the same images through the same
 * proxy. Prints the share of promotions that completed with the tags right, for each tool.
 * KEYBUZZ_BENCH_PROMOTIONS (default 1002: 334 commands of three) and KEYBUZZ_BENCH_FAULT_RATE
 * (default 0.1) set the campaign.
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
import { startRegistry, testRegistryClient } from "../test/support/registry";
import { seeded, unavailableProxy } from "../test/support/reverse-proxy";
import { ROOT } from "../test/support/stacks";

const run = promisify(execFile);
const PROMOTIONS = Number(process.env.KEYBUZZ_BENCH_PROMOTIONS ?? 1002);
const RATE = Number(process.env.KEYBUZZ_BENCH_FAULT_RATE ?? 0.1);

(async () => {
    const reg = await startRegistry();
    const proxy = await unavailableProxy(reg.address, RATE, seeded(20261128));
    const project = await promotionProject(reg.address, proxy.address);
    const images = JSON.parse(fs.readFileSync(project.sourceFile, "utf8")) as Record<
        string,
        string
    >;
    const direct = testRegistryClient(reg.address);
    const commands = Math.ceil(PROMOTIONS / PROMOTED_SERVICES.length);
    const ours = { ok: 0, failed: 0, wrongTag: 0, firstError: "" };
    const skopeo = { ok: 0, failed: 0, wrongTag: 0, firstError: "" };
    const tagIs = async (repository: string, tag: string, digest: string) =>
        (await direct.headManifest(repository, tag))?.digest === digest;
    const started = performance.now();
    for (let i = 0; i < commands; i++) {
        const suffix = `-f${i}`;
        useTargetSuffix(project, suffix);
        const cache = fs.mkdtempSync(path.join(os.tmpdir(), "keybuzz-faults-cache-"));
        let exitOk = true;
        try {
            await run("npm", promoteApplyArgs(project), {
                cwd: ROOT,
                env: { ...process.env, ...PROMOTE_ENV, KEYBUZZ_CACHE_DIR: cache },
            });
        } catch (e) {
            exitOk = false;
            ours.firstError ||= String((e as { stderr?: string }).stderr ?? e)
                .trim()
                .split("\n")[0]
                .slice(0, 200);
        }
        fs.rmSync(cache, { recursive: true, force: true });
        for (const s of PROMOTED_SERVICES) {
            const right = await tagIs(
                `keybuzzio/keybuzz-${s}${suffix}`,
                "prod",
                project.digests[s],
            );
            if (exitOk && right) ours.ok++;
            else if (!exitOk && !right) ours.failed++;
            else ours.wrongTag++;
        }
        for (const s of PROMOTED_SERVICES) {
            const target = `keybuzzio/keybuzz-${s}-skopeo${suffix}`;
            let ok = true;
            try {
                await run(
                    "skopeo",
                    skopeoCopyArgs(images[s], `${proxy.address}/${target}`, ["--retry-times", "5"]),
                );
            } catch (e) {
                ok = false;
                skopeo.firstError ||= (
                    String((e as { stderr?: string }).stderr ?? e)
                        .trim()
                        .split("\n")
                        .pop() ?? ""
                ).slice(0, 200);
            }
            const right = await tagIs(target, "prod", project.digests[s]);
            if (ok && right) skopeo.ok++;
            else if (!ok && !right) skopeo.failed++;
            else skopeo.wrongTag++;
        }
        if (process.stderr.isTTY)
            process.stderr.write(`\rpromotion-faults: ${i + 1}/${commands} commands`);
    }
    if (process.stderr.isTTY) process.stderr.write("\n");
    await direct.close();
    await proxy.close();
    await reg.stop();
    fs.rmSync(project.dir, { recursive: true, force: true });
    const total = commands * PROMOTED_SERVICES.length;
    const pct = (n: number) => `${((100 * n) / total).toFixed(2)}%`;
    console.log(
        `bench/promotion-faults — ${total} image promotions per tool, ${(RATE * 100).toFixed(0)}% of registry requests answered 503 (seeded), ${Math.round((performance.now() - started) / 1000)} s`,
    );
    console.log(
        `  npm run promote -- apply:          ${ours.ok}/${total} completed (${pct(ours.ok)}), ${ours.failed} failed cleanly, ${ours.wrongTag} ended with a tag not matching the exit code   goal ≥ 99.9%${ours.firstError ? `   first error: ${ours.firstError}` : ""}`,
    );
    console.log(
        `  skopeo copy --retry-times 5:       ${skopeo.ok}/${total} completed (${pct(skopeo.ok)}), ${skopeo.failed} failed cleanly, ${skopeo.wrongTag} ended with a tag not matching the exit code${skopeo.firstError ? `   first error: ${skopeo.firstError}` : ""}`,
    );
    console.log(
        `  requests through the proxy: ${proxy.stats.requests}, 503 injected: ${proxy.stats.injected503}`,
    );
})().catch((e) => {
    console.error(e);
    process.exit(1);
});
