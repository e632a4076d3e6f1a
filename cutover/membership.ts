/**
 * Which rows move, decided on every foreign key of every row (not on one placement path).
 *
 * A row *reaches* a moving tenant when it is a chosen tenant, or one of its set foreign keys
 * points at a row that reaches one. A reaching row moves when every set foreign key of it
 * points at a row that moves or into a table copied whole — the largest such set, so rows
 * in a cycle that all reach a tenant move together. A reaching row that points at a row that
 * stays (a conversation of tenant A assigned to a user of tenant B, a message written by a
 * test account) is *cross-tenant*, and the declared rule decides: `refuse` (the default: the
 * copy refuses and plan lists them), `skip` (the row stays, and so do the rows that need
 * it), or `null` (the reference is set to NULL where its column allows, and the row moves).
 *
 * This is computed in memory from the keys and foreign-key columns of every copied row, read
 * in the caller's read-only snapshot (the source may not be written, so no temporary table),
 * rather than as nested SQL: a cycle or a self reference is a recursion that one SQL query
 * per table cannot express, and every path must agree. Memory grows with the rows of the
 * copied tables (bench/cutover measures it); the row data itself is never held.
 */
import { Client } from "pg";
import { ForeignKey, quoteIdent, Table } from "./catalog";
import { nullableColumns, Selection } from "./selection";

export type CrossTenantRule = "refuse" | "skip" | "null";
export const CROSS_TENANT_RULES = ["refuse", "skip", "null"] as const;

/** A row that reaches a moving tenant but was not moved as it stands. */
export interface CrossTenantRow {
    readonly table: string;
    /** "id=42" (or "ctid=(0,3)" for a table without a primary key). */
    readonly key: string;
    /** What it points at that stays: "author_user_id → public.users (id=17)". */
    readonly reason: string;
    /** skipped: left in the source; nulled: moved with these columns NULL. */
    readonly handling: "skipped" | "nulled";
    readonly columns?: string[];
}

export interface TableRows {
    readonly table: Table;
    /** Identity of each row in primary-key order (ctid for a table without one), as text. */
    readonly keys: string[][];
    /** Row indexes (into keys) that move, ascending. */
    readonly moving: number[];
    /** Columns set to NULL by the rule, per row index. */
    readonly nulled: Map<number, Set<string>>;
    /** Text values of the deferred (cycle-breaking) columns, per row index. */
    deferredValue(row: number, column: string): string | null;
}

export interface Membership {
    readonly rule: CrossTenantRule;
    readonly tables: Map<string, TableRows>;
    readonly crossTenant: CrossTenantRow[];
}

interface Loaded {
    readonly table: Table;
    readonly keys: string[][];
    readonly columns: string[];
    readonly values: (string | null)[][];
    readonly chosen?: boolean[];
    readonly base: number;
}

export const identityColumns = (t: Table) => (t.primaryKey.length ? t.primaryKey : ["ctid"]);
const identityExpr = (t: Table, a: string) =>
    t.primaryKey.length
        ? t.primaryKey.map((k) => `${a}.${quoteIdent(k)}::text`)
        : [`${a}.ctid::text`];
export const identityOrder = (t: Table, a: string) =>
    t.primaryKey.length ? t.primaryKey.map((k) => `${a}.${quoteIdent(k)}`).join(", ") : `${a}.ctid`;
export const keyText = (t: Table, key: string[]) =>
    identityColumns(t)
        .map((k, i) => `${k}=${key[i]}`)
        .join(",");

