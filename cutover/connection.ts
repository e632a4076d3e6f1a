/**
 * Where db:cutover connects: URLs from the environment only (a password on a command line
 * is visible to every user of the machine in `ps` and lands in shell history), parsed once,
 * and never printed with their password.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "pg-connection-string";
import { ClientConfig } from "pg";

/** libpq's sslmode values; the default, as in libpq, is prefer. */
export const SSL_MODES = [
    "disable",
    "allow",
    "prefer",
    "require",
    "verify-ca",
    "verify-full",
] as const;
export type SslMode = (typeof SSL_MODES)[number];

export class ConnectionError extends Error {}

export interface Connection {
    /** Where the URL came from, for messages: an environment variable or a stack output. */
    readonly source: string;
    readonly config: ClientConfig;
    /** prefer/allow: the plain connection to try when the server has no TLS (as libpq does). */
    readonly withoutTls?: ClientConfig;
    readonly sslmode: SslMode;
    /** host:port/database as user, for messages; never the password. */
    readonly label: string;
    /** libpq environment for pg_dump/psql children (PGPASSWORD, not argv). */
    readonly libpqEnv: Record<string, string>;
}

export function connectionFromUrl(url: string, source: string): Connection {
    if (!/^postgres(ql)?:\/\//.test(url))
        throw new ConnectionError(
            `${source} is not a postgresql:// URL; set it to postgresql://<user>:<password>@<host>:<port>/<database>`,
        );
    // sslmode and sslrootcert are read here, not by pg-connection-string (it reads the
    // certificate files itself and maps modes unlike libpq: verify-ca checked the host name).
    let parsedUrl: URL;
    try {
        parsedUrl = new URL(url);
    } catch {
        throw new ConnectionError(`${source} is not a valid URL`);
    }
    const params = parsedUrl.searchParams;
    const sslmodeText = params.get("sslmode") ?? process.env.PGSSLMODE ?? "prefer";
    if (!(SSL_MODES as readonly string[]).includes(sslmodeText))
        throw new ConnectionError(
            `${source} has sslmode=${JSON.stringify(sslmodeText.slice(0, 20))}; use one of ${SSL_MODES.join(", ")}`,
        );
    const sslmode = sslmodeText as SslMode;
    const rootcert =
        params.get("sslrootcert") ??
        process.env.PGSSLROOTCERT ??
        path.join(os.homedir(), ".postgresql", "root.crt");
    params.delete("sslmode");
    params.delete("sslrootcert");
    const p = parse(parsedUrl.toString());
    if (!p.host || !p.database || !p.user)
        throw new ConnectionError(
            `${source} must name a host, a user and a database (postgresql://<user>:<password>@<host>:<port>/<database>)`,
        );
    const port = Number(p.port || 5432);
    if (!Number.isInteger(port) || port < 1 || port > 65535)
        throw new ConnectionError(`${source} has an invalid port ${JSON.stringify(p.port)}`);
    const base: ClientConfig = {
        host: p.host,
        port,
        user: p.user,
        password: p.password ?? undefined,
        database: p.database,
        connectionTimeoutMillis: 10_000,
        application_name: "keybuzz-db-cutover",
    };
    const config: ClientConfig = { ...base, ssl: tlsOptions(sslmode, rootcert, source) };
    const libpqEnv: Record<string, string> = {
        PGHOST: p.host,
        PGPORT: String(port),
        PGUSER: p.user,
        PGDATABASE: p.database,
        PGAPPNAME: "keybuzz-db-cutover",
    };
    if (p.password) libpqEnv.PGPASSWORD = p.password;
    // pg_dump and psql get the same TLS demands.
    libpqEnv.PGSSLMODE = sslmode;
    if (params.has("sslrootcert") || process.env.PGSSLROOTCERT || fs.existsSync(rootcert))
        libpqEnv.PGSSLROOTCERT = rootcert;
    return {
        source,
        config,
        withoutTls:
            sslmode === "prefer" || sslmode === "allow" ? { ...base, ssl: false } : undefined,
        sslmode,
        label: `${p.user}@${p.host}:${port}/${p.database}`,
        libpqEnv,
    };
}

/**
 * TLS as libpq does it: disable none; allow/prefer TLS when the server offers it, unverified;
 * require TLS, unverified unless a root certificate is there (then as verify-ca); verify-ca
 * the chain against the root certificate; verify-full the chain and the host name.
 */
function tlsOptions(mode: SslMode, rootcert: string, source: string): ClientConfig["ssl"] {
    if (mode === "disable") return false;
    const haveRoot = rootcert === "system" || fs.existsSync(rootcert);
    if (mode === "allow" || mode === "prefer" || (mode === "require" && !haveRoot))
        return { rejectUnauthorized: false };
    if (!haveRoot)
        throw new ConnectionError(
            `${source} has sslmode=${mode} but the root certificate file ${rootcert} does not exist; give it with sslrootcert=<file> (or sslrootcert=system for the system's CAs), as psql needs too`,
        );
    const ca = rootcert === "system" ? undefined : readCertificate(rootcert, source);
    return mode === "verify-full"
        ? { rejectUnauthorized: true, ca }
        : { rejectUnauthorized: true, ca, checkServerIdentity: () => undefined };
}

function readCertificate(file: string, source: string): string {
    const st = fs.statSync(file);
    if (!st.isFile() || st.size > 1 << 20)
        throw new ConnectionError(
            `${source}: sslrootcert ${file} is not a regular certificate file under 1 MiB`,
        );
    return fs.readFileSync(file, "utf8");
}

export function connectionFromEnv(
    variable: string,
    env: NodeJS.ProcessEnv = process.env,
): Connection {
    const url = env[variable];
    if (!url)
        throw new ConnectionError(
            `${variable} is not set; export it as postgresql://<user>:<password>@<host>:<port>/<database> (never pass a password on the command line)`,
        );
    return connectionFromUrl(url, variable);
}
