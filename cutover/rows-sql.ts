/**
 * SQL that reads chosen rows of a table by their identity (primary key, or ctid within the
 * snapshot for a table without one), with the columns that must arrive NULL: the deferred
 * cycle-breaking keys on insert (set later), and the references the `null` rule cleared.
 * Keys travel as text arrays and are cast back to their column types in SQL, so any key type
 * works; COPY takes no parameters, hence literals (escaped by the server's own rules).
 */
import { quoteIdent, Table } from "./catalog";
import { TableRows } from "./membership";

export function textArray(values: string[], literal: (s: string) => string): string {
    return `${literal(`{${values.map((v) => `"${v.replace(/[\\"]/g, (m) => "\\" + m)}"`).join(",")}}`)}::text[]`;
}

export function rowsByKeySql(
    rows: TableRows,
    indexes: number[],
    options: { nullAlways: ReadonlySet<string>; literal: (s: string) => string },
): string {
    const t: Table = rows.table;
    const ruleNulled = [...new Set([...rows.nulled.values()].flatMap((s) => [...s]))].filter(
        (c) => !options.nullAlways.has(c),
    );
    const ids = t.primaryKey.length ? t.primaryKey : ["ctid"];
    const typeOf = (c: string) =>
        c === "ctid" ? "tid" : t.columns.find((x) => x.name === c)!.type;
    const keyArrays = ids.map((_, i) =>
        textArray(
            indexes.map((r) => rows.keys[r][i]),
            options.literal,
        ),
    );
    const flags = textArray(
        indexes.map((r) =>
            ruleNulled.map((c) => (rows.nulled.get(r)?.has(c) ? "1" : "0")).join(""),
        ),
        options.literal,
    );
    const list = t.columns
        .map((c) => {
            const col = `r.${quoteIdent(c.name)}`;
            const as = ` AS ${quoteIdent(c.name)}`;
            if (options.nullAlways.has(c.name)) return `NULL::${c.type}${as}`;
            const j = ruleNulled.indexOf(c.name);
            return j < 0
                ? col
                : `CASE WHEN substr(b.n, ${j + 1}, 1) = '1' THEN NULL ELSE ${col} END${as}`;
        })
        .join(", ");
    const on = ids
        .map((k, i) => `r.${k === "ctid" ? "ctid" : quoteIdent(k)} = b.k${i}::${typeOf(k)}`)
        .join(" AND ");
    const order = ids.map((k) => `r.${k === "ctid" ? "ctid" : quoteIdent(k)}`).join(", ");
    return `SELECT ${list} FROM unnest(${[...keyArrays, flags].join(", ")}) AS b(${ids.map((_, i) => `k${i}`).join(", ")}, n) JOIN ${t.sql} r ON ${on} ORDER BY ${order}`;
}