/** Runs inside the caller's read-only transaction on the source. */
export async function computeMembership(
    source: Client,
    sel: Selection,
    rule: CrossTenantRule,
): Promise<Membership> {
    const copied = sel.order;
    const moving = new Set(sel.placed.keys());
    // Columns each table needs: its keys into moving tables, and the columns others reference.
    const needed = new Map(copied.map((t) => [t.name, new Set<string>()]));
    for (const t of copied)
        for (const f of t.foreignKeys) {
            if (!needed.has(f.parent)) continue;
            f.columns.forEach((c) => needed.get(t.name)!.add(c));
            f.parentColumns.forEach((c) => needed.get(f.parent)!.add(c));
        }
    const loaded = new Map<string, Loaded>();
    let base = 0;
    for (const t of copied) {
        const columns = [...needed.get(t.name)!];
        const ids = identityExpr(t, "r");
        const chosen = t === sel.tenantTable ? [`(${sel.tenantCondition("r")}) AS chosen`] : [];
        const r = await source.query<unknown[]>({
            text: `SELECT ${[...ids, ...columns.map((c) => `r.${quoteIdent(c)}::text`), ...chosen].join(", ")} FROM ${t.sql} r ORDER BY ${identityOrder(t, "r")}`,
            rowMode: "array",
        });
        const n = ids.length;
        loaded.set(t.name, {
            table: t,
            keys: r.rows.map((row) => row.slice(0, n) as string[]),
            columns,
            values: r.rows.map((row) => row.slice(n, n + columns.length) as (string | null)[]),
            chosen: chosen.length
                ? r.rows.map((row) => row[n + columns.length] === true)
                : undefined,
            base,
        });
        base += r.rows.length;
    }
    const total = base;
    const tableOf: Loaded[] = new Array(total);
    for (const l of loaded.values())
        for (let i = 0; i < l.keys.length; i++) tableOf[l.base + i] = l;
    const value = (id: number, column: string) => {
        const l = tableOf[id];
        return l.values[id - l.base][l.columns.indexOf(column)];
    };

    // Edges from each row of a moving table to the row each set key points at (-1: none found).
    interface Edge {
        readonly fk: ForeignKey;
        readonly parent: number;
    }
    const out: Edge[][] = Array.from({ length: total }, () => []);
    const children: number[][] = Array.from({ length: total }, () => []);
    const indexes = new Map<string, Map<string, number>>();
    const indexOf = (parent: Loaded, columns: string[]) => {
        const name = `${parent.table.name}\0${columns.join("\0")}`;
        let ix = indexes.get(name);
        if (!ix) {
            ix = new Map();
            const at = columns.map((c) => parent.columns.indexOf(c));
            for (let i = 0; i < parent.values.length; i++)
                ix.set(JSON.stringify(at.map((j) => parent.values[i][j])), parent.base + i);
            indexes.set(name, ix);
        }
        return ix;
    };
    for (const l of loaded.values()) {
        if (!moving.has(l.table.name)) continue;
        for (const fk of l.table.foreignKeys) {
            if (!moving.has(fk.parent)) continue;
            const ix = indexOf(loaded.get(fk.parent)!, fk.parentColumns);
            const at = fk.columns.map((c) => l.columns.indexOf(c));
            for (let i = 0; i < l.values.length; i++) {
                const v = at.map((j) => l.values[i][j]);
                if (v.some((x) => x === null)) continue; // MATCH SIMPLE: not checked, not a reference
                const parent = ix.get(JSON.stringify(v)) ?? -1;
                out[l.base + i].push({ fk, parent });
                if (parent >= 0) children[parent].push(l.base + i);
            }
        }
    }

    // Reach: from the chosen tenants, against the keys.
    const tenant = loaded.get(sel.tenantTable.name)!;
    const inS = new Uint8Array(total);
    const queue: number[] = [];
    tenant.chosen!.forEach(
        (c, i) => c && (inS[tenant.base + i] = 1) && queue.push(tenant.base + i),
    );
    while (queue.length) {
        const p = queue.pop()!;
        for (const c of children[p])
            if (!inS[c] && tableOf[c] !== tenant) {
                inS[c] = 1;
                queue.push(c);
            }
    }
    for (const l of loaded.values())
        if (!moving.has(l.table.name)) for (let i = 0; i < l.keys.length; i++) inS[l.base + i] = 1;

    const nulled = new Map<number, Set<string>>();
    const removed = new Map<number, string>();
    const nulledWhy = new Map<number, string[]>();
    const isSet = (id: number, e: Edge) => {
        const n = nulled.get(id);
        return !n || !e.fk.columns.some((c) => n.has(c));
    };
    const describe = (e: Edge) =>
        `${e.fk.columns.join(",")} → ${e.fk.parent}${e.parent >= 0 ? ` (${keyText(tableOf[e.parent].table, tableOf[e.parent].keys[e.parent - tableOf[e.parent].base])})` : " (no such row)"} stays`;
    const remove = (id: number, why: string) => {
        inS[id] = 0;
        removed.set(id, why);
        for (const c of children[id]) if (inS[c]) work.push(c);
    };
    const work: number[] = [];
    for (let id = 0; id < total; id++) if (inS[id] && out[id].length) work.push(id);
    for (;;) {
        while (work.length) {
            const id = work.pop()!;
            if (!inS[id]) continue;
            const l = tableOf[id];
            let gone = false;
            for (const e of out[id]) {
                if (!isSet(id, e) || (e.parent >= 0 && inS[e.parent])) continue;
                const cols = nullableColumns(l.table, e.fk);
                if (rule === "null" && cols.length) {
                    const n = nulled.get(id) ?? new Set<string>();
                    cols.forEach((c) => n.add(c));
                    nulled.set(id, n);
                    nulledWhy.set(id, [...(nulledWhy.get(id) ?? []), describe(e)]);
                } else {
                    remove(id, describe(e));
                    gone = true;
                    break;
                }
            }
            if (!gone && l !== tenant && !out[id].some((e) => isSet(id, e) && inS[e.parent]))
                remove(
                    id,
                    "its references to moving rows were set to NULL: it no longer reaches a tenant",
                );
        }
        // Rows of a cycle whose way to a tenant was cut must not keep each other in.
        const reached = new Uint8Array(total);
        tenant.chosen!.forEach((c, i) => {
            const id = tenant.base + i;
            if (c && inS[id]) ((reached[id] = 1), queue.push(id));
        });
        while (queue.length) {
            const p = queue.pop()!;
            for (const c of children[p])
                if (inS[c] && !reached[c] && out[c].some((e) => e.parent === p && isSet(c, e))) {
                    reached[c] = 1;
                    queue.push(c);
                }
        }
        for (const l of loaded.values()) {
            if (!moving.has(l.table.name)) continue;
            for (let i = 0; i < l.keys.length; i++) {
                const id = l.base + i;
                if (inS[id] && !reached[id])
                    remove(id, "it reaches a moving tenant only through rows that stay");
            }
        }
        if (!work.length) break;
    }

    const crossTenant: CrossTenantRow[] = [];
    for (const [id, reason] of removed) {
        const l = tableOf[id];
        crossTenant.push({
            table: l.table.name,
            key: keyText(l.table, l.keys[id - l.base]),
            reason,
            handling: "skipped",
        });
    }
    for (const [id, cols] of nulled) {
        if (!inS[id]) continue;
        const l = tableOf[id];
        crossTenant.push({
            table: l.table.name,
            key: keyText(l.table, l.keys[id - l.base]),
            reason: nulledWhy.get(id)!.join("; "),
            handling: "nulled",
            columns: [...cols],
        });
    }
    crossTenant.sort((a, b) => a.table.localeCompare(b.table) || a.key.localeCompare(b.key));
    const tables = new Map<string, TableRows>();
    for (const l of loaded.values()) {
        const movingRows: number[] = [];
        const rowNulls = new Map<number, Set<string>>();
        for (let i = 0; i < l.keys.length; i++) {
            const id = l.base + i;
            if (!inS[id]) continue;
            movingRows.push(i);
            const n = nulled.get(id);
            if (n) rowNulls.set(i, n);
        }
        tables.set(l.table.name, {
            table: l.table,
            keys: l.keys,
            moving: movingRows,
            nulled: rowNulls,
            deferredValue: (row, column) =>
                rowNulls.get(row)?.has(column) ? null : value(l.base + row, column),
        });
    }
    return { rule, tables, crossTenant };
}
