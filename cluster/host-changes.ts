/**
 * What a real node changes on the machine outside the cluster's folder, recorded before the
 * node starts and undone by `cluster:down` — also after a kill -9 of any component, since the
 * record is on disk before anything runs. kubelet, containerd, the CNI plugins and kube-proxy
 * write to fixed places no flag moves (iptables chains, sysctls, cgroup trees, netns mounts,
 * a few folders under /var and /run): each is put back exactly as it was, and only what was
 * not there before is removed.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

/** Sysctls kubelet, kube-proxy or the bridge plugin set (real-pods facts: all seen here). */
const SYSCTLS = [
    "vm/overcommit_memory",
    "kernel/panic",
    "kernel/panic_on_oops",
    "net/ipv4/ip_forward",
    "net/netfilter/nf_conntrack_tcp_timeout_established",
    "net/netfilter/nf_conntrack_tcp_timeout_close_wait",
    "net/bridge/bridge-nf-call-iptables",
    "net/bridge/bridge-nf-call-ip6tables",
    "net/ipv4/conf/all/route_localnet",
];

/** Folders these programs create outside any flag's reach. */
const FIXED_PATHS = [
    "/var/lib/kubelet",
    "/var/log/containers",
    "/var/log/pods",
    "/var/lib/cni",
    "/run/containerd",
    "/var/run/netns",
    "/usr/libexec/kubernetes",
    "/opt/containerd",
    "/etc/cni",
];

const IPTABLES = ["iptables", "ip6tables"] as const;
const TABLES = ["filter", "nat", "mangle", "raw"] as const;

export interface HostRecord {
    readonly sysctls: Record<string, string>;
    /** Of FIXED_PATHS, those that existed before the node started. */
    readonly existingPaths: string[];
    /** `<tool> <table> <chain>` of every chain there before. */
    readonly chains: string[];
    readonly netns: string[];
    /** Controllers (/sys/fs/cgroup/<c>) that had a kubepods tree before. */
    readonly cgroups: string[];
    readonly links: string[];
}

function chainsNow(): string[] {
    const out: string[] = [];
    for (const tool of IPTABLES)
        for (const table of TABLES) {
            const r = spawnSync(`${tool}-save`, ["-t", table], { encoding: "utf8" });
            if (r.status !== 0) continue;
            for (const line of r.stdout.split("\n"))
                if (line.startsWith(":"))
                    out.push(`${tool} ${table} ${line.slice(1).split(" ")[0]}`);
        }
    return out;
}

const readSysctl = (k: string) => {
    try {
        return fs.readFileSync(`/proc/sys/${k}`, "utf8").trim();
    } catch {
        return undefined;
    }
};

const ls = (dir: string) => {
    try {
        return fs.readdirSync(dir);
    } catch {
        return [];
    }
};

function cgroupControllers(): string[] {
    return ls("/sys/fs/cgroup").filter((c) => fs.existsSync(`/sys/fs/cgroup/${c}/kubepods`));
}

export function recordHost(): HostRecord {
    const sysctls: Record<string, string> = {};
    for (const k of SYSCTLS) {
        const v = readSysctl(k);
        if (v !== undefined) sysctls[k] = v;
    }
    return {
        sysctls,
        existingPaths: FIXED_PATHS.filter((p) => fs.existsSync(p)),
        chains: chainsNow(),
        netns: ls("/var/run/netns"),
        cgroups: cgroupControllers(),
        links: ls("/sys/class/net"),
    };
}

function run(cmd: string, args: string[]): void {
    spawnSync(cmd, args, { stdio: "ignore" });
}

/** Mount points under `dir` (deepest first), from the kernel's own table. */
export function mountsUnder(dir: string): string[] {
    const root = path.resolve(dir) + "/";
    const mounts = fs
        .readFileSync("/proc/self/mountinfo", "utf8")
        .split("\n")
        .map((l) => l.split(" ")[4])
        .filter((m): m is string => !!m)
        .map((m) => m.replace(/\\040/g, " "))
        .filter((m) => (m + "/").startsWith(root));
    return [...new Set(mounts)].sort((a, b) => b.length - a.length);
}

export function unmountUnder(dir: string): void {
    for (const m of mountsUnder(dir)) run("umount", ["-l", m]);
}

