/**
 * bench/policy: `policy:check --stack prod` wall time (the command, end to end), and the
 * pack's evaluation time over synthetic environments of 100, 1,000 and 5,000 resources
 * (median of 5), to show it grows linearly; then the peer, the real engine's
 * `pulumi preview --policy-pack` of the same prod stack on the local cluster.
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { projectRoot } from "../lib/project-root";
import { evaluate } from "../policies/evaluate";
import { ResourceView } from "../policies/model";
import { compliantProd, prodConfig } from "../test/support/policy-fixtures";
import { parse, stringify } from "yaml";
import { localCluster } from "../test/support/local-cluster";
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
    console.log(
        `  real pulumi preview (test/fixtures/engine-policy, one resource, median of 5): without the pack ${fmt(median(without))}, with it ${fmt(median(withPack))} (+${fmt(median(withPack) - median(without))})`,
    );

    // The peer as the goal names it: the real engine's preview of the same prod stack with the
    // pack — the committed Pulumi.prod.yaml, pointed at the local cluster (the provider needs
    // an API server) and at a database on loopback that nothing answers (a preview connects to none).
    const wasUp = spawnSync("npm", ["run", "-s", "cluster:status"], { cwd: root }).status === 0;
    const kubeconfig = localCluster();
    const doc = parse(fs.readFileSync(path.join(root, "Pulumi.prod.yaml"), "utf8"));
    doc.config["keybuzz-platform:kubernetes"] = { context: "keybuzz-local", awaitIngress: false };
    Object.assign(doc.config["keybuzz-platform:database"], { host: "127.0.0.1", port: 1 });
    const stackFile = path.join(tmp, "Pulumi.prod.yaml");
    fs.writeFileSync(stackFile, stringify(doc));
    const state = path.join(tmp, "state");
    fs.mkdirSync(state);
    const engine = (args: string[]) => {
        const r = pulumiIn(root, state, args, { KUBECONFIG: kubeconfig });
        if (r.code !== 0) throw new Error(`pulumi ${args.join(" ")}: ${r.stdout}\n${r.stderr}`);
    };
    engine(["stack", "init", "prod", "--non-interactive"]);
    const sameStack = await timeRuns(3, async () =>
        engine([
            "preview",
            "--stack",
            "prod",
            "--config-file",
            stackFile,
            "--policy-pack",
            path.join(root, "policies"),
            "--policy-pack-config",
            packConfig,
        ]),
    );
    // --preserve-config: without it, stack rm deletes the project's own Pulumi.prod.yaml.
    engine(["stack", "rm", "--yes", "--force", "--preserve-config", "prod"]);
    if (!wasUp) spawnSync("npm", ["run", "-s", "cluster:down"], { cwd: root });
    fs.rmSync(tmp, { recursive: true, force: true });
    console.log(
        `  real pulumi preview --stack prod --policy-pack policies (the same stack, local cluster, median of 3): ${fmt(median(sameStack))}`,
    );
    console.log(
        `  pulumi preview --policy-pack of the same stack / npm run policy:check -- --stack prod: ${(median(sameStack) / median(cli)).toFixed(1)}× (goal ≥ 10×); against the one-resource preview: ${(median(withPack) / median(cli)).toFixed(1)}×`,
    );
})();
