/**
 * bench/policy: `policy:check --stack prod` wall time (the command, end to end), and the
 * pack's evaluation time over synthetic environments of 100, 1,000 and 5,000 resources
 * (median of 5), to show it grows linearly.
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { projectRoot } from "../lib/project-root";
import { evaluate } from "../policies/evaluate";
import { ResourceView } from "../policies/model";
import { compliantProd, prodConfig } from "../test/support/policy-fixtures";
import { pulumiIn } from "../test/support/run";
import { fmt, median, timeRuns } from "./stats";

function synthetic(n: number): ResourceView[] {
    const base = compliantProd();
    return Array.from({ length: n }, (_, i) => {
        const r = base[i % base.length];
        const props = structuredClone(r.props);
        props.metadata.name = `${r.name}-${i}`;
        return { ...r, name: `${r.name}-${i}`, urn: `${r.urn}-${i}`, props };
    });
}

(async () => {
    const root = projectRoot();
    const cli = await timeRuns(5, async () => {
        const r = spawnSync("npm", ["run", "-s", "policy:check", "--", "--stack", "prod"], {
            cwd: root,
            encoding: "utf8",
        });
        if (r.status !== 0) throw new Error(r.stderr);
    });
    console.log(
        `bench/policy — npm run policy:check -- --stack prod (median of 5): ${fmt(median(cli))}`,
    );
    const config = prodConfig();
    let previous: { n: number; ms: number } | undefined;
    for (const n of [100, 1000, 5000]) {
        const rs = synthetic(n);
        const runs = await timeRuns(5, async () =>
            evaluate(rs, config, { kind: "stack", name: "synthetic", environment: "prod" }),
        );
        const ms = median(runs);
        const per = (ms / n) * 1000;
        console.log(
            `  evaluate ${String(n).padStart(5)} resources: ${fmt(ms)}  (${per.toFixed(1)} µs/resource${previous ? `, ×${(ms / previous.ms).toFixed(1)} for ×${n / previous.n} resources` : ""})`,
        );
        previous = { n, ms };
    }
    // The real engine: preview of test/fixtures/engine-policy with and without the pack.
    const os = await import("node:os");
    const fs = await import("node:fs");
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "keybuzz-bench-policy-"));
    const program = path.join(root, "test/fixtures/engine-policy");
    const pulumi = (args: string[]) =>
        pulumiIn(program, tmp, args, { PULUMI_CONFIG_PASSPHRASE: "bench" });
    pulumi(["stack", "init", "bench", "--non-interactive"]);
    pulumi([
        "config",
        "set",
        "--path",
        "env.NEXT_PUBLIC_BACKEND_URL",
        "https://backend.keybuzz.io",
    ]);
    const packConfig = path.join(tmp, "pack.json");
    spawnSync(
        "npm",
        ["run", "-s", "policy:check", "--", "--stack", "prod", "--emit-pack-config", packConfig],
        { cwd: root },
    );
    const without = await timeRuns(5, async () => pulumi(["preview"]));
    const withPack = await timeRuns(5, async () =>
        pulumi([
            "preview",
            "--policy-pack",
            path.join(root, "policies"),
            "--policy-pack-config",
            packConfig,
        ]),
    );
    pulumi(["stack", "rm", "--yes", "--force", "bench"]);
    fs.rmSync(tmp, { recursive: true, force: true });
    console.log(
        `  real pulumi preview (test/fixtures/engine-policy, median of 5): without the pack ${fmt(median(without))}, with it ${fmt(median(withPack))} (+${fmt(median(withPack) - median(without))})`,
    );
    // The fixture is one resource, the prod stack ~40: the ratio is a lower bound of the
    // ratio against a preview of the prod stack itself.
    console.log(
        `  pulumi preview --policy-pack (one resource) / npm run policy:check -- --stack prod (whole platform): ${(median(withPack) / median(cli)).toFixed(1)}× (goal ≥ 10×)`,
    );
})();
