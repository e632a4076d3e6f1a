/**
 * bench/cutover-graphs: hundreds of generated schemas (test/support/random-schemas.ts:
 * diamonds, chains, self references, cycles, composite keys, nullable and NOT NULL
 * references, 0–5 levels), each planned, copied and verified on a private PostgreSQL, and
 * what arrived compared with the independent recursive-SQL oracle. The test runs a few
 * through npm (test/integration/db-cutover-graphs.test.ts); this runs many in one process,
 * through the same modules the command runs, so that hundreds fit in minutes.
 * KEYBUZZ_BENCH_SCHEMAS (default 300) and KEYBUZZ_BENCH_SCALE (rows, default 1).
 */
import { Client } from "pg";
import { readCatalog } from "../cutover/catalog";
import { connectionFromUrl } from "../cutover/connection";
import { copyCutover } from "../cutover/copy";
import { computeMembership } from "../cutover/membership";
import { select } from "../cutover/selection";
import { verifyCutover } from "../cutover/verify";
import { startPrivatePostgres } from "../test/support/private-postgres";
import {
    allRowsSql,
    crossTenantOracleSql,
    generateSchema,
    oracleSql,
} from "../test/support/random-schemas";

const SCHEMAS = Number(process.env.KEYBUZZ_BENCH_SCHEMAS ?? 300);
const SCALE = Number(process.env.KEYBUZZ_BENCH_SCALE ?? 1);

(async () => {
    const pg = await startPrivatePostgres("bench-graphs");
    const url = (db: string) => pg.url("postgres", pg.superuserPassword, db);
    const run = async (db: string, text: string) => {
        const c = new Client({ connectionString: url(db) });
        await c.connect();
        try {
            return (await c.query(text)).rows;
        } finally {
            await c.end();
        }
    };
    const tally = { agreed: 0, refused: 0, disagreed: 0, rows: 0, cross: 0, cyclic: 0 };
    const failures: string[] = [];
    const t0 = performance.now();
    try {
        for (let seed = 1; seed <= SCHEMAS; seed++) {
            const s = generateSchema(seed, SCALE);
            const db = `g${seed}`;
            await run("postgres", `CREATE DATABASE ${db}`);
            await run("postgres", `CREATE DATABASE ${db}_t`);
            for (const q of [...s.load, ...s.constraints]) await run(db, q);
            const source = new Client({ connectionString: url(db) });
            const target = new Client({ connectionString: url(`${db}_t`) });
            await source.connect();
            await target.connect();
            try {
                await source.query("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY");
                const sel = select(
                    await readCatalog(source),
                    {
                        tenantTable: "tenants",
                        selector: {
                            tenantTable: "tenants",
                            include: [],
                            exclude: [{ column: "is_test", equals: "true" }],
                        },
                        file: "bench",
                    },
                    [],
                    (x) => source.escapeLiteral(x),
                );
                if (sel.deferred.size) tally.cyclic++;
                if (s.unbreakableCycle) {
                    if (sel.blockers.some((b) => /NOT NULL keys only/.test(b))) tally.refused++;
                    else failures.push(`seed ${seed}: a NOT NULL cycle was not refused`);
                    continue;
                }
                const m = await computeMembership(source, sel, "skip");
                await copyCutover(
                    source,
                    target,
                    {
                        source: connectionFromUrl(url(db), "source"),
                        target: connectionFromUrl(url(`${db}_t`), "target"),
                    },
                    sel,
                    m,
                    { batchRows: 7, progress: () => undefined },
                );
                const checks = await verifyCutover(source, target, sel, m);
                const expected = (await run(db, oracleSql(s))).map((r) => r.row);
                const arrived = (await run(`${db}_t`, allRowsSql(s))).map((r) => r.row);
                const cross = (await run(db, crossTenantOracleSql(s))).length;
                if (
                    JSON.stringify(expected) === JSON.stringify(arrived) &&
                    checks.every((c) => c.equal) &&
                    cross === m.crossTenant.length
                ) {
                    tally.agreed++;
                    tally.rows += expected.length;
                    tally.cross += cross;
                } else {
                    tally.disagreed++;
                    failures.push(
                        `seed ${seed} (${s.description}): oracle ${expected.length} rows, arrived ${arrived.length}, cross-tenant ${cross} vs ${m.crossTenant.length}`,
                    );
                }
            } catch (e) {
                tally.disagreed++;
                failures.push(`seed ${seed} (${s.description}): ${(e as Error).message}`);
            } finally {
                await source.end();
                await target.end();
                await run("postgres", `DROP DATABASE ${db}`);
                await run("postgres", `DROP DATABASE ${db}_t`);
            }
        }
    } finally {
        pg.stop();
    }
    const seconds = (performance.now() - t0) / 1000;
    console.log(
        `bench/cutover-graphs — ${SCHEMAS} generated schemas (scale ${SCALE}): ${tally.agreed} equal to the oracle (${tally.rows.toLocaleString("en")} rows, ${tally.cross} cross-tenant rows listed), ${tally.refused} NOT NULL cycles refused, ${tally.disagreed} disagreed; ${tally.cyclic} had a cycle or self reference broken out; ${seconds.toFixed(0)} s`,
    );
    for (const f of failures.slice(0, 20)) console.log(`  ${f}`);
    process.exit(tally.disagreed ? 1 : 0);
})().catch((e) => {
    console.error(e);
    process.exit(1);
});
