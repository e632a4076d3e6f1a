/** Runs a project command the way operators and CI do (npm run -s <script> -- …). */
import { spawnSync } from "node:child_process";
import { ROOT } from "./stacks";

export interface CommandResult {
    readonly code: number;
    readonly stdout: string;
    readonly stderr: string;
}

export function npmRun(script: string, args: string[], env: NodeJS.ProcessEnv = {}): CommandResult {
    const r = spawnSync("npm", ["run", "-s", script, "--", ...args], { cwd: ROOT, encoding: "utf8", env: { ...process.env, ...env }, timeout: 180_000 });
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
