/**
 * npm run bench -- <name>: runs bench/<name>.ts, which prints its figures.
 * npm run bench -- all: runs every benchmark, each as its own whole command through npm, and
 * writes bench/RESULTS.md anew: date, machine, each command and what it printed.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { projectRoot } from "../lib/project-root";

const name = process.argv[2];
// Run from source (tsx) or compiled (out/bench): the same names either way.
const available = fs
    .readdirSync(__dirname)
    .filter((f) => /\.(ts|js)$/.test(f) && !/^(run|stats)\./.test(f))
    .map((f) => f.replace(/\.(ts|js)$/, ""));
if (name === "all") runAll();
else if (!name || !available.includes(name)) {
    process.stderr.write(`bench: name one of ${available.join(", ")}, or all\n`);
    process.exit(2);
} else require(path.join(__dirname, name));

/** The KEYBUZZ_BENCH_* settings the run was given (sizes, counts), so a reader can repeat it. */
function settings(): string[] {
    const set = Object.entries(process.env).filter(([k]) => k.startsWith("KEYBUZZ_BENCH_"));
    return set.length
        ? [`Settings: ${set.map(([k, v]) => `\`${k}=${v}\``).join(", ")} (defaults otherwise).`]
        : [];
}

function runAll(): void {
    const root = projectRoot();
    const started = new Date();
    const sections: string[] = [];
    let failed = 0;
    for (const bench of available.sort()) {
        process.stderr.write(`bench all: ${bench}…\n`);
        const t = performance.now();
        const r = spawnSync("npm", ["run", "-s", "bench", "--", bench], {
            cwd: root,
            encoding: "utf8",
            maxBuffer: 64 << 20,
        });
        const seconds = ((performance.now() - t) / 1000).toFixed(0);
        if (r.status !== 0) failed++;
        const output = (r.stdout || "").trim() || "(no output)";
        const problem =
            r.status === 0
                ? ""
                : `\n\nexit ${r.status}:\n\n\`\`\`\n${(r.stderr || "").trim().split("\n").slice(-10).join("\n")}\n\`\`\``;
        sections.push(
            `## bench/${bench} — \`npm run bench -- ${bench}\` (${seconds} s)\n\n\`\`\`\n${output}\n\`\`\`${problem}`,
        );
    }
    const cpus = os.cpus();
    const header = [
        "# Benchmark results",
        "",
        `Written by \`npm run bench -- all\` on ${started.toISOString().slice(0, 10)} (started ${started.toISOString()}).`,
        `Machine: ${cpus.length} × ${cpus[0]?.model ?? "CPU"}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.type()} ${os.release()}; Node.js ${process.version}; every server on 127.0.0.1.`,
        "Each section is one benchmark: the command that produced it and what it printed (medians and ratios against the peer tool, measured in the same run).",
        ...settings(),
        "",
    ].join("\n");
    fs.writeFileSync(
        path.join(root, "bench", "RESULTS.md"),
        header + "\n" + sections.join("\n\n") + "\n",
    );
    process.stderr.write(
        `bench all: bench/RESULTS.md written${failed ? `; ${failed} benchmark(s) failed (see their sections)` : ""}\n`,
    );
    process.exit(failed ? 1 : 0);
}
