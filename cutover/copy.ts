/**
 * `db:cutover copy`: the moving rows, table by table in foreign-key order, in keyed batches.
 * Each batch is one target transaction fed by COPY from the source, so an interruption
 * (even SIGKILL) loses at most the batch in flight, and a re-run starts each table after
 * the highest key the target already holds: it continues and never duplicates. The source
 * is read in one REPEATABLE READ, READ ONLY transaction: one consistent snapshot, no writes.
 */
import { spawn } from "node:child_process";
import { pipeline } from "node:stream/promises";
import { Client } from "pg";
import { from as copyFrom, to as copyTo } from "pg-copy-streams";
import { quoteIdent, Table } from "./catalog";
import { Connection } from "./connection";
import { Selection } from "./selection";

export interface CopyProgress {
    (event: { table: string; copied: number; total: number; done: boolean }): void;
}

export interface CopyResult {
    readonly schemaCreated: boolean;
    readonly tables: { table: string; copied: number; resumedAfter?: string }[];
    readonly rows: number;
    readonly seconds: number;
}

export class CopyError extends Error {}

/** Runs pg_dump | psql for the source's schema (no data, no owners, no grants) into an empty target. */
async function createSchema(source: Connection, target: Connection): Promise<void> {
    const dump = spawn(
        "pg_dump",
        ["--schema-only", "--no-owner", "--no-privileges", "--no-comments"],
        { env: { ...process.env, ...source.libpqEnv }, stdio: ["ignore", "pipe", "pipe"] },
    );
    const psql = spawn(
        "psql",
        ["--no-psqlrc", "--quiet", "--set", "ON_ERROR_STOP=1", "--single-transaction"],
        { env: { ...process.env, ...target.libpqEnv }, stdio: ["pipe", "ignore", "pipe"] },
    );
    let errors = "";
    dump.stderr.on("data", (d) => (errors += d));
    psql.stderr.on("data", (d) => (errors += d));
    dump.stdout.pipe(psql.stdin);
    const exit = (p: ReturnType<typeof spawn>) =>
        new Promise<number>(
            (resolve, reject) => (
                p.on("error", reject),
                p.on("close", (code) => resolve(code ?? 1))
            ),
        );
    let codes: number[];
    try {
        codes = await Promise.all([exit(dump), exit(psql)]);
    } catch (e) {
        throw new CopyError(
            `cannot run pg_dump/psql to create the schema: ${(e as Error).message}; install the PostgreSQL client (apt-get install postgresql-client)`,
        );
    }
    if (codes.some((c) => c !== 0))
        throw new CopyError(
            `creating the schema in ${target.label} failed: ${errors.trim().split("\n").slice(-3).join(" / ")}`,
        );
}

async function targetState(
    target: Client,
    names: string[],
): Promise<"empty" | "complete" | string[]> {
    const r = await target.query<{ name: string }>(
        `SELECT n.nspname || '.' || c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r','p') AND n.nspname || '.' || c.relname = ANY($1)`,
        [names],
    );
    const have = new Set(r.rows.map((x) => x.name));
    if (have.size === 0) return "empty";
    if (have.size === names.length) return "complete";
    return names.filter((n) => !have.has(n));
}

const keyList = (t: Table, alias: string) =>
    `(${t.primaryKey.map((k) => `${alias}.${quoteIdent(k)}`).join(", ")})`;
const typeOf = (t: Table, col: string) => t.columns.find((c) => c.name === col)!.type;

