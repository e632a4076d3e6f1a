import * as assert from "node:assert/strict";
import { Client } from "pg";
import {
    AdminConnection,
    dropRoleDatabase,
    ensureRoleDatabase,
} from "../../components/database/postgres-admin";

// The machine's PostgreSQL on loopback (trust auth for the admin connection).
const admin: AdminConnection = {
    host: "127.0.0.1",
    port: 5432,
    user: process.env.PGADMINUSER ?? "postgres",
    password: "unused-with-trust-auth",
};
const suffix = `${process.pid}_${Date.now() % 100000}`;
const prod = {
    role: `kbz_api_prod_${suffix}`,
    database: `kbz_prod_${suffix}`,
    password: "Pw0rdProdIntegration1",
};
const dev = {
    role: `kbz_api_dev_${suffix}`,
    database: `kbz_dev_${suffix}`,
    password: "Pw0rdDevIntegration2",
};

async function query(sql: string, params: unknown[] = []): Promise<any[]> {
    const c = new Client({
        host: admin.host,
        port: admin.port,
        user: admin.user,
        database: "postgres",
    });
    await c.connect();
    try {
        return (await c.query(sql, params)).rows;
    } finally {
        await c.end();
    }
}

describe("Database component on an existing PostgreSQL server (real server on 127.0.0.1:5432)", () => {
    after(async () => {
        await dropRoleDatabase(admin, prod);
        await dropRoleDatabase(admin, dev);
    });

    it("creates a login role and a database it owns", async () => {
        await ensureRoleDatabase(admin, prod);
        const [row] = await query(
            "SELECT r.rolcanlogin, pg_get_userbyid(d.datdba) AS owner FROM pg_roles r, pg_database d WHERE r.rolname = $1 AND d.datname = $2",
            [prod.role, prod.database],
        );
        assert.deepEqual(row, { rolcanlogin: true, owner: prod.role });
    });

    it("revokes CONNECT from PUBLIC so another environment's role cannot connect", async () => {
        await ensureRoleDatabase(admin, dev);
        const [row] = await query(
            "SELECT has_database_privilege($1, $2, 'CONNECT') AS dev_on_prod, has_database_privilege($3, $2, 'CONNECT') AS prod_on_prod",
            [dev.role, prod.database, prod.role],
        );
        assert.deepEqual(row, { dev_on_prod: false, prod_on_prod: true });
        const [acl] = await query(
            "SELECT datacl::text AS acl FROM pg_database WHERE datname = $1",
            [prod.database],
        );
        assert.ok(!/(^|[{,])=[^,}]*c/.test(acl.acl), `PUBLIC still has CONNECT: ${acl.acl}`);
    });

    it("is idempotent and updates the password in place", async () => {
        const before = await query("SELECT oid FROM pg_database WHERE datname = $1", [
            prod.database,
        ]);
        await ensureRoleDatabase(admin, { ...prod, password: "Pw0rdRotated3" });
        const after = await query("SELECT oid FROM pg_database WHERE datname = $1", [
            prod.database,
        ]);
        assert.deepEqual(after, before);
    });

    it("drops the database and role of a throw-away environment", async () => {
        await dropRoleDatabase(admin, dev);
        assert.deepEqual(
            await query("SELECT 1 FROM pg_database WHERE datname = $1", [dev.database]),
            [],
        );
        assert.deepEqual(await query("SELECT 1 FROM pg_roles WHERE rolname = $1", [dev.role]), []);
    });

    it("quotes identifiers: a hostile name cannot inject SQL", async () => {
        const hostile = {
            role: `x"; DROP DATABASE postgres; --${suffix}`,
            database: `y_${suffix}`,
            password: "p'w",
        };
        await ensureRoleDatabase(admin, hostile);
        assert.equal(
            (await query("SELECT 1 FROM pg_database WHERE datname = 'postgres'")).length,
            1,
        );
        await dropRoleDatabase(admin, hostile);
    });
});
