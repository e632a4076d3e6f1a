/**
 * `db:cutover copy`: the moving rows, table by table in foreign-key order, in keyed batches.
 * Each batch is one target transaction fed by COPY from the source, so an interruption
 * (even SIGKILL) loses at most the batch in flight, and a re-run starts each table after
 * the highest key the target already holds: it continues and never duplicates. A table
 * without a primary key is copied in one transaction (a re-run finds it complete or empty).
 * Keys broken out of a cycle arrive NULL and are set once every table is copied (again on a
 * re-run: it is idempotent). The source is read in one REPEATABLE READ, READ ONLY
 * transaction: one consistent snapshot, no writes.
 */
import { spawn } from "node:child_process";
import { pipeline } from "node:stream/promises";
import { Client } from "pg";
import { from as copyFrom, to as copyTo } from "pg-copy-streams";
import { quoteIdent, Table } from "./catalog";
import { Connection } from "./connection";
import { identityOrder, keyText, Membership, TableRows } from "./membership";
import { rowsByKeySql } from "./rows-sql";
import { Selection } from "./selection";

export interface CopyProgress {
    (event: { table: string; copied: number; total: number; done: boolean }): void;
}

export interface CopyResult {
    readonly schemaCreated: boolean;
    readonly tables: { table: string; copied: number; resumedAfter?: string }[];
    /** Cycle-breaking keys set after the copy, per table: rows updated. */
    readonly deferredSet: { table: string; columns: string[]; rows: number }[];
    /** Rows the cross-tenant rule left in the source or moved with a reference cleared. */
    readonly crossTenant: { skipped: number; nulled: number };
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

const typeOf = (t: Table, col: string) => t.columns.find((c) => c.name === col)!.type;

/** The copy refuses cross-tenant rows unless a rule was declared (README, "Data cutover"). */
export function crossTenantRefusal(m: Membership): string | undefined {
    if (m.rule !== "refuse" || m.crossTenant.length === 0) return undefined;
    const shown = m.crossTenant
        .slice(0, 10)
        .map((r) => `${r.table} ${r.key}: ${r.reason}`)
        .join("\n  - ");
    return `${m.crossTenant.length} row(s) reach a moving tenant but point at rows that stay:\n  - ${shown}${m.crossTenant.length > 10 ? `\n  - … and ${m.crossTenant.length - 10} more (plan lists them all)` : ""}\ndeclare what to do with them: --cross-tenant skip (they stay, with the rows that need them) or --cross-tenant null (the reference is set to NULL where the column allows)`;
}

export async function copyCutover(
    source: Client,
    target: Client,
    conns: { source: Connection; target: Connection },
    sel: Selection,
    membership: Membership,
    options: { batchRows: number; progress: CopyProgress },
): Promise<CopyResult> {
    const t0 = Date.now();
    if (sel.blockers.length)
        throw new CopyError(
            `refusing to copy:\n  - ${sel.blockers.join("\n  - ")}\nrun plan to see them in context`,
        );
    const refusal = crossTenantRefusal(membership);
    if (refusal) throw new CopyError(`refusing to copy: ${refusal}`);
    const state = await targetState(target, [
        ...sel.order.map((t) => t.name),
        ...sel.unplaced.map((t) => t.name),
    ]);
    if (Array.isArray(state))
        throw new CopyError(
            `the target ${conns.target.label} has part of the schema (missing: ${state.slice(0, 5).join(", ")}); copy into an empty database or one this tool created`,
        );
    if (state === "empty") await createSchema(conns.source, conns.target);
    const results: CopyResult["tables"] = [];
    let rows = 0;
    for (const t of sel.order) {
        const tr = membership.tables.get(t.name)!;
        const done = await copyTable(source, target, t, tr, sel, options);
        rows += done.copied;
        results.push(done);
        await moveSequences(source, target, t);
    }
    const deferredSet = await setDeferred(target, sel, membership);
    return {
        schemaCreated: state === "empty",
        tables: results,
        deferredSet,
        crossTenant: {
            skipped: membership.crossTenant.filter((r) => r.handling === "skipped").length,
            nulled: membership.crossTenant.filter((r) => r.handling === "nulled").length,
        },
        rows,
        seconds: (Date.now() - t0) / 1000,
    };
}

async function copyTable(
    source: Client,
    target: Client,
    t: Table,
    tr: TableRows,
    sel: Selection,
    options: { batchRows: number; progress: CopyProgress },
): Promise<CopyResult["tables"][number]> {
    const literal = (s: string) => source.escapeLiteral(s);
    const cols = t.columns.map((c) => quoteIdent(c.name)).join(", ");
    const nullAlways = new Set((sel.deferred.get(t.name) ?? []).flatMap((f) => f.columns));
    const total = tr.moving.length;
    let copied = 0;
    let pending = tr.moving;
    let resumedAfter: string | undefined;
    if (t.primaryKey.length === 0) {
        // One transaction: the target holds all of it or none.
        copied = Number(
            (await target.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${t.sql}`)).rows[0]
                .n,
        );
        if (copied > 0) pending = [];
        resumedAfter = copied > 0 ? "complete (copied in one transaction before)" : undefined;
    } else {
        const keyCols = t.primaryKey.map((k, i) => `x.${quoteIdent(k)}::text AS k${i}`).join(", ");
        const last = (
            await target.query<Record<string, string>>(
                `SELECT ${keyCols} FROM ${t.sql} x ORDER BY ${t.primaryKey.map((k) => `x.${quoteIdent(k)} DESC`).join(", ")} LIMIT 1`,
            )
        ).rows[0];
        if (last) {
            const key = t.primaryKey.map((_, i) => last[`k${i}`]);
            // Rows are read in key order from the same snapshot: the rows at or before the
            // target's last key are a prefix of that order, counted by the source itself.
            const atOrBefore = Number(
                (
                    await source.query<{ n: string }>(
                        `SELECT count(*)::text AS n FROM ${t.sql} r WHERE (${identityOrder(t, "r")}) <= (${t.primaryKey.map((k, i) => `${literal(key[i])}::${typeOf(t, k)}`).join(", ")})`,
                    )
                ).rows[0].n,
            );
            pending = tr.moving.filter((i) => i >= atOrBefore);
            copied = total - pending.length;
            resumedAfter = keyText(t, key);
        }
    }
    options.progress({ table: t.name, copied, total, done: pending.length === 0 });
    const batch = t.primaryKey.length === 0 ? Math.max(1, pending.length) : options.batchRows;
    let thisRun = 0;
    for (let at = 0; at < pending.length; at += batch) {
        const slice = pending.slice(at, at + batch);
        await target.query("BEGIN");
        try {
            const sink = target.query(copyFrom(`COPY ${t.sql} (${cols}) FROM STDIN`));
            const stream = source.query(
                copyTo(`COPY (${rowsByKeySql(tr, slice, { nullAlways, literal })}) TO STDOUT`),
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
        options.progress({
            table: t.name,
            copied,
            total,
            done: at + batch >= pending.length,
        });
    }
    return { table: t.name, copied: thisRun, resumedAfter };
}

async function moveSequences(source: Client, target: Client, t: Table): Promise<void> {
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

/** COPY text format for one field. */
const copyField = (v: string | null) =>
    v === null
        ? "\\N"
        : v.replace(
              /[\\\n\r\t]/g,
              (m) => ({ "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t" })[m]!,
          );

/**
 * Sets the cycle-breaking keys to their source values (or NULL where the rule cleared them)
 * in one target transaction per table, through a temporary table: every row they point at
 * is in the target by now. Rows already right are not touched, so a re-run does nothing.
 */
async function setDeferred(
    target: Client,
    sel: Selection,
    membership: Membership,
): Promise<CopyResult["deferredSet"]> {
    const out: CopyResult["deferredSet"] = [];
    for (const [name, fks] of sel.deferred) {
        const tr = membership.tables.get(name)!;
        const t = tr.table;
        const columns = [...new Set(fks.flatMap((f) => f.columns))];
        await target.query("BEGIN");
        try {
            await target.query(
                `CREATE TEMP TABLE keybuzz_cutover_deferred (${[...t.primaryKey.map((_, i) => `k${i} text`), ...columns.map((_, i) => `v${i} text`)].join(", ")}) ON COMMIT DROP`,
            );
            const sink = target.query(copyFrom(`COPY keybuzz_cutover_deferred FROM STDIN`));
            const lines = async function* () {
                let chunk = "";
                for (const r of tr.moving) {
                    chunk +=
                        [
                            ...tr.keys[r].map(copyField),
                            ...columns.map((c) => copyField(tr.deferredValue(r, c))),
                        ].join("\t") + "\n";
                    if (chunk.length > 1 << 16) {
                        yield chunk;
                        chunk = "";
                    }
                }
                if (chunk) yield chunk;
            };
            await pipeline(lines, sink);
            const on = t.primaryKey
                .map((k, i) => `x.${quoteIdent(k)} = d.k${i}::${typeOf(t, k)}`)
                .join(" AND ");
            const value = (c: string, i: number) => `d.v${i}::${typeOf(t, c)}`;
            const r = await target.query(
                `UPDATE ${t.sql} x SET ${columns.map((c, i) => `${quoteIdent(c)} = ${value(c, i)}`).join(", ")} FROM keybuzz_cutover_deferred d WHERE ${on} AND (${columns.map((c, i) => `x.${quoteIdent(c)} IS DISTINCT FROM ${value(c, i)}`).join(" OR ")})`,
            );
            await target.query("COMMIT");
            out.push({ table: name, columns, rows: r.rowCount ?? 0 });
        } catch (e) {
            await target.query("ROLLBACK").catch(() => undefined);
            throw e;
        }
    }
    return out;
}
