/**
 * What the Database component does on an existing PostgreSQL server, as plain functions so
 * the integration tests run them against a real server. The dynamic provider calls these.
 *
 * Why a dynamic provider with `pg` rather than @pulumi/postgresql: that provider's plugin is
 * a Terraform-bridged Go binary that the offline toolchain cannot build here, and we need only
 * three idempotent statements; `pg` is the field's standard client.
 */
import { Client } from "pg";

export interface AdminConnection {
    readonly host: string;
    readonly port: number;
    readonly user: string;
    readonly password: string;
    /** Database to connect to for admin statements. Default "postgres". */
    readonly database?: string;
}

export interface RoleDatabase {
    readonly role: string;
    readonly password: string;
    readonly database: string;
}

async function withClient<T>(admin: AdminConnection, fn: (c: Client) => Promise<T>): Promise<T> {
    const client = new Client({
        host: admin.host,
        port: admin.port,
        user: admin.user,
        password: admin.password,
        database: admin.database ?? "postgres",
        connectionTimeoutMillis: 10_000,
    });
    await client.connect();
    try {
        return await fn(client);
    } finally {
        await client.end();
    }
}

/**
 * Creates (or brings up to date) a login role and a database it owns, reachable by that
 * role only: CONNECT is revoked from PUBLIC. Idempotent.
 */
export async function ensureRoleDatabase(
    admin: AdminConnection,
    want: RoleDatabase,
): Promise<void> {
    await withClient(admin, async (c) => {
        const role = c.escapeIdentifier(want.role);
        const db = c.escapeIdentifier(want.database);
        const pw = c.escapeLiteral(want.password);
        const exists = await c.query("SELECT 1 FROM pg_roles WHERE rolname = $1", [want.role]);
        await c.query(
            exists.rowCount
                ? `ALTER ROLE ${role} WITH LOGIN PASSWORD ${pw}`
                : `CREATE ROLE ${role} WITH LOGIN PASSWORD ${pw}`,
        );
        const dbExists = await c.query("SELECT 1 FROM pg_database WHERE datname = $1", [
            want.database,
        ]);
        if (!dbExists.rowCount) await c.query(`CREATE DATABASE ${db} OWNER ${role}`);
        else await c.query(`ALTER DATABASE ${db} OWNER TO ${role}`);
        await c.query(`REVOKE CONNECT, TEMPORARY ON DATABASE ${db} FROM PUBLIC`);
        await c.query(`GRANT CONNECT ON DATABASE ${db} TO ${role}`);
    });
}

/** Drops the database and the role; only for throw-away environments. */
export async function dropRoleDatabase(
    admin: AdminConnection,
    target: Pick<RoleDatabase, "role" | "database">,
): Promise<void> {
    await withClient(admin, async (c) => {
        await c.query(
            `DROP DATABASE IF EXISTS ${c.escapeIdentifier(target.database)} WITH (FORCE)`,
        );
        await c.query(`DROP ROLE IF EXISTS ${c.escapeIdentifier(target.role)}`);
    });
}
