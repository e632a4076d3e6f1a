/**
 * The files of the local cluster's PostgreSQL image, taken from the machine's Debian
 * PostgreSQL 15 (no registry serves postgres:16 here): the server, initdb and pg_isready,
 * their modules and data files, and every shared library they load (ldd), so the image runs
 * on an empty base. The same Debian packages give the same bytes, hence the same digest.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { LayerEntry } from "./oci-layout";

export const PG_BIN = "/usr/lib/postgresql/15/bin";
const PG_LIB = "/usr/lib/postgresql/15/lib";
const PG_SHARE = "/usr/share/postgresql/15";
export const POSTGRES_UID = 999;

function walk(dir: string, out: string[]): void {
    for (const name of fs.readdirSync(dir).sort()) {
        const p = path.join(dir, name);
        const st = fs.lstatSync(p);
        if (st.isDirectory()) walk(p, out);
        else out.push(p);
    }
}

function sharedLibraries(files: readonly string[]): string[] {
    const libs = new Set<string>();
    for (const f of files) {
        const r = spawnSync("ldd", [f], { encoding: "utf8" });
        if (r.status !== 0) continue; // not dynamic (data files, scripts)
        for (const line of r.stdout.split("\n")) {
            const m = /=>\s+(\/\S+)|^\s+(\/\S+)\s+\(/.exec(line);
            const lib = m?.[1] ?? m?.[2];
            if (lib) libs.add(lib);
        }
    }
    return [...libs].sort();
}

export function postgresEntries(init: Buffer): LayerEntry[] {
    for (const need of [PG_BIN, PG_LIB, PG_SHARE])
        if (!fs.existsSync(need))
            throw new Error(
                `${need} is missing: the local PostgreSQL image is made from Debian's postgresql-15; run npm run setup (it installs it)`,
            );
    const binaries = ["postgres", "initdb", "pg_isready", "pg_ctl"].map((b) =>
        path.join(PG_BIN, b),
    );
    // initdb and pg_ctl find and run the server through popen(3), which needs /bin/sh: Debian's dash.
    const files: string[] = [...binaries, "/usr/bin/dash"];
    walk(PG_LIB, files);
    walk(PG_SHARE, files);
    // JIT (llvmjit, which loads the 100 MB libLLVM) is left out and switched off; so are man pages.
    const kept = files.filter((f) => !/\/llvmjit|\/man\//.test(f));
    files.length = 0;
    files.push(...kept);
    const entries = new Map<string, LayerEntry>();
    const dirs = new Set<string>();
    const addFile = (source: string, target = source) => {
        const rel = target.replace(/^\//, "");
        for (let d = path.posix.dirname(rel); d !== "."; d = path.posix.dirname(d)) dirs.add(d);
        const real = fs.realpathSync(source);
        const st = fs.statSync(real);
        entries.set(rel, {
            path: rel,
            type: "file",
            mode: st.mode & 0o777,
            content: fs.readFileSync(real),
        });
    };
    for (const f of files) addFile(f);
    for (const lib of sharedLibraries(files)) {
        addFile(lib);
        // The dynamic loader is looked up by the path ldd printed; /lib64 → /usr/lib64 and
        // /lib → /usr/lib are symlinks on Debian, so the same path is what the binaries ask for.
    }
    addFile("/usr/bin/dash", "/bin/sh");
    // Time zone and users: initdb looks the running uid up and needs a zone to write.
    addFile("/usr/share/zoneinfo/Etc/UTC", "/usr/share/zoneinfo/UTC");
    const etc = (name: string, text: string): LayerEntry => ({
        path: `etc/${name}`,
        type: "file",
        mode: 0o644,
        content: Buffer.from(text),
    });
    const out: LayerEntry[] = [
        ...[...dirs].map((d): LayerEntry => ({ path: d, type: "directory", mode: 0o755 })),
        ...entries.values(),
        { path: "etc", type: "directory", mode: 0o755 },
        etc(
            "passwd",
            `root:x:0:0::/:/bin/false\npostgres:x:${POSTGRES_UID}:${POSTGRES_UID}::/var/lib/postgresql:/bin/false\n`,
        ),
        etc("group", `root:x:0:\npostgres:x:${POSTGRES_UID}:\n`),
        { path: "tmp", type: "directory", mode: 0o1777 },
        { path: "var", type: "directory", mode: 0o755 },
        { path: "var/run", type: "directory", mode: 0o755 },
        {
            path: "var/run/postgresql",
            type: "directory",
            mode: 0o2775,
            uid: POSTGRES_UID,
            gid: POSTGRES_UID,
        },
        { path: "var/lib", type: "directory", mode: 0o755 },
        {
            path: "var/lib/postgresql",
            type: "directory",
            mode: 0o755,
            uid: POSTGRES_UID,
            gid: POSTGRES_UID,
        },
        { path: "postgres-init", type: "file", mode: 0o755, content: init },
    ];
    // Directories listed once, even where a file's parent is also a fixed entry above.
    const byPath = new Map<string, LayerEntry>();
    for (const e of out) if (!byPath.has(e.path) || e.type !== "directory") byPath.set(e.path, e);
    return [...byPath.values()];
}
