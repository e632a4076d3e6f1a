/** Runs a project command the way operators and CI do (npm run -s <script> -- …). */
import { spawnSync } from "node:child_process";
import { ROOT } from "./stacks";

export interface CommandResult {
    readonly code: number;
    readonly stdout: string;
    readonly stderr: string;
}

export function npmRun(script: string, args: string[], env: NodeJS.ProcessEnv = {}): CommandResult {
    const r = spawnSync("npm", ["run", "-s", script, "--", ...args], {
        cwd: ROOT,
        encoding: "utf8",
        env: { ...process.env, ...env },
        timeout: 180_000,
    });
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/**
 * The same, without blocking this process: needed when the command talks to servers that
 * the test itself runs (spawnSync would freeze their event loop).
 */
export function npmRunAsync(
    script: string,
    args: string[],
    env: NodeJS.ProcessEnv = {},
): Promise<CommandResult> {
    return collect("npm", ["run", "-s", script, "--", ...args], {
        cwd: ROOT,
        env: { ...process.env, ...env },
    });
}

/**
 * `npm run -s <script> -- …` started in a process group of its own and left running, so a
 * test can kill it (and every child) mid-way: process.kill(-child.pid, "SIGKILL").
 */
export function npmSpawnDetached(
    script: string,
    args: string[],
    env: NodeJS.ProcessEnv = {},
): import("node:child_process").ChildProcess {
    const { spawn } = require("node:child_process") as typeof import("node:child_process");
    return spawn("npm", ["run", "-s", script, "--", ...args], {
        cwd: ROOT,
        env: { ...process.env, ...env },
        detached: true,
    });
}

/** Runs a command without blocking this process and collects its output. */
function collect(
    command: string,
    args: string[],
    options: import("node:child_process").SpawnOptions,
): Promise<CommandResult> {
    const { spawn } = require("node:child_process") as typeof import("node:child_process");
    return new Promise((resolve) => {
        const child = spawn(command, args, options);
        let stdout = "";
        let stderr = "";
        child.stdout!.on("data", (d) => (stdout += d));
        child.stderr!.on("data", (d) => (stderr += d));
        child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
    });
}

/**
 * The pinned `pulumi` with the project's environment (toolchain, offline settings), run in
 * `dir` against the file backend `state`. Tests give every run its own backend.
 */
export function pulumiIn(
    dir: string,
    state: string,
    args: string[],
    env: NodeJS.ProcessEnv = {},
): CommandResult {
    const { spawnSync } = require("node:child_process") as typeof import("node:child_process");
    const r = spawnSync(
        "bash",
        ["-c", `. "${ROOT}/scripts/env.sh" && cd "${dir}" && exec pulumi "$@"`, "pulumi", ...args],
        {
            encoding: "utf8",
            env: { ...process.env, PULUMI_BACKEND_URL: `file://${state}`, ...env },
            timeout: 240_000,
        },
    );
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** The same without blocking this process (for tests whose servers run in it). */
export function pulumiInAsync(
    dir: string,
    state: string,
    args: string[],
    env: NodeJS.ProcessEnv = {},
): Promise<CommandResult> {
    return collect(
        "bash",
        ["-c", `. "${ROOT}/scripts/env.sh" && cd "${dir}" && exec pulumi "$@"`, "pulumi", ...args],
        { env: { ...process.env, PULUMI_BACKEND_URL: `file://${state}`, ...env } },
    );
}
