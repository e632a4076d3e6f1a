/**
 * The local Kubernetes control plane for the integration tests: started (or found running)
 * through the same command operators use, and kubectl pointed at it.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { ROOT } from "./stacks";
import { npmRun } from "./run";

let kubeconfig: string | undefined;

function clusterUp(env: NodeJS.ProcessEnv = {}): string {
    const up = npmRun("cluster:up", [], env);
    if (up.code !== 0) throw new Error(`npm run cluster:up failed (${up.code}): ${up.stderr}`);
    const line = up.stdout.trim().split("\n").pop() ?? "";
    if (!line.startsWith("KUBECONFIG="))
        throw new Error(`cluster:up did not end with KUBECONFIG=…: ${up.stdout}`);
    return line.slice("KUBECONFIG=".length);
}

export function localCluster(): string {
    return (kubeconfig ??= clusterUp());
}

function kubectlWith(
    config: string,
    args: string[],
): { code: number; stdout: string; stderr: string } {
    const r = spawnSync("kubectl", ["--kubeconfig", config, ...args], {
        encoding: "utf8",
        timeout: 60_000,
    });
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function jsonOf(r: { code: number; stdout: string; stderr: string }, args: string[]): any {
    if (r.code !== 0) throw new Error(`kubectl ${args.join(" ")}: ${r.stderr}`);
    return JSON.parse(r.stdout);
}

export function kubectl(args: string[]): { code: number; stdout: string; stderr: string } {
    return kubectlWith(localCluster(), args);
}

export function kubectlJson(args: string[]): any {
    return jsonOf(kubectl([...args, "-o", "json"]), args);
}

/**
 * A control plane of the test's own (KEYBUZZ_CLUSTER_DIR=dir), for a test that deploys what a
 * user's `npm run up` also deploys: the user's running stack is left as it was.
 */
export function privateCluster(dir: string) {
    const env = { KEYBUZZ_CLUSTER_DIR: dir };
    const config = clusterUp(env);
    return {
        env,
        kubeconfig: config,
        kubectl: (args: string[]) => kubectlWith(config, args),
        kubectlJson: (args: string[]) => jsonOf(kubectlWith(config, [...args, "-o", "json"]), args),
        down: () => npmRun("cluster:down", [], env),
    };
}

function clusterState(): any {
    const config = localCluster();
    return JSON.parse(fs.readFileSync(path.join(path.dirname(config), "state.json"), "utf8"));
}

/** host:port of the local cluster's registry. */
export function localRegistry(): string {
    const r = clusterState().registry;
    if (!r) throw new Error("the local cluster has no registry (a kwok-only cluster?)");
    return r;
}

const built = new Map<string, Record<string, string>>();

/** The variant's images, built from images/src and pushed to the local registry (npm run images). */
export function localImages(
    variant: "good" | "stale" | "leaky-client" | "crash" = "good",
): Record<string, string> {
    // Per cluster start: a cluster started anew has an empty registry.
    const key = `${clusterState().startedAt} ${variant}`;
    const cached = built.get(key);
    if (cached) return cached;
    const r = npmRun("images", ["build", "--variant", variant]);
    if (r.code !== 0)
        throw new Error(
            `npm run images -- build --variant ${variant} failed (${r.code}): ${r.stderr}`,
        );
    const file = r.stdout.trim().split("\n").pop()!;
    const images = JSON.parse(fs.readFileSync(file, "utf8"));
    built.set(key, images);
    return images;
}

/** The local PostgreSQL image (built with the service images). */
export function localPostgresImage(): string {
    localImages("good");
    return JSON.parse(fs.readFileSync(path.join(ROOT, ".keybuzz", "images", "infra.json"), "utf8"))
        .postgres;
}

/** Lets a stack file's registry.username/registryPassword pull from the local registry. */
export function grantPulls(stackFile: string): void {
    const r = npmRun("cluster:grant", ["--stack-file", stackFile]);
    if (r.code !== 0) throw new Error(`npm run cluster:grant failed (${r.code}): ${r.stderr}`);
}
