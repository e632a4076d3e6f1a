/**
 * A real OCI registry for tests: Debian's docker-registry (CNCF distribution 2.8) on
 * 127.0.0.1 with htpasswd Basic auth, or token auth against a token server the test runs.
 */
import { ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { hashSync } from "bcryptjs";
import { RegistryClient } from "../../registry/client";
import { RetryPolicy } from "../../registry/retry";

export const REGISTRY_USER = "promoter";
export const REGISTRY_PASSWORD = "registry-test-password-1";

export interface TestRegistry {
    /** host:port */
    readonly address: string;
    readonly dir: string;
    stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const s = net.createServer();
        s.listen(0, "127.0.0.1", () => {
            const port = (s.address() as net.AddressInfo).port;
            s.close(() => resolve(port));
        });
        s.on("error", reject);
    });
}

export interface TokenAuth {
    readonly realm: string;
    readonly service: string;
    readonly issuer: string;
    readonly rootCertBundle: string;
}

export async function startRegistry(opts: { token?: TokenAuth } = {}): Promise<TestRegistry> {
    const bin = "/usr/bin/docker-registry";
    if (!fs.existsSync(bin))
        throw new Error(
            "docker-registry is not installed: run npm run setup (it installs the Debian packages docker-registry and skopeo)",
        );
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "keybuzz-registry-"));
    const port = await freePort();
    fs.writeFileSync(
        path.join(dir, "htpasswd"),
        `${REGISTRY_USER}:${hashSync(REGISTRY_PASSWORD, 6)}\n`,
    );
    const auth = opts.token
        ? `  token:\n    realm: ${opts.token.realm}\n    service: ${opts.token.service}\n    issuer: ${opts.token.issuer}\n    rootcertbundle: ${opts.token.rootCertBundle}\n`
        : `  htpasswd:\n    realm: keybuzz-test\n    path: ${path.join(dir, "htpasswd")}\n`;
    fs.writeFileSync(
        path.join(dir, "config.yml"),
        `version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: ${path.join(dir, "data")}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:${port}\nauth:\n${auth}`,
    );
    const child: ChildProcess = spawn(bin, ["serve", path.join(dir, "config.yml")], {
        stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr!.on("data", (d) => (stderr += d));
    const address = `127.0.0.1:${port}`;
    for (let i = 0; i < 100; i++) {
        if (child.exitCode !== null) throw new Error(`docker-registry exited: ${stderr}`);
        const ok = await fetch(`http://${address}/v2/`).then(
            (r) => r.status === 401 || r.status === 200,
            () => false,
        );
        if (ok) break;
        await new Promise((r) => setTimeout(r, 100));
    }
    return {
        address,
        dir,
        stop: () =>
            new Promise<void>((resolve) => {
                if (child.exitCode !== null) return resolve();
                child.once("exit", () => resolve());
                child.kill("SIGTERM");
            }),
    };
}

/** A client of the test registry (or of a proxy in front of it), with its credentials. */
export function testRegistryClient(address: string, retry?: RetryPolicy): RegistryClient {
    return new RegistryClient({
        registry: address,
        scheme: "http",
        credentials: { username: REGISTRY_USER, password: REGISTRY_PASSWORD },
        retry,
    });
}
