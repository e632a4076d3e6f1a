/**
 * A private PostgreSQL cluster that checks passwords (scram-sha-256 on every local and host
 * line), on its own loopback port and data folder, removed by stop(). The machine's server
 * trusts every local login, so it cannot show that a wrong password is refused; this one can.
 * Shared by the database tests and bench/cutover.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { freeLoopbackPort } from "../../cluster/ports";

const BIN = process.env.KEYBUZZ_PG_BIN ?? findPgBin();

function findPgBin(): string {
    const root = "/usr/lib/postgresql";
    const versions = fs.existsSync(root)
        ? fs.readdirSync(root).sort((a, b) => Number(b) - Number(a))
        : [];
    for (const v of versions)
        if (fs.existsSync(path.join(root, v, "bin", "initdb"))) return path.join(root, v, "bin");
    throw new Error(
        "no PostgreSQL server binaries under /usr/lib/postgresql; install postgresql (apt-get install postgresql)",
    );
}

export interface PrivatePostgres {
    readonly host: "127.0.0.1";
    readonly port: number;
    readonly superuser: "postgres";
    readonly superuserPassword: string;
    readonly dir: string;
    url(user: string, password: string, database: string): string;
    stop(): void;
}

/** initdb refuses to run as root: run the server's programs as the postgres user then. */
function asServerUser(cmd: string, args: string[]): void {
    const isRoot = process.getuid?.() === 0;
    const [file, argv] = isRoot ? ["runuser", ["-u", "postgres", "--", cmd, ...args]] : [cmd, args];
    execFileSync(file, argv, { stdio: ["ignore", "pipe", "pipe"] });
}

export async function startPrivatePostgres(
    superuserPassword: string,
    /** tls: a certificate and key (PEM) the server offers; without it the server has no TLS. */
    options: { fsync?: boolean; tls?: { cert: string; key: string } } = {},
): Promise<PrivatePostgres> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "keybuzz-pg-"));
    const data = path.join(dir, "data");
    const pwfile = path.join(dir, "pw");
    fs.writeFileSync(pwfile, superuserPassword + "\n", { mode: 0o600 });
    if (process.getuid?.() === 0) execFileSync("chown", ["-R", "postgres:postgres", dir]);
    if (options.tls) {
        fs.writeFileSync(path.join(dir, "server.crt"), options.tls.cert);
        fs.writeFileSync(path.join(dir, "server.key"), options.tls.key, { mode: 0o600 });
        if (process.getuid?.() === 0)
            execFileSync("chown", [
                "postgres:postgres",
                path.join(dir, "server.crt"),
                path.join(dir, "server.key"),
            ]);
    }
    const port = await freeLoopbackPort();
    try {
        asServerUser(path.join(BIN, "initdb"), [
            "-D",
            data,
            "-U",
            "postgres",
            "--auth=scram-sha-256",
            `--pwfile=${pwfile}`,
            "-E",
            "UTF8",
            "--no-sync",
            "--no-instructions",
        ]);
        fs.rmSync(pwfile);
        const opts = [
            `-c listen_addresses=127.0.0.1`,
            `-p ${port}`,
            `-k ${dir}`,
            options.fsync ? "" : "-c fsync=off -c synchronous_commit=off -c full_page_writes=off",
            options.tls
                ? `-c ssl=on -c ssl_cert_file=${dir}/server.crt -c ssl_key_file=${dir}/server.key -c log_connections=on`
                : "",
        ].join(" ");
        asServerUser(path.join(BIN, "pg_ctl"), [
            "-D",
            data,
            "-o",
            opts,
            "-l",
            path.join(dir, "server.log"),
            "-w",
            "-t",
            "60",
            "start",
        ]);
    } catch (e) {
        const log = fs.existsSync(path.join(dir, "server.log"))
            ? fs.readFileSync(path.join(dir, "server.log"), "utf8").slice(-2000)
            : "";
        fs.rmSync(dir, { recursive: true, force: true });
        throw new Error(
            `could not start a private PostgreSQL: ${(e as { stderr?: Buffer }).stderr?.toString() ?? e}\n${log}`,
        );
    }
    return {
        host: "127.0.0.1",
        port,
        superuser: "postgres",
        superuserPassword,
        dir,
        url: (user, password, database) =>
            `postgresql://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`,
        stop() {
            try {
                asServerUser(path.join(BIN, "pg_ctl"), [
                    "-D",
                    data,
                    "-m",
                    "immediate",
                    "-w",
                    "stop",
                ]);
            } catch {
                // already stopped
            }
            fs.rmSync(dir, { recursive: true, force: true });
        },
    };
}
