/**
 * Where db:cutover connects: URLs from the environment only (a password on a command line
 * is visible to every user of the machine in `ps` and lands in shell history), parsed once,
 * and never printed with their password.
 */
import { parse } from "pg-connection-string";
import { ClientConfig } from "pg";

export class ConnectionError extends Error {}

export interface Connection {
    /** Where the URL came from, for messages: an environment variable or a stack output. */
    readonly source: string;
    readonly config: ClientConfig;
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
    const p = parse(url);
    if (!p.host || !p.database || !p.user)
        throw new ConnectionError(
            `${source} must name a host, a user and a database (postgresql://<user>:<password>@<host>:<port>/<database>)`,
        );
    const port = Number(p.port ?? 5432);
    if (!Number.isInteger(port) || port < 1 || port > 65535)
        throw new ConnectionError(`${source} has an invalid port ${JSON.stringify(p.port)}`);
    const config: ClientConfig = {
        host: p.host,
        port,
        user: p.user,
        password: p.password ?? undefined,
        database: p.database,
        connectionTimeoutMillis: 10_000,
        application_name: "keybuzz-db-cutover",
    };
    const libpqEnv: Record<string, string> = {
        PGHOST: p.host,
        PGPORT: String(port),
        PGUSER: p.user,
        PGDATABASE: p.database,
        PGAPPNAME: "keybuzz-db-cutover",
    };
    if (p.password) libpqEnv.PGPASSWORD = p.password;
    return { source, config, label: `${p.user}@${p.host}:${port}/${p.database}`, libpqEnv };
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
