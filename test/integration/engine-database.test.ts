import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Client } from "pg";
import { pulumiIn } from "../support/run";
import { ROOT } from "../support/stacks";

const PROGRAM = path.join(ROOT, "test/fixtures/engine-database");

const pulumi = (state: string, args: string[], env: NodeJS.ProcessEnv = {}) =>
    pulumiIn(PROGRAM, state, args, { PULUMI_CONFIG_PASSPHRASE: "engine-test", ...env });

async function rows(sql: string, params: unknown[]): Promise<number> {
    const c = new Client({ host: "127.0.0.1", port: 5432, user: "postgres", database: "postgres" });
    await c.connect();
    try {
        return (await c.query(sql, params)).rowCount ?? 0;
    } finally {
        await c.end();
    }
}

describe("the real Pulumi engine: an environment's own role and database on PostgreSQL (127.0.0.1:5432)", function () {
    this.timeout(300_000);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "keybuzz-engine-db-"));
    const stack = `db${process.pid}`;
    const role = `kbz_engine_role_${process.pid}`;
    const database = `kbz_engine_db_${process.pid}`;
    const password = `engine-db-password-${process.pid}`;
    before(() => {
        assert.equal(pulumi(tmp, ["stack", "init", stack, "--non-interactive"]).code, 0);
        for (const [k, v] of Object.entries({ role, database, dropOnDelete: "true" }))
            assert.equal(pulumi(tmp, ["config", "set", "--stack", stack, k, v]).code, 0);
        assert.equal(
            pulumi(tmp, ["config", "set", "--secret", "--stack", stack, "password", password]).code,
            0,
        );
        assert.equal(
            pulumi(tmp, [
                "config",
                "set",
                "--secret",
                "--stack",
                stack,
                "adminPassword",
                "trust-auth-unused",
            ]).code,
            0,
        );
    });
    after(() => {
        pulumi(tmp, ["destroy", "--yes", "--stack", stack]);
        pulumi(tmp, ["stack", "rm", "--yes", "--force", "--stack", stack]);
        fs.rmSync(tmp, { recursive: true, force: true });
    });

    it("pulumi up creates the role and its database; the state export holds no password", async () => {
        const up = pulumi(tmp, ["up", "--yes", "--skip-preview", "--stack", stack]);
        assert.equal(up.code, 0, up.stdout + up.stderr);
        assert.equal(
            await rows(
                "SELECT 1 FROM pg_database d JOIN pg_roles r ON r.oid = d.datdba WHERE d.datname = $1 AND r.rolname = $2",
                [database, role],
            ),
            1,
        );
        const exported = pulumi(tmp, ["stack", "export", "--stack", stack]);
        assert.ok(!exported.stdout.includes(password));
        assert.ok(!exported.stdout.includes("trust-auth-unused"));
    });

    it("a second up changes nothing; destroy drops a throw-away environment's database", async () => {
        assert.equal(pulumi(tmp, ["preview", "--expect-no-changes", "--stack", stack]).code, 0);
        const destroy = pulumi(tmp, ["destroy", "--yes", "--stack", stack]);
        assert.equal(destroy.code, 0, destroy.stdout + destroy.stderr);
        assert.equal(await rows("SELECT 1 FROM pg_database WHERE datname = $1", [database]), 0);
        assert.equal(await rows("SELECT 1 FROM pg_roles WHERE rolname = $1", [role]), 0);
    });
});
