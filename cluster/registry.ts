/**
 * The local cluster's OCI registry: Debian's docker-registry (CNCF distribution) on
 * 127.0.0.1, htpasswd (bcrypt) accounts, storage in the cluster's folder. Two kinds of
 * account: the pusher (`npm run images`; a random password kept 0600 in the folder), and
 * the pull account of each stack deployed into the cluster (its `registry.username` and
 * `registryPassword`, granted by `cluster:up --grant <stack file>`), so the kubelet pulls
 * with the very image pull Secret the stack creates and the registry checks it.
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { hashSync, compareSync } from "bcryptjs";
import { isListening } from "./ports";

export const REGISTRY_BINARY = "/usr/bin/docker-registry";
export const PUSHER = "keybuzz-pusher";
/** Preferred port: the local stack's image references name it, so one clone's stay the same. */
export const PREFERRED_REGISTRY_PORT = 5000;

export interface RegistryLayout {
    readonly dir: string;
    readonly config: string;
    readonly htpasswd: string;
    readonly pusherFile: string;
    readonly authFile: string;
}

export function registryLayout(clusterDir: string): RegistryLayout {
    const dir = path.join(clusterDir, "registry");
    return {
        dir,
        config: path.join(dir, "config.yml"),
        htpasswd: path.join(dir, "htpasswd"),
        pusherFile: path.join(dir, "pusher.json"),
        authFile: path.join(dir, "auth.json"),
    };
}

export async function registryPort(freePort: () => Promise<number>): Promise<number> {
    return (await isListening(PREFERRED_REGISTRY_PORT)) ? freePort() : PREFERRED_REGISTRY_PORT;
}

/** Writes the registry's config, the pusher account and a containers-auth.json for skopeo. */
export function prepareRegistry(r: RegistryLayout, address: string): void {
    fs.mkdirSync(path.join(r.dir, "data"), { recursive: true, mode: 0o700 });
    const password = randomBytes(24).toString("base64url");
    fs.writeFileSync(r.pusherFile, JSON.stringify({ username: PUSHER, password }), { mode: 0o600 });
    fs.writeFileSync(
        r.authFile,
        JSON.stringify({
            auths: { [address]: { auth: Buffer.from(`${PUSHER}:${password}`).toString("base64") } },
        }),
        { mode: 0o600 },
    );
    fs.writeFileSync(r.htpasswd, `${PUSHER}:${hashSync(password, 10)}\n`, { mode: 0o600 });
    fs.writeFileSync(
        r.config,
        [
            "version: 0.1",
            "log:",
            "  level: warn",
            "  accesslog:",
            "    disabled: true",
            "storage:",
            "  filesystem:",
            `    rootdirectory: ${path.join(r.dir, "data")}`,
            "  delete:",
            "    enabled: true",
            "http:",
            `  addr: ${address}`,
            "auth:",
            "  htpasswd:",
            "    realm: keybuzz-local",
            `    path: ${r.htpasswd}`,
            "",
        ].join("\n"),
        { mode: 0o600 },
    );
}

export function pusherCredentials(r: RegistryLayout): { username: string; password: string } {
    return JSON.parse(fs.readFileSync(r.pusherFile, "utf8"));
}

/**
 * Adds (or replaces) an account. Returns true when the file changed: the registry reads it
 * at start only, so the caller restarts it.
 */
export function grantAccount(r: RegistryLayout, username: string, password: string): boolean {
    if (!/^[A-Za-z0-9._-]{1,64}$/.test(username))
        throw new Error(
            `registry.username ${JSON.stringify(username.slice(0, 64))}: the local registry takes letters, digits, ".", "_" and "-" only`,
        );
    if (username === PUSHER)
        throw new Error(
            `registry.username ${PUSHER} is the local registry's own pusher account; choose another name`,
        );
    const lines = fs.readFileSync(r.htpasswd, "utf8").split("\n").filter(Boolean);
    const current = lines.find((l) => l.startsWith(`${username}:`));
    if (current && compareSync(password, current.slice(username.length + 1))) return false;
    const kept = lines.filter((l) => !l.startsWith(`${username}:`));
    fs.writeFileSync(
        r.htpasswd,
        [...kept, `${username}:${hashSync(password, 10)}`, ""].join("\n"),
        { mode: 0o600 },
    );
    return true;
}
