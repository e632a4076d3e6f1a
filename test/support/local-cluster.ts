/**
 * The local Kubernetes control plane for the integration tests: started (or found running)
 * through the same command operators use, and kubectl pointed at it.
 */
import { spawnSync } from "node:child_process";
import { npmRun } from "./run";

let kubeconfig: string | undefined;

export function localCluster(): string {
    if (kubeconfig) return kubeconfig;
    const up = npmRun("cluster:up", []);
    if (up.code !== 0) throw new Error(`npm run cluster:up failed (${up.code}): ${up.stderr}`);
    const line = up.stdout.trim().split("\n").pop() ?? "";
    if (!line.startsWith("KUBECONFIG="))
        throw new Error(`cluster:up did not end with KUBECONFIG=…: ${up.stdout}`);
    kubeconfig = line.slice("KUBECONFIG=".length);
    return kubeconfig;
}

export function kubectl(args: string[]): { code: number; stdout: string; stderr: string } {
    const r = spawnSync("kubectl", ["--kubeconfig", localCluster(), ...args], {
        encoding: "utf8",
        timeout: 60_000,
    });
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export function kubectlJson(args: string[]): any {
    const r = kubectl([...args, "-o", "json"]);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(" ")}: ${r.stderr}`);
    return JSON.parse(r.stdout);
}
