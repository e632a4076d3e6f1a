/**
 * The control plane's processes: started detached with their output in log files, recorded
 * by pid *and* start time *and* executable (a pid alone is reused by unrelated processes
 * after a reboot or a crash), and stopped in order. A crashed `cluster:up` that never wrote
 * its state is found by the same identity test, loosened only as far as it must: the
 * executable is one of the toolchain's own binaries and an argument names the cluster's
 * folder — a process whose command line merely mentions the folder is never touched.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

export interface Started {
    readonly name: string;
    readonly pid: number;
    readonly log: string;
    /** /proc/<pid>/stat field 22 (clock ticks since boot) when it started. */
    readonly startTime?: string;
    /** The executable's real path, as /proc/<pid>/exe names it. */
    readonly exe?: string;
}

/** Start time and executable of a live process, from /proc; undefined when it is gone. */
export function identity(pid: number): { startTime: string; exe: string } | undefined {
    try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
        // Fields after the command name, which is in parentheses and may hold spaces.
        const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        if (fields[0] === "Z") return undefined;
        return { startTime: fields[19], exe: fs.readlinkSync(`/proc/${pid}/exe`) };
    } catch {
        return undefined;
    }
}

/** The process recorded is still that very process (not a reused pid). */
export function isSameProcess(p: Started): boolean {
    const now = identity(p.pid);
    return !!now && now.startTime === p.startTime && now.exe === p.exe;
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
    return { name, pid: child.pid, log, ...identity(child.pid) };
}

/**
 * Processes of a crashed `up` that never recorded them: running one of `executables` (real
 * paths) with an argument that is, or is inside, `dir`.
 */
export function strayProcesses(
    dir: string,
    executables: readonly string[],
): { pid: number; exe: string; started: Started }[] {
    const found: { pid: number; exe: string; started: Started }[] = [];
    const real = new Set(executables.map((e) => (fs.existsSync(e) ? fs.realpathSync(e) : e)));
    for (const entry of fs.readdirSync("/proc")) {
        if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
        const pid = Number(entry);
        const id = identity(pid);
        if (!id || !real.has(id.exe)) continue;
        let argv: string[];
        try {
            argv = fs.readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
        } catch {
            continue;
        }
        const names = (a: string) => {
            const v = a.includes("=") ? a.slice(a.indexOf("=") + 1) : a;
            return v === dir || v.startsWith(dir + "/");
        };
        if (argv.slice(1).some(names))
            found.push({
                pid,
                exe: id.exe,
                started: { name: path.basename(id.exe), pid, log: "", ...id },
            });
    }
    return found.sort((a, b) => b.pid - a.pid);
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
