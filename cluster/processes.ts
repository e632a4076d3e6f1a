/**
 * The control plane's processes: started detached with their output in log files, found
 * again by the state folder they were started with (every command line names it), and
 * stopped in order. Finding them by command line rather than by recorded pid means a
 * crashed `cluster:up`, or a pid reused by an unrelated process, can never make `down`
 * leave a process behind or kill the wrong one.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

export interface Started {
    readonly name: string;
    readonly pid: number;
    readonly log: string;
}

export function startDetached(
    name: string,
    binary: string,
    args: string[],
    logDir: string,
): Started {
    if (!fs.existsSync(binary))
        throw new Error(`${name} is not built (${binary} is missing); run npm run setup`);
    fs.mkdirSync(logDir, { recursive: true });
    const log = path.join(logDir, `${name}.log`);
    const fd = fs.openSync(log, "a");
    const child = spawn(binary, args, { detached: true, stdio: ["ignore", fd, fd] });
    fs.closeSync(fd);
    child.unref();
    if (child.pid === undefined) throw new Error(`${name} did not start; see ${log}`);
    return { name, pid: child.pid, log };
}

/** Processes whose command line mentions `marker` (the state folder), newest first. */
export function processesMentioning(marker: string): { pid: number; cmdline: string }[] {
    const found: { pid: number; cmdline: string }[] = [];
    for (const entry of fs.readdirSync("/proc")) {
        if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
        let cmdline: string;
        try {
            cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, "utf8").replace(/\0/g, " ");
        } catch {
            continue; // exited while we looked
        }
        if (cmdline.includes(marker)) found.push({ pid: Number(entry), cmdline });
    }
    return found.sort((a, b) => b.pid - a.pid);
}

export function isAlive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
        return !/\) Z /.test(stat); // a zombie has exited
    } catch {
        return false;
    }
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
export async function stopProcess(pid: number, graceMs: number): Promise<void> {
    try {
        process.kill(pid, "SIGTERM");
    } catch {
        return;
    }
    const deadline = Date.now() + graceMs;
    while (isAlive(pid) && Date.now() < deadline) await sleep(50);
    if (isAlive(pid)) {
        try {
            process.kill(pid, "SIGKILL");
        } catch {
            return;
        }
        while (isAlive(pid)) await sleep(20);
    }
}

export function lastLines(file: string, n: number): string {
    try {
        return fs.readFileSync(file, "utf8").trimEnd().split("\n").slice(-n).join("\n");
    } catch {
        return "(no log)";
    }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