function removeCgroupTree(dir: string): void {
    for (const child of ls(dir)) {
        const p = path.join(dir, child);
        try {
            if (fs.statSync(p).isDirectory()) removeCgroupTree(p);
        } catch {
            // gone meanwhile
        }
    }
    try {
        fs.rmdirSync(dir);
    } catch {
        // a cgroup with a live process stays: reported by leftovers()
    }
}

/**
 * Puts the machine back as `before` found it. `links` are the interfaces this node created
 * (bridge, node address), removed whatever `before` says.
 */
export function restoreHost(before: HostRecord, links: readonly string[]): void {
    for (const ns of ls("/var/run/netns"))
        if (!before.netns.includes(ns)) {
            run("umount", ["-l", `/var/run/netns/${ns}`]);
            fs.rmSync(`/var/run/netns/${ns}`, { force: true });
        }
    for (const link of links)
        if (fs.existsSync(`/sys/class/net/${link}`)) run("ip", ["link", "delete", link]);
    // Chains: first every rule that jumps to a chain that was not there, then the chains.
    const added = chainsNow().filter((c) => !before.chains.includes(c));
    const addedBy = new Map<string, string[]>();
    for (const c of added) {
        const [tool, table, chain] = c.split(" ");
        const key = `${tool} ${table}`;
        addedBy.set(key, [...(addedBy.get(key) ?? []), chain]);
    }
    for (const [key, chains] of addedBy) {
        const [tool, table] = key.split(" ");
        const rules = spawnSync(`${tool}-save`, ["-t", table], { encoding: "utf8" }).stdout ?? "";
        for (const line of rules.split("\n")) {
            const m = /^-A (\S+) (.*)$/.exec(line);
            if (!m || chains.includes(m[1])) continue;
            const target = /-j (\S+)/.exec(m[2])?.[1];
            if (target && chains.includes(target)) {
                // The rule as iptables-save printed it, deleted by specification.
                const args = splitRule(m[2]);
                run(tool, ["-t", table, "-D", m[1], ...args]);
            }
        }
        for (const chain of chains) run(tool, ["-t", table, "-F", chain]);
        for (const chain of chains) run(tool, ["-t", table, "-X", chain]);
    }
    for (const c of cgroupControllers())
        if (!before.cgroups.includes(c)) removeCgroupTree(`/sys/fs/cgroup/${c}/kubepods`);
    for (const p of [...FIXED_PATHS].reverse())
        if (!before.existingPaths.includes(p) && fs.existsSync(p)) {
            unmountUnder(p);
            fs.rmSync(p, { recursive: true, force: true });
        }
    for (const [k, v] of Object.entries(before.sysctls))
        if (readSysctl(k) !== v)
            try {
                fs.writeFileSync(`/proc/sys/${k}`, v);
            } catch {
                // a sysctl that disappeared (module unloaded) has nothing to restore
            }
}

/** iptables-save quotes arguments with spaces ("--comment \"a b\""); split like a shell would. */
function splitRule(rule: string): string[] {
    const out: string[] = [];
    const re = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
    for (let m = re.exec(rule); m; m = re.exec(rule))
        out.push(m[1] !== undefined ? m[1].replace(/\\"/g, '"') : m[2]);
    return out;
}

/** What differs from `before`: for tests and for `cluster:down` to say what it could not undo. */
export function leftovers(before: HostRecord, links: readonly string[]): string[] {
    const now = recordHost();
    const out: string[] = [];
    for (const [k, v] of Object.entries(before.sysctls))
        if (now.sysctls[k] !== undefined && now.sysctls[k] !== v)
            out.push(`sysctl ${k} = ${now.sysctls[k]} (was ${v})`);
    for (const p of FIXED_PATHS)
        if (fs.existsSync(p) && !before.existingPaths.includes(p)) out.push(`folder ${p}`);
    for (const c of now.chains) if (!before.chains.includes(c)) out.push(`chain ${c}`);
    for (const n of now.netns) if (!before.netns.includes(n)) out.push(`netns ${n}`);
    for (const c of now.cgroups)
        if (!before.cgroups.includes(c)) out.push(`cgroup /sys/fs/cgroup/${c}/kubepods`);
    for (const l of links) if (now.links.includes(l)) out.push(`interface ${l}`);
    return out;
}
