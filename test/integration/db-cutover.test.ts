import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Client } from "pg";
import { ensureRoleDatabase } from "../../components/database/postgres-admin";
import { npmRunAsync, npmSpawnDetached } from "../support/run";
import {
    EXPECTED_COUNTS_SQL,
    loadKeybuzzShaped,
    TEST_OWNER_SUFFIX,
} from "../support/keybuzz-shaped-db";
import { PrivatePostgres, startPrivatePostgres } from "../support/private-postgres";

const SUPERUSER_PASSWORD = "cutover-superuser-7c1d";
const READER_PASSWORD = "cutover-reader-2b9e";

describe("db:cutover against a password-checking PostgreSQL: PROD's tenants out of the shared database", function () {
    this.timeout(300_000);
    let pg: PrivatePostgres;
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "keybuzz-cutover-"));
    const selector = path.join(tmp, "selector.json");
    const targets: Record<string, string> = {};
    let sourceUrl: string;
    const client = async (url: string) => {
        const c = new Client({ connectionString: url });
        await c.connect();
        return c;
    };
    const admin = () => ({
        host: "127.0.0.1",
        port: pg.port,
        user: "postgres",
        password: SUPERUSER_PASSWORD,
    });
    const cutover = (args: string[], target?: string, env: NodeJS.ProcessEnv = {}) =>
        npmRunAsync(
            "db:cutover",
            [...args, "--selector", selector, "--whole-table", "plans", "--cross-tenant", "skip"],
            {
                KEYBUZZ_CUTOVER_SOURCE_URL: sourceUrl,
                KEYBUZZ_CUTOVER_TARGET_URL: target ?? "",
                ...env,
            },
        );
    async function tableDigests(url: string): Promise<Record<string, string>> {
        const c = await client(url);
        try {
            const out: Record<string, string> = {};
            for (const t of [
                "plans",
                "tenants",
                "users",
                "conversations",
                "messages",
                "attachments",
                "conversation_participants",
                "audit_events",
            ]) {
                const r = await c
                    .query(
                        `SELECT count(*)::text || ':' || COALESCE(sum(('x' || substr(md5(t::text), 1, 16))::bit(64)::bigint::numeric), 0)::text AS d FROM ${t} t`,
                    )
                    .catch(() => ({ rows: [{ d: "absent" }] }));
                out[t] = r.rows[0].d;
            }
            return out;
        } finally {
            await c.end();
        }
    }

    before(async () => {
        pg = await startPrivatePostgres(SUPERUSER_PASSWORD);
        const su = await client(pg.url("postgres", SUPERUSER_PASSWORD, "postgres"));
        await su.query("CREATE DATABASE keybuzz");
        // The runbook's read-only role for the source.
        await su.query(`CREATE ROLE keybuzz_cutover_reader LOGIN PASSWORD '${READER_PASSWORD}'`);
        await su.end();
        const shared = await client(pg.url("postgres", SUPERUSER_PASSWORD, "keybuzz"));
        await loadKeybuzzShaped(shared, 1);
        await shared.query(
            "GRANT SELECT ON ALL TABLES IN SCHEMA public TO keybuzz_cutover_reader; GRANT SELECT ON ALL SEQUENCES IN SCHEMA public TO keybuzz_cutover_reader",
        );
        await shared.end();
        sourceUrl = pg.url("keybuzz_cutover_reader", READER_PASSWORD, "keybuzz");
        for (const name of ["prod", "killed", "changed"]) {
            const password = `cutover-target-${name}-pw`;
            await ensureRoleDatabase(admin(), {
                role: `keybuzz_api_${name}`,
                password,
                database: `keybuzz_${name}`,
            });
            targets[name] = pg.url(`keybuzz_api_${name}`, password, `keybuzz_${name}`);
        }
        fs.writeFileSync(
            selector,
            JSON.stringify({
                tenantTable: "tenants",
                exclude: [
                    {
                        column: "owner_email",
                        endsWith: TEST_OWNER_SUFFIX,
                        why: "DEV's test tenants",
                    },
                ],
            }),
        );
    });
    after(() => {
        pg?.stop();
        fs.rmSync(tmp, { recursive: true, force: true });
    });

    it("plan lists per table the rows that move, the row left behind, the table it cannot place, and refuses without the reference table", async () => {
        const plan = await cutover(["plan", "--format", "json"]);
        assert.equal(plan.code, 0, plan.stderr);
        const p = JSON.parse(plan.stdout);
        const c = await client(pg.url("postgres", SUPERUSER_PASSWORD, "keybuzz"));
        const expected = Object.fromEntries(
            (await c.query(EXPECTED_COUNTS_SQL)).rows.map((r) => [r.t, Number(r.n)]),
        );
        await c.end();
        const moves = Object.fromEntries(
            p.tables
                .filter((t: any) => t.role !== "unplaced")
                .map((t: any) => [t.table, t.rowsToMove]),
        );
        assert.deepEqual(moves, expected);
        assert.equal(p.tenants, 13);
        assert.deepEqual(
            p.tables.filter((t: any) => t.role === "unplaced").map((t: any) => t.table),
            ["public.audit_events"],
        );
        assert.equal(p.tables.find((t: any) => t.table === "public.messages").leftBehind, 1);
        assert.ok(!plan.stdout.includes(READER_PASSWORD) && !plan.stderr.includes(READER_PASSWORD));
        const refused = await npmRunAsync("db:cutover", ["plan", "--selector", selector], {
            KEYBUZZ_CUTOVER_SOURCE_URL: sourceUrl,
        });
        assert.equal(refused.code, 1);
        assert.match(
            refused.stdout,
            /public\.tenants\.plan_id references public\.plans.*--whole-table public\.plans/,
        );
    });

    it("copy moves exactly the PROD tenants' rows, sets sequences past them, never writes the source; verify agrees", async () => {
        const before = await tableDigests(pg.url("postgres", SUPERUSER_PASSWORD, "keybuzz"));
        const copy = await cutover(["copy", "--format", "json"], targets.prod);
        assert.equal(copy.code, 0, copy.stderr);
        const result = JSON.parse(copy.stdout);
        assert.equal(result.schemaCreated, true);
        assert.deepEqual(
            await tableDigests(pg.url("postgres", SUPERUSER_PASSWORD, "keybuzz")),
            before,
            "the source changed",
        );
        const shared = await client(pg.url("postgres", SUPERUSER_PASSWORD, "keybuzz"));
        const expected = Object.fromEntries(
            (await shared.query(EXPECTED_COUNTS_SQL)).rows.map((r) => [
                r.t.replace("public.", ""),
                Number(r.n),
            ]),
        );
        await shared.end();
        const t = await client(targets.prod);
        for (const [table, n] of Object.entries(expected))
            assert.equal(
                Number((await t.query(`SELECT count(*) FROM ${table}`)).rows[0].count),
                n,
                table,
            );
        assert.equal(
            Number(
                (
                    await t.query(
                        `SELECT count(*) FROM tenants WHERE owner_email LIKE '%${TEST_OWNER_SUFFIX}'`,
                    )
                ).rows[0].count,
            ),
            0,
        );
        assert.equal(
            Number(
                (
                    await t.query(
                        `SELECT count(*) FROM users WHERE email LIKE '%${TEST_OWNER_SUFFIX}'`,
                    )
                ).rows[0].count,
            ),
            0,
        );
        assert.equal(Number((await t.query("SELECT count(*) FROM audit_events")).rows[0].count), 0);
        // A new PROD message gets an id past every id the shared database ever issued.
        const next = Number((await t.query("SELECT nextval('messages_id_seq') AS n")).rows[0].n);
        assert.ok(next > 26000, `next message id ${next}`);
        await t.end();
        const verify = await cutover(["verify"], targets.prod);
        assert.equal(verify.code, 0, verify.stdout + verify.stderr);
        assert.match(verify.stdout, /All 7 tables are equal/);
    });

    it("a copy killed mid-way (SIGKILL) and re-run ends identical to an uninterrupted one", async () => {
        const child = npmSpawnDetached(
            "db:cutover",
            [
                "copy",
                "--selector",
                selector,
                "--whole-table",
                "plans",
                "--batch-rows",
                "500",
                "--cross-tenant",
                "skip",
            ],
            { KEYBUZZ_CUTOVER_SOURCE_URL: sourceUrl, KEYBUZZ_CUTOVER_TARGET_URL: targets.killed },
        );
        let err = "";
        child.stderr!.on("data", (d) => (err += d));
        let exited = false;
        child.on("close", () => (exited = true));
        // Kill it while messages are half copied, as seen from the target: committed batches
        // stay, the batch in flight is rolled back by the server.
        const watcher = await client(targets.killed);
        for (const deadline = Date.now() + 120_000; ;) {
            assert.ok(!exited, `the copy ended before it could be killed: ${err}`);
            assert.ok(Date.now() < deadline, "no progress to kill at");
            const n = await watcher.query("SELECT count(*)::int AS n FROM messages").then(
                (r) => r.rows[0].n,
                () => 0,
            );
            if (n >= 5000) break;
            await new Promise((r) => setTimeout(r, 10));
        }
        process.kill(-child.pid!, "SIGKILL");
        await watcher.end();
        await new Promise((r) => setTimeout(r, 300));
        const partial = await client(targets.killed);
        const messagesAfterKill = Number(
            (await partial.query("SELECT count(*) FROM messages")).rows[0].count,
        );
        await partial.end();
        assert.ok(
            messagesAfterKill > 0 && messagesAfterKill < 23999,
            `messages after the kill: ${messagesAfterKill}`,
        );
        const rerun = await cutover(
            ["copy", "--format", "json", "--batch-rows", "500"],
            targets.killed,
        );
        assert.equal(rerun.code, 0, rerun.stderr);
        assert.match(
            JSON.parse(rerun.stdout).tables.find((t: any) => t.table === "public.messages")
                .resumedAfter,
            /^id=\d+$/,
        );
        assert.deepEqual(await tableDigests(targets.killed), await tableDigests(targets.prod));
    });

    it("verify lists a row changed in the target after the copy and exits 1", async () => {
        assert.equal((await cutover(["copy"], targets.changed)).code, 0);
        const t = await client(targets.changed);
        const id = (await t.query("SELECT min(id) AS id FROM messages")).rows[0].id;
        await t.query("UPDATE messages SET body = 'edited after the copy' WHERE id = $1", [id]);
        await t.end();
        const verify = await cutover(["verify"], targets.changed);
        assert.equal(verify.code, 1, verify.stdout);
        assert.match(
            verify.stdout,
            new RegExp(`public\\.messages .*DIFFERENT\\n\\s+differs: id=${id}\\n`),
        );
    });

    it("a write on the source fails: the runbook's role cannot, and the tool's own transaction is read only", async () => {
        const reader = await client(sourceUrl);
        await assert.rejects(
            reader.query("INSERT INTO plans(name) VALUES ('x')"),
            /permission denied/,
        );
        await reader.query("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY");
        await assert.rejects(
            reader.query("SELECT 1 FROM plans FOR UPDATE"),
            /read-only transaction/,
        );
        await reader.end();
        const su = await client(pg.url("postgres", SUPERUSER_PASSWORD, "keybuzz"));
        await su.query("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY");
        await assert.rejects(
            su.query("DELETE FROM audit_events"),
            /cannot execute DELETE in a read-only transaction/,
        );
        await su.end();
    });

    it("a malformed selector, a wrong password and an unreachable server each give exit 2 with the reason and no password", async () => {
        const bad = path.join(tmp, "bad.json");
        fs.writeFileSync(
            bad,
            JSON.stringify({
                exclude: [{ column: "owner_email", endsWith: "@example.com", startsWith: "x" }],
            }),
        );
        const malformed = await npmRunAsync("db:cutover", ["plan", "--selector", bad], {
            KEYBUZZ_CUTOVER_SOURCE_URL: sourceUrl,
        });
        assert.equal(malformed.code, 2);
        assert.match(
            malformed.stderr,
            /selector file .*bad\.json is invalid at exclude\.0: each rule needs exactly one of/,
        );
        const notJson = path.join(tmp, "not.json");
        fs.writeFileSync(notJson, "{ tenants: ");
        assert.match(
            (
                await npmRunAsync("db:cutover", ["plan", "--selector", notJson], {
                    KEYBUZZ_CUTOVER_SOURCE_URL: sourceUrl,
                })
            ).stderr,
            /is not JSON/,
        );
        const wrong = await npmRunAsync("db:cutover", ["plan", "--selector", selector], {
            KEYBUZZ_CUTOVER_SOURCE_URL: pg.url(
                "keybuzz_cutover_reader",
                "not-the-password",
                "keybuzz",
            ),
        });
        assert.equal(wrong.code, 2);
        assert.match(
            wrong.stderr,
            /cannot connect to keybuzz_cutover_reader@127\.0\.0\.1:\d+\/keybuzz \(KEYBUZZ_CUTOVER_SOURCE_URL\): password authentication failed/,
        );
        assert.ok(!wrong.stderr.includes("not-the-password"));
        const unreachable = await npmRunAsync("db:cutover", ["plan", "--selector", selector], {
            KEYBUZZ_CUTOVER_SOURCE_URL: "postgresql://u:secret-pw@127.0.0.1:1/keybuzz",
        });
        assert.equal(unreachable.code, 2);
        assert.match(
            unreachable.stderr,
            /cannot connect to u@127\.0\.0\.1:1\/keybuzz .*ECONNREFUSED/,
        );
        assert.ok(!unreachable.stderr.includes("secret-pw"));
        const unset = await npmRunAsync("db:cutover", ["plan", "--selector", selector], {
            KEYBUZZ_CUTOVER_SOURCE_URL: "",
        });
        assert.equal(unset.code, 2);
        assert.match(unset.stderr, /KEYBUZZ_CUTOVER_SOURCE_URL is not set/);
        for (const r of [malformed, wrong, unreachable, unset])
            assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
    });
});
