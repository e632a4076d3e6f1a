/**
 * bench/startup — what any command costs on a trivial input, as the user runs it:
 * `npm run -s check:config -- --stack prod` (compiled, bundled, decrypting the stack's secrets)
 * and its `--no-decrypt` fast path, against npm running a no-op script (`npm run -s env -- true`)
 * in the same run; median of 7. Goal: ≤ 1.7× npm's no-op.
 */
import { spawnSync } from "node:child_process";
import { projectRoot } from "../lib/project-root";
import { fmt, median, timeRuns } from "./stats";

(async () => {
    const root = projectRoot();
    const npm = (args: string[]) => async () => {
        const r = spawnSync("npm", ["run", "-s", ...args], { cwd: root, encoding: "utf8" });
        if (r.status !== 0)
            throw new Error(`npm run ${args.join(" ")}: exit ${r.status} ${r.stderr}`);
    };
    // One warm-up each: the first start compiles when a source changed and fills V8's code cache.
    for (const a of [
        ["env", "--", "true"],
        ["check:config", "--", "--stack", "prod"],
    ])
        await npm(a)();
    const noop = median(await timeRuns(7, npm(["env", "--", "true"])));
    const decrypt = median(await timeRuns(7, npm(["check:config", "--", "--stack", "prod"])));
    const fast = median(
        await timeRuns(7, npm(["check:config", "--", "--stack", "prod", "--no-decrypt"])),
    );
    console.log("bench/startup — whole commands through npm, median of 7");
    console.log(`  npm run -s env -- true (npm's own start)            ${fmt(noop)}`);
    console.log(
        `  check:config --stack prod (decrypts, PBKDF2)        ${fmt(decrypt)}   ${(decrypt / noop).toFixed(2)}× npm (goal ≤ 1.7×)`,
    );
    console.log(
        `  check:config --stack prod --no-decrypt              ${fmt(fast)}   ${(fast / noop).toFixed(2)}× npm (goal ≤ 1.7×)`,
    );
})().catch((e) => {
    console.error(e);
    process.exit(1);
});
