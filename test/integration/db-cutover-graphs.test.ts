import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Client } from "pg";
import {
    allRowsSql,
    crossTenantOracleSql,
    generateSchema,
    GeneratedSchema,
    oracleSql,
} from "../support/random-schemas";
import { PrivatePostgres, startPrivatePostgres } from "../support/private-postgres";
import { npmRunAsync, npmSpawnDetached } from "../support/run";

const PASSWORD = "graphs-superuser-41f0";
/** How many generated schemas run here (bench/cutover runs hundreds). */
const SCHEMAS = Number(process.env.KEYBUZZ_CUTOVER_SCHEMAS ?? 10);

describe("db:cutover on the schemas people have: diamonds, self references, cycles, composite keys", function () {
    this.timeout(600_000);
    let pg: PrivatePostgres;
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "keybuzz-graphs-"));
    const selector = path.join(tmp, "selector.json");
    fs.writeFileSync(
        selector,
        JSON.stringify({ exclude: [{ column: "is_test", equals: "true", why: "test tenants" }] }),
    );
    const url = (db: string) => pg.url("postgres", PASSWORD, db);
    const sql = async <T = Record<string, unknown>>(db: string, text: string) => {
        const c = new Client({ connectionString: url(db) });
        await c.connect();
        try {
            return (await c.query(text)).rows as T[];
        } finally {
            await c.end();
        }
    };
    const cutover = (args: string[], source: string, target = "") =>
        npmRunAsync("db:cutover", [...args, "--selector", selector], {
            KEYBUZZ_CUTOVER_SOURCE_URL: url(source),
            KEYBUZZ_CUTOVER_TARGET_URL: target ? url(target) : "",
        });
    const rowsOf = async (db: string, text: string) =>
        (await sql<{ row: string }>(db, text)).map((r) => r.row);
    async function create(s: GeneratedSchema, name: string) {
        await sql("postgres", `CREATE DATABASE ${name}`);
        await sql("postgres", `CREATE DATABASE ${name}_t`);
        for (const q of [...s.load, ...s.constraints]) await sql(name, q);
    }
    /** The tool's "public.t1" / "a=1,b=2" as the oracle's "t1|(1,2)". */
    const asOracle = (r: { table: string; key: string }) =>
        `${r.table.replace(/^public\./, "")}|(${r.key
            .split(",")
            .map((kv) => kv.slice(kv.indexOf("=") + 1))
            .join(",")})`;

    before(async () => {
        pg = await startPrivatePostgres(PASSWORD);
    });
    after(() => {
        pg?.stop();
        fs.rmSync(tmp, { recursive: true, force: true });
    });

    it("the issue's KeyBuzz-like schema: a diamond of foreign keys copies, cross-tenant rows are listed and handled by the declared rule", async () => {
        await sql("postgres", "CREATE DATABASE kb");
        for (const name of ["kb_skip", "kb_null", "kb_refused"])
            await sql("postgres", `CREATE DATABASE ${name}`);
        await sql(
            "kb",
            `CREATE TABLE tenants (id serial PRIMARY KEY, name text NOT NULL, is_test boolean NOT NULL);
             CREATE TABLE users (id serial PRIMARY KEY, tenant_id int NOT NULL REFERENCES tenants, manager_id int REFERENCES users, email text NOT NULL);
             CREATE TABLE conversations (id serial PRIMARY KEY, tenant_id int NOT NULL REFERENCES tenants, assignee_id int REFERENCES users, subject text);
             CREATE TABLE messages (id serial PRIMARY KEY, conversation_id int NOT NULL REFERENCES conversations, author_id int REFERENCES users, body text);
             CREATE TABLE attachments (id serial PRIMARY KEY, message_id int NOT NULL REFERENCES messages, name text);
             CREATE TABLE tags (id serial PRIMARY KEY, tenant_id int NOT NULL REFERENCES tenants, label text);
             CREATE TABLE login_log (tenant_id int NOT NULL REFERENCES tenants, at timestamptz NOT NULL);
             INSERT INTO tenants (name, is_test) VALUES ('acme', false), ('test-saas', true), ('globex', false);
             -- ids are chosen so that conversations sort before the users they point at: the old
             -- placement-path order (conversations at depth 1) copied them first and failed.
             INSERT INTO users (id, tenant_id, manager_id, email) VALUES (100, 1, NULL, 'boss@acme'), (101, 1, 100, 'agent@acme'), (102, 2, NULL, 'qa@test'), (103, 3, NULL, 'a@globex');
             INSERT INTO conversations (id, tenant_id, assignee_id, subject) VALUES (1, 1, 101, 'order 1'), (2, 1, 102, 'assigned to a test account'), (3, 3, 103, 'globex'), (4, 2, 102, 'test');
             INSERT INTO messages (conversation_id, author_id, body) VALUES (1, 101, 'hello'), (2, 101, 'in the cross-tenant conversation'), (3, NULL, 'x'), (4, 102, 'test');
             INSERT INTO attachments (message_id, name) SELECT id, 'file-' || id FROM messages;
             INSERT INTO tags (tenant_id, label) VALUES (1, 'vip'), (2, 'test'), (3, 'new');
             INSERT INTO login_log VALUES (1, now()), (2, now()), (3, now());`,
        );
        const plan = await cutover(["plan", "--format", "json"], "kb");
        assert.equal(plan.code, 1, "plan exits 1 while the copy would refuse: " + plan.stderr);
        const p = JSON.parse(plan.stdout);
        assert.ok(
            p.order.indexOf("public.users") < p.order.indexOf("public.conversations"),
            p.order.join(", "),
        );
        assert.deepEqual(
            p.crossTenant.map((r: any) => `${r.table} ${r.key}`),
            ["public.attachments id=2", "public.conversations id=2", "public.messages id=2"],
        );
        assert.match(
            p.crossTenant.find((r: any) => r.table === "public.conversations").reason,
            /assignee_id → public\.users \(id=102\) stays/,
        );
        assert.ok(p.blockers.some((b: string) => /--cross-tenant skip/.test(b)));
        assert.ok(
            p.warnings.some((w: string) =>
                /cycle public\.users: public\.users\.manager_id → public\.users copied as NULL/.test(
                    w,
                ),
            ),
            p.warnings.join("\n"),
        );
        assert.ok(p.warnings.some((w: string) => /public\.login_log has no primary key/.test(w)));

        const refused = await cutover(["copy"], "kb", "kb_refused");
        assert.equal(refused.code, 2, refused.stdout);
        assert.match(refused.stderr, /public\.conversations id=2: assignee_id → public\.users/);
        assert.deepEqual(
            await sql("kb_refused", "SELECT relname FROM pg_class WHERE relname = 'tenants'"),
            [],
            "a refused copy wrote nothing",
        );

        const skip = await cutover(["copy", "--cross-tenant", "skip"], "kb", "kb_skip");
        assert.equal(skip.code, 0, skip.stderr);
        assert.deepEqual(
            (await sql<{ id: number }>("kb_skip", "SELECT id FROM conversations ORDER BY id")).map(
                (r) => r.id,
            ),
            [1, 3],
        );
        assert.deepEqual(
            await sql("kb_skip", "SELECT id, manager_id FROM users ORDER BY id"),
            [
                { id: 100, manager_id: null },
                { id: 101, manager_id: 100 },
                { id: 103, manager_id: null },
            ],
            "the self reference is set after the copy",
        );
        assert.equal(
            Number(
                (await sql<{ n: string }>("kb_skip", "SELECT count(*) AS n FROM login_log"))[0].n,
            ),
            2,
        );
        const verifySkip = await cutover(["verify", "--cross-tenant", "skip"], "kb", "kb_skip");
        assert.equal(verifySkip.code, 0, verifySkip.stdout);

        const nul = await cutover(["copy", "--cross-tenant", "null"], "kb", "kb_null");
        assert.equal(nul.code, 0, nul.stderr);
        assert.deepEqual(
            await sql("kb_null", "SELECT id, assignee_id FROM conversations ORDER BY id"),
            [
                { id: 1, assignee_id: 101 },
                { id: 2, assignee_id: null },
                { id: 3, assignee_id: 103 },
            ],
        );
        assert.equal(
            Number(
                (await sql<{ n: string }>("kb_null", "SELECT count(*) AS n FROM attachments"))[0].n,
            ),
            3,
        );
        const verifyNull = await cutover(["verify", "--cross-tenant", "null"], "kb", "kb_null");
        assert.equal(verifyNull.code, 0, verifyNull.stdout);
    });

    it("two tables referencing each other through NOT NULL keys: refused before anything is written, naming the cycle", async () => {
        await sql("postgres", "CREATE DATABASE nn");
        await sql("postgres", "CREATE DATABASE nn_t");
        await sql(
            "nn",
            `CREATE TABLE tenants (id int PRIMARY KEY, is_test boolean NOT NULL);
             CREATE TABLE a (id int PRIMARY KEY, tenant_id int NOT NULL REFERENCES tenants, b_id int NOT NULL);
             CREATE TABLE b (id int PRIMARY KEY, a_id int NOT NULL REFERENCES a);
             INSERT INTO tenants VALUES (1, false); INSERT INTO a VALUES (1, 1, 1); INSERT INTO b VALUES (1, 1);
             ALTER TABLE a ADD FOREIGN KEY (b_id) REFERENCES b;`,
        );
        const copy = await cutover(["copy"], "nn", "nn_t");
        assert.equal(copy.code, 2);
        assert.match(
            copy.stderr,
            /tables public\.a, public\.b reference each other through NOT NULL keys only \(.*public\.a\.b_id → public\.b.*\): no row order satisfies them; make one of these columns nullable/,
        );
        assert.deepEqual(await sql("nn_t", "SELECT relname FROM pg_class WHERE relname = 'a'"), []);
    });

    it(`${SCHEMAS} generated schemas: what arrives equals an independent recursive-SQL oracle; refusals where no order exists`, async () => {
        const summary: string[] = [];
        for (let seed = 1; seed <= SCHEMAS; seed++) {
            const s = generateSchema(seed);
            const db = `g${seed}`;
            await create(s, db);
            const label = `seed ${seed}: ${s.description}`;
            const plan = await cutover(["plan", "--format", "json", "--cross-tenant", "skip"], db);
            if (s.unbreakableCycle) {
                assert.equal(plan.code, 1, label);
                assert.match(plan.stdout, /NOT NULL keys only/, label);
                const copy = await cutover(["copy", "--cross-tenant", "skip"], db, `${db}_t`);
                assert.equal(copy.code, 2, label);
                summary.push(`${seed}: refused (NOT NULL cycle)`);
                continue;
            }
            assert.equal(plan.code, 0, `${label}\n${plan.stdout}${plan.stderr}`);
            const expectedCross = await rowsOf(db, crossTenantOracleSql(s));
            const p = JSON.parse(plan.stdout);
            assert.deepEqual(
                p.crossTenant.map(asOracle).sort(),
                [...expectedCross].sort(),
                `${label}: cross-tenant rows`,
            );
            const copy = await cutover(["copy", "--cross-tenant", "skip"], db, `${db}_t`);
            assert.equal(copy.code, 0, `${label}\n${copy.stderr}`);
            const expected = await rowsOf(db, oracleSql(s));
            assert.deepEqual(await rowsOf(`${db}_t`, allRowsSql(s)), expected, label);
            const verify = await cutover(["verify", "--cross-tenant", "skip"], db, `${db}_t`);
            assert.equal(verify.code, 0, `${label}\n${verify.stdout}`);
            summary.push(`${seed}: ${expected.length} rows, ${expectedCross.length} cross-tenant`);
        }
        assert.equal(summary.length, SCHEMAS);
    });

    it("a generated schema with a self reference and a cycle, killed (SIGKILL) mid-copy and re-run, ends equal to the oracle", async () => {
        // The first seed whose schema has a self reference or a nullable cycle and more than one table.
        let s: GeneratedSchema | undefined;
        for (let seed = 100; !s; seed++) {
            const g = generateSchema(seed, 200);
            const cyclic = g.fks.some(
                (f) =>
                    f.child === f.parent ||
                    g.tables.findIndex((t) => t.name === f.parent) >
                        g.tables.findIndex((t) => t.name === f.child),
            );
            if (cyclic && !g.unbreakableCycle && g.tables.length >= 3) s = g;
        }
        await create(s, "killed");
        const child = npmSpawnDetached(
            "db:cutover",
            ["copy", "--selector", selector, "--cross-tenant", "skip", "--batch-rows", "5"],
            {
                KEYBUZZ_CUTOVER_SOURCE_URL: url("killed"),
                KEYBUZZ_CUTOVER_TARGET_URL: url("killed_t"),
            },
        );
        let exited = false;
        child.on("close", () => (exited = true));
        const expected = await rowsOf("killed", oracleSql(s));
        const count = s.tables.map((t) => `(SELECT count(*) FROM ${t.name})`).join(" + ");
        for (const deadline = Date.now() + 120_000; ;) {
            assert.ok(!exited, "the copy ended before it could be killed");
            assert.ok(Date.now() < deadline, "no progress to kill at");
            const n = await sql<{ n: number }>("killed_t", `SELECT (${count})::int AS n`).then(
                (r) => r[0].n,
                () => 0,
            );
            if (n >= expected.length / 4) break;
            await new Promise((r) => setTimeout(r, 5));
        }
        process.kill(-child.pid!, "SIGKILL");
        await new Promise((r) => setTimeout(r, 300));
        const partial = await rowsOf("killed_t", allRowsSql(s));
        assert.ok(
            partial.length < expected.length,
            `killed after ${partial.length}/${expected.length} rows`,
        );
        const rerun = await cutover(
            ["copy", "--cross-tenant", "skip", "--batch-rows", "5"],
            "killed",
            "killed_t",
        );
        assert.equal(rerun.code, 0, rerun.stderr);
        assert.deepEqual(await rowsOf("killed_t", allRowsSql(s)), expected);
        const verify = await cutover(["verify", "--cross-tenant", "skip"], "killed", "killed_t");
        assert.equal(verify.code, 0, verify.stdout);
    });
});
