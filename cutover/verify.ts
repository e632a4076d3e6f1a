/**
 * `db:cutover verify`: per table, the row count and an order-independent checksum (the sum
 * of each row's 64-bit md5 prefix) of the moving rows in the source and of every row in the
 * target; where they differ, the rows that differ, by primary key.
 */
import { Client } from "pg";
import { quoteIdent, Table } from "./catalog";
import { Membership } from "./membership";
import { rowsByKeySql } from "./rows-sql";
import { Selection } from "./selection";

export interface TableCheck {
    readonly table: string;
    readonly sourceRows: number;
    readonly targetRows: number;
    readonly sourceChecksum: string;
    readonly targetChecksum: string;
    readonly equal: boolean;
    /** Up to `limit` differences: "missing in target: id=5", "only in target: id=9", "differs: id=7". */
    readonly differences: string[];
    readonly moreDifferences: number;
}

const rowExpr = (t: Table) =>
    `ROW(${t.columns.map((c) => `s.${quoteIdent(c.name)}`).join(", ")})::text`;
const checksumSql = (t: Table, from: string) =>
    `SELECT count(*)::text AS n, COALESCE(sum(('x' || substr(md5(${rowExpr(t)}), 1, 16))::bit(64)::bigint::numeric), 0)::text AS sum FROM (${from}) s`;

async function digests(c: Client, t: Table, from: string): Promise<Map<string, string>> {
    const key = t.primaryKey.length
        ? t.primaryKey.map((k) => `s.${quoteIdent(k)}::text`).join(` || ',' || `)
        : rowExpr(t);
    const r = await c.query<{ k: string; h: string }>(
        `SELECT ${key} AS k, md5(${rowExpr(t)}) AS h FROM (${from}) s`,
    );
    return new Map(r.rows.map((x) => [x.k, x.h]));
}

export async function verifyCutover(
    source: Client,
    target: Client,
    sel: Selection,
    membership: Membership,
    limit = 20,
): Promise<TableCheck[]> {
    const checks: TableCheck[] = [];
    for (const t of sel.order) {
        const all = `SELECT ${t.columns.map((c) => quoteIdent(c.name)).join(", ")} FROM ${t.sql}`;
        const tr = membership.tables.get(t.name)!;
        // What the target must hold: the moving rows as the copy wrote them (the references the
        // rule cleared stay NULL; cycle keys were set after the copy, so they are compared as is).
        const moving = rowsByKeySql(tr, tr.moving, {
            nullAlways: new Set(),
            literal: (x) => source.escapeLiteral(x),
        });
        const s = (await source.query<{ n: string; sum: string }>(checksumSql(t, moving))).rows[0];
        const d = (await target.query<{ n: string; sum: string }>(checksumSql(t, all))).rows[0];
        const equal = s.n === d.n && s.sum === d.sum;
        const differences: string[] = [];
        let total = 0;
        if (!equal) {
            const [a, b] = await Promise.all([digests(source, t, moving), digests(target, t, all)]);
            const keyName = t.primaryKey.join(",") || "row";
            const add = (line: string) => (total++ < limit ? differences.push(line) : undefined);
            for (const [k, h] of a)
                if (!b.has(k)) add(`missing in target: ${keyName}=${k}`);
                else if (b.get(k) !== h) add(`differs: ${keyName}=${k}`);
            for (const k of b.keys()) if (!a.has(k)) add(`only in target: ${keyName}=${k}`);
        }
        checks.push({
            table: t.name,
            sourceRows: Number(s.n),
            targetRows: Number(d.n),
            sourceChecksum: s.sum,
            targetChecksum: d.sum,
            equal,
            differences,
            moreDifferences: Math.max(0, total - differences.length),
        });
    }
    return checks;
}

export function verifyText(checks: TableCheck[]): string {
    const lines = ["table                               source rows  target rows  verdict"];
    for (const c of checks) {
        lines.push(
            `${c.table.padEnd(34)} ${String(c.sourceRows).padStart(12)} ${String(c.targetRows).padStart(12)}  ${c.equal ? "equal" : "DIFFERENT"}`,
        );
        for (const d of c.differences) lines.push(`    ${d}`);
        if (c.moreDifferences) lines.push(`    … and ${c.moreDifferences} more`);
    }
    const bad = checks.filter((c) => !c.equal).length;
    lines.push(
        "",
        bad
            ? `${bad} table(s) differ.`
            : `All ${checks.length} tables are equal in source selection and target.`,
    );
    return lines.join("\n");
}
