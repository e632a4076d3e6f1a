/**
 * bench/toolchain: warm `npm run setup` (everything already built; median of 5). A cold run
 * (empty toolchain cache and Go build cache) takes minutes: `KEYBUZZ_BENCH_COLD=1` measures one
 * into a temporary cache without touching the real one.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { projectRoot } from "../lib/project-root";
import { fmt, median } from "./stats";

const root = projectRoot();
function setup(env: NodeJS.ProcessEnv = {}): number {
    const t = performance.now();
    const r = spawnSync("bash", ["scripts/setup.sh"], {
        cwd: root,
        encoding: "utf8",
        env: { ...process.env, ...env },
    });
    if (r.status !== 0) throw new Error(r.stderr);
    return performance.now() - t;
}

const warm = Array.from({ length: 5 }, () => setup());
console.log(
    `bench/toolchain — warm npm run setup (median of 5): ${fmt(median(warm))}  runs: ${warm.map((x) => x.toFixed(0)).join(", ")}`,
);
// The engine on the stacks: bench/cluster (the local cluster, cold up, update, destroy).
if (process.env.KEYBUZZ_BENCH_COLD === "1") {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "keybuzz-cold-"));
    // Hide the already-built CLI from PATH, or setup would (rightly) reuse it.
    const cold = setup({
        KEYBUZZ_CACHE_DIR: path.join(dir, "cache"),
        GOCACHE: path.join(dir, "gocache"),
    });
    console.log(
        `bench/toolchain — cold setup (empty toolchain and Go build caches, module cache kept): ${(cold / 1000).toFixed(0)} s`,
    );
} else {
    console.log(
        "bench/toolchain — cold setup: set KEYBUZZ_BENCH_COLD=1 to measure (several minutes)",
    );
}
