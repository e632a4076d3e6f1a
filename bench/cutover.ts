/**
 * bench/cutover: `npm run db:cutover -- copy` of PROD's tenants (the audit's volumes, then 10×)
 * beside the peer, `pg_dump --data-only | psql` of the same whole tables (which cannot select
 * by tenant), in the same run, on a private PostgreSQL on loopback. Whole commands as users run
 * them; wall time and peak RSS of the whole process tree (GNU time's %M), median of 3. The
 * schema has diamonds (messages and conversations reach tenants two ways) and a self
 * reference (users.manager_id), so the cycle's deferred keys are part of the measured copy.
 */
import { spawnSync } from "node:child_process";
import { Client } from "pg";
import { loadKeybuzzShaped, TEST_OWNER_SUFFIX } from "../test/support/keybuzz-shaped-db";
import { startPrivatePostgres } from "../test/support/private-postgres";
import { ROOT } from "../test/support/stacks";
import { median } from "./stats";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const RUNS = Number(process.env.KEYBUZZ_BENCH_RUNS ?? 3);
const TABLES = [
    "plans",
    "tenants",
    "users",
    "conversations",
    "messages",
    "attachments",
    "conversation_participants",
];

function timedShell(script: string, env: NodeJS.ProcessEnv): { seconds: number; peakMiB: number } {
    const r = spawnSync("/usr/bin/time", ["-f", "%e %M", "bash", "-c", script], {
        cwd: ROOT,
        encoding: "utf8",
        env: { ...process.env, ...env },
        maxBuffer: 64 << 20,
    });
    if (r.status !== 0) throw new Error(`${script} failed: ${r.stderr.slice(-2000)}`);
    const [seconds, kib] = r.stderr.trim().split("\n").pop()!.split(" ").map(Number);
    return { seconds, peakMiB: kib / 1024 };
}

(async () => {
    const pg = await startPrivatePostgres("bench-superuser");
    const su = (db: string) =>
        new Client({
            host: "127.0.0.1",
            port: pg.port,
            user: "postgres",
            password: pg.superuserPassword,
            database: db,
        });
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "keybuzz-bench-cutover-"));
    const selector = path.join(tmp, "selector.json");
    fs.writeFileSync(
        selector,
        JSON.stringify({ exclude: [{ column: "owner_email", endsWith: TEST_OWNER_SUFFIX }] }),
    );
    try {
        for (const scale of [1, 10]) {
            const source = `keybuzz_x${scale}`;
            const c = su("postgres");
            await c.connect();
            await c.query(`CREATE DATABASE ${source}`);
            await c.end();
            const s = su(source);
            await s.connect();
            await loadKeybuzzShaped(s, scale);
            const wholeRows = Number(
                (
                    await s.query(
                        `SELECT (${TABLES.map((t) => `(SELECT count(*) FROM ${t})`).join(" + ")})::text AS n`,
                    )
                ).rows[0].n,
            );
            await s.end();
            const ours: { seconds: number; peakMiB: number; rows: number }[] = [];
            const peer: { seconds: number; peakMiB: number }[] = [];
            for (let i = 0; i < RUNS; i++) {
                for (const t of [`ours_${scale}_${i}`, `peer_${scale}_${i}`]) {
                    const a = su("postgres");
                    await a.connect();
                    await a.query(`CREATE DATABASE ${t}`);
                    await a.end();
                }
                const out = path.join(tmp, "copy.json");
                const run = timedShell(
                    `npm run -s db:cutover -- copy --selector ${selector} --whole-table plans --cross-tenant skip --format json --out ${out}${process.env.KEYBUZZ_BENCH_BATCH ? ` --batch-rows ${process.env.KEYBUZZ_BENCH_BATCH}` : ""}`,
                    {
                        KEYBUZZ_CUTOVER_SOURCE_URL: pg.url(
                            "postgres",
                            pg.superuserPassword,
                            source,
                        ),
                        KEYBUZZ_CUTOVER_TARGET_URL: pg.url(
                            "postgres",
                            pg.superuserPassword,
                            `ours_${scale}_${i}`,
                        ),
                    },
                );
                ours.push({ ...run, rows: JSON.parse(fs.readFileSync(out, "utf8")).rows });
                // The peer: schema first (not timed, as ours includes it: see the note below), then the data of the same whole tables.
                const env = {
                    PGHOST: "127.0.0.1",
                    PGPORT: String(pg.port),
                    PGUSER: "postgres",
                    PGPASSWORD: pg.superuserPassword,
                };
                const schema = spawnSync(
                    "bash",
                    ["-c", `pg_dump --schema-only -d ${source} | psql -q -d peer_${scale}_${i}`],
                    { env: { ...process.env, ...env } },
                );
                if (schema.status !== 0) throw new Error(schema.stderr.toString());
                peer.push(
                    timedShell(
                        `pg_dump --data-only ${TABLES.map((t) => `-t ${t}`).join(" ")} -d ${source} | psql -q -d peer_${scale}_${i}`,
                        env,
                    ),
                );
            }
            const o = median(ours.map((x) => x.seconds));
            const p = median(peer.map((x) => x.seconds));
            const rows = ours[0].rows;
            console.log(
                `bench/cutover — scale ${scale}× (${rows.toLocaleString("en")} PROD rows of ${wholeRows.toLocaleString("en")} in the tables): ` +
                    `db:cutover copy ${o.toFixed(2)} s = ${Math.round(rows / o).toLocaleString("en")} rows/s, peak ${median(ours.map((x) => x.peakMiB)).toFixed(0)} MiB; ` +
                    `pg_dump --data-only | psql ${p.toFixed(2)} s = ${Math.round(wholeRows / p).toLocaleString("en")} rows/s, peak ${median(peer.map((x) => x.peakMiB)).toFixed(0)} MiB; ` +
                    `time ratio ours/peer ${(o / p).toFixed(2)}× (medians of ${RUNS}; ours includes npm and Node start, schema creation, tenant selection and sequence moves)`,
            );
        }
    } finally {
        pg.stop();
        fs.rmSync(tmp, { recursive: true, force: true });
    }
})().catch((e) => {
    console.error(e);
    process.exit(1);
});
