/**
 * bench/faults — the fault campaign: image promotions through a faulty proxy
 * (seeded, repeatable), as the user runs them
 * (`npm run -s promote -- apply` of three images per command, evidence + layer scan on,
 * cold layer cache) against `skopeo copy --retry-times 5` of the same images through the same
 * proxy. Prints the share of promotions that completed with the tags right, for each tool.
 * The faults: 10% of requests answered 503, 5% 429 with Retry-After, 2% connections reset,
 * and 2% of PUT answers with a wrong Docker-Content-Digest. Outcomes per image: completed (exit
 * 0, tag at the new digest), failed unchanged (exit ≠ 0, tag absent), misreported (exit and tag
 * disagree) and violations (the tag at any other digest: must be 0).
 * KEYBUZZ_BENCH_PROMOTIONS (default 1002: 334 commands of three) and KEYBUZZ_BENCH_FAULT_RATE
 * (the 503 share, default 0.1) set the campaign.
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
import { CAMPAIGN_MIX, faultyRegistryProxy, seeded } from "../test/support/reverse-proxy";
import { ROOT } from "../test/support/stacks";

const run = promisify(execFile);
const PROMOTIONS = Number(process.env.KEYBUZZ_BENCH_PROMOTIONS ?? 1002);
const MIX = {
    ...CAMPAIGN_MIX,
    unavailable: Number(process.env.KEYBUZZ_BENCH_FAULT_RATE ?? CAMPAIGN_MIX.unavailable),
};

(async () => {
    const reg = await startRegistry();
    const proxy = await faultyRegistryProxy(reg.address, MIX, seeded(20261128));
    const project = await promotionProject(reg.address, proxy.address);
    const images = JSON.parse(fs.readFileSync(project.sourceFile, "utf8")) as Record<
        string,
        string
    >;
    const direct = testRegistryClient(reg.address);
    const commands = Math.ceil(PROMOTIONS / PROMOTED_SERVICES.length);
    const outcomes = () => ({
        completed: 0,
        failedUnchanged: 0,
        misreported: 0,
        violations: 0,
        firstError: "",
    });
    const ours = outcomes();
    const skopeo = outcomes();
    const record = async (
        o: ReturnType<typeof outcomes>,
        exitOk: boolean,
        repository: string,
        want: string,
    ) => {
        const digest = (await direct.headManifest(repository, "prod"))?.digest;
        if (digest && digest !== want) o.violations++;
        else if (exitOk && digest === want) o.completed++;
        else if (!exitOk && !digest) o.failedUnchanged++;
        else o.misreported++;
    };
    const started = performance.now();
    for (let i = 0; i < commands; i++) {
        const suffix = `-f${i}`;
        useTargetSuffix(project, suffix);
        const cache = fs.mkdtempSync(path.join(os.tmpdir(), "keybuzz-faults-cache-"));
        let exitOk = true;
        try {
            await run("npm", ["run", "-s", "promote", "--", ...promoteApplyArgs(project)], {
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
            await record(ours, exitOk, `keybuzzio/keybuzz-${s}${suffix}`, project.digests[s]);
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
            await record(skopeo, ok, target, project.digests[s]);
        }
        if (process.stderr.isTTY) process.stderr.write(`\rfaults: ${i + 1}/${commands} commands`);
    }
    if (process.stderr.isTTY) process.stderr.write("\n");
    await direct.close();
    await proxy.close();
    await reg.stop();
    fs.rmSync(project.dir, { recursive: true, force: true });
    const total = commands * PROMOTED_SERVICES.length;
    const pct = (n: number) => `${((100 * n) / total).toFixed(2)}%`;
    const line = (label: string, o: ReturnType<typeof outcomes>) =>
        `  ${label.padEnd(34)} ${o.completed}/${total} completed (${pct(o.completed)}), ${o.failedUnchanged} failed unchanged, ${o.misreported} misreported, ${o.violations} violations${o.firstError ? `   first error: ${o.firstError}` : ""}`;
    console.log(
        `bench/faults — ${total} image promotions per tool through injected faults (seeded): ${JSON.stringify(proxy.stats)}, ${Math.round((performance.now() - started) / 1000)} s`,
    );
    console.log(
        line("npm run promote -- apply:", ours) + "   goal ≥ 99.9% completed, 0 violations",
    );
    console.log(line("skopeo copy --retry-times 5:", skopeo));
})().catch((e) => {
    console.error(e);
    process.exit(1);
});
