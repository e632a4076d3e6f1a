/**
 * bench/toolchain: warm `npm run setup` (everything already built; median of 5). A cold run
 * (empty toolchain cache and Go build cache) takes minutes: `KEYBUZZ_BENCH_COLD=1` measures one
 * into a temporary cache without touching the real one.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { pulumiIn } from "../test/support/run";
import { fmt, median } from "./stats";

const root = path.resolve(__dirname, "..");
function setup(env: NodeJS.ProcessEnv = {}): number {
    const t = performance.now();
    const r = spawnSync("bash", ["scripts/setup.sh"], { cwd: root, encoding: "utf8", env: { ...process.env, ...env } });
    if (r.status !== 0) throw new Error(r.stderr);
    return performance.now() - t;
}

const warm = Array.from({ length: 5 }, () => setup());
console.log(`bench/toolchain — warm npm run setup (median of 5): ${fmt(median(warm))}  runs: ${warm.map((x) => x.toFixed(0)).join(", ")}`);
// The real engine on the local stack (its own backend and render directory): preview and a
// no-change up, median of 5.
{
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "keybuzz-bench-engine-"));
    const configFile = path.join(tmp, "Pulumi.local.yaml");
    fs.writeFileSync(configFile, fs.readFileSync(path.join(root, "Pulumi.local.yaml"), "utf8").replace("renderToDirectory: rendered/local", `renderToDirectory: ${path.join(tmp, "rendered")}`));
    const pulumi = (args: string[]) => {
        const t = performance.now();
        const r = pulumiIn(root, tmp, [...args, "--stack", "local", "--config-file", configFile]);
        if (r.code !== 0) throw new Error(r.stdout + r.stderr);
        return performance.now() - t;
    };
    pulumiIn(root, tmp, ["stack", "init", "local", "--non-interactive"]);
    const first = pulumi(["up", "--yes", "--skip-preview"]);
    const previews = Array.from({ length: 5 }, () => pulumi(["preview"]));
    const noChangeUps = Array.from({ length: 5 }, () => pulumi(["up", "--yes"]));
    pulumi(["destroy", "--yes"]);
    fs.rmSync(tmp, { recursive: true, force: true });
    console.log(`bench/toolchain — local stack, real engine (38 resources): first up ${fmt(first)}; preview ${fmt(median(previews))}; no-change up ${fmt(median(noChangeUps))} (medians of 5)`);
}
if (process.env.KEYBUZZ_BENCH_COLD === "1") {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "keybuzz-cold-"));
    // Hide the already-built CLI from PATH, or setup would (rightly) reuse it.
    const PATH = (process.env.PATH ?? "").split(":").filter((p) => !p.includes("keybuzz-platform/toolchain")).join(":");
    const cold = setup({ PATH, KEYBUZZ_TOOLCHAIN_DIR: path.join(dir, "toolchain"), GOCACHE: path.join(dir, "gocache") });
    console.log(`bench/toolchain — cold setup (empty toolchain and Go build caches, module cache kept): ${(cold / 1000).toFixed(0)} s`);
} else {
    console.log("bench/toolchain — cold setup: set KEYBUZZ_BENCH_COLD=1 to measure (several minutes)");
}