export async function copyCutover(
    source: Client,
    target: Client,
    conns: { source: Connection; target: Connection },
    sel: Selection,
    options: { batchRows: number; progress: CopyProgress },
): Promise<CopyResult> {
    const t0 = Date.now();
    if (sel.blockers.length)
        throw new CopyError(
            `refusing to copy:\n  - ${sel.blockers.join("\n  - ")}\nrun plan to see them in context`,
        );
    const state = await targetState(target, [
        ...sel.order.map((t) => t.name),
        ...sel.unplaced.map((t) => t.name),
    ]);
    if (Array.isArray(state))
        throw new CopyError(
            `the target ${conns.target.label} has part of the schema (missing: ${state.slice(0, 5).join(", ")}); copy into an empty database or one this tool created`,
        );
    if (state === "empty") await createSchema(conns.source, conns.target);
    const literal = (s: string) => target.escapeLiteral(s);
    const results: CopyResult["tables"] = [];
    let rows = 0;
    for (const t of sel.order) {
        const cols = t.columns.map((c) => quoteIdent(c.name)).join(", ");
        // Keys travel as text (k0, k1, …) and are cast back to their column types in SQL.
        const keyText = (alias: string) =>
            t.primaryKey.map((k, i) => `${alias}.${quoteIdent(k)}::text AS k${i}`).join(", ");
        const keyOrder = (alias: string, dir = "") =>
            t.primaryKey.map((k) => `${alias}.${quoteIdent(k)}${dir}`).join(", ");
        const keyLiteral = (row: Record<string, string>) =>
            `(${t.primaryKey.map((k, i) => `${literal(row[`k${i}`])}::${typeOf(t, k)}`).join(", ")})`;
        const last = await target.query<Record<string, string>>(
            `SELECT ${keyText("x")} FROM ${t.sql} x ORDER BY ${keyOrder("x", " DESC")} LIMIT 1`,
        );
        let after = last.rows[0];
        const total = Number(
            (
                await source.query<{ n: string }>(
                    `SELECT count(*)::text AS n FROM (${sel.rowsSql(t)}) s`,
                )
            ).rows[0].n,
        );
        let copied = after
            ? Number(
                  (await target.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${t.sql}`))
                      .rows[0].n,
              )
            : 0;
        const resumedAfter = after
            ? t.primaryKey.map((k, i) => `${k}=${after![`k${i}`]}`).join(",")
            : undefined;
        let thisRun = 0;
        options.progress({ table: t.name, copied, total, done: false });
        for (;;) {
            const from = after ? ` AND ${keyList(t, "r")} > ${keyLiteral(after)}` : "";
            const end = await source.query<Record<string, string>>(
                `SELECT ${keyText("b")} FROM (${sel.rowsSql(t)}${from}) b ORDER BY ${keyOrder("b")} OFFSET ${options.batchRows - 1} LIMIT 1`,
            );
            const upTo = end.rows[0] ? ` AND ${keyList(t, "r")} <= ${keyLiteral(end.rows[0])}` : "";
            await target.query("BEGIN");
            try {
                const sink = target.query(copyFrom(`COPY ${t.sql} (${cols}) FROM STDIN`));
                const stream = source.query(
                    copyTo(
                        `COPY (${sel.rowsSql(t)}${from}${upTo} ORDER BY ${keyOrder("r")}) TO STDOUT`,
                    ),
                );
                await pipeline(stream, sink);
                await target.query("COMMIT");
                const n = Number(sink.rowCount ?? 0);
                copied += n;
                thisRun += n;
            } catch (e) {
                await target.query("ROLLBACK").catch(() => undefined);
                throw e;
            }
            options.progress({ table: t.name, copied, total, done: !end.rows[0] });
            if (!end.rows[0]) break;
            after = end.rows[0];
        }
        rows += thisRun;
        results.push({ table: t.name, copied: thisRun, resumedAfter });
        for (const s of t.sequences) {
            const src = (
                await source.query<{ v: string; called: boolean }>(
                    `SELECT last_value::text AS v, is_called AS called FROM ${s.sequence}`,
                )
            ).rows[0];
            const max = (
                await target.query<{ m: string | null }>(
                    `SELECT max(${quoteIdent(s.column)})::text AS m FROM ${t.sql}`,
                )
            ).rows[0].m;
            const issued = BigInt(src.v) - (src.called ? 0n : 1n);
            const past = max !== null && BigInt(max) > issued ? BigInt(max) : issued;
            if (past >= 1n)
                await target.query(`SELECT setval($1::regclass, $2::bigint, true)`, [
                    s.sequence,
                    past.toString(),
                ]);
        }
    }
    return {
        schemaCreated: state === "empty",
        tables: results,
        rows,
        seconds: (Date.now() - t0) / 1000,
    };
}
