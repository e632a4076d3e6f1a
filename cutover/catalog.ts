/**
 * The source database's shape, read from pg_catalog: tables, their columns (in order, with
 * their types), primary keys and foreign keys. Everything the cutover decides is derived
 * from this, so a schema it has never seen is planned the same way as KeyBuzz's.
 */
import { Client } from "pg";

export interface Column {
    readonly name: string;
    /** format_type(), e.g. "bigint", "timestamp with time zone", "uuid". */
    readonly type: string;
    /** NOT NULL: a reference through this column cannot be set to NULL to break a cycle. */
    readonly notNull: boolean;
}

export interface ForeignKey {
    readonly name: string;
    readonly columns: string[];
    readonly parent: string;
    readonly parentColumns: string[];
}

export interface Table {
    /** schema-qualified and quoted, safe to splice into SQL: "public"."messages". */
    readonly sql: string;
    /** schema.name, for people. */
    readonly name: string;
    readonly columns: Column[];
    readonly primaryKey: string[];
    readonly foreignKeys: ForeignKey[];
    /** Sequences owned by a column (serial / identity), to move past the copied ids. */
    readonly sequences: { column: string; sequence: string }[];
}

export type Catalog = Map<string, Table>;

const quote = (id: string) => `"${id.replace(/"/g, '""')}"`;
export const qualified = (schema: string, name: string) => `${quote(schema)}.${quote(name)}`;
export const quoteIdent = quote;

export async function readCatalog(c: Client): Promise<Catalog> {
    const tables = await c.query<{ oid: number; schema: string; name: string }>(`
        SELECT c.oid, n.nspname AS schema, c.relname AS name
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
          AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
        ORDER BY 2, 3`);
    const columns = await c.query<{ oid: number; name: string; type: string; notnull: boolean }>(`
        SELECT a.attrelid AS oid, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS notnull
        FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
        WHERE a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '' AND c.relkind IN ('r', 'p')
        ORDER BY a.attrelid, a.attnum`);
    const constraints = await c.query<{
        oid: number;
        name: string;
        type: string;
        cols: string[];
        parent: number | null;
        pcols: string[] | null;
    }>(`
        SELECT con.conrelid AS oid, con.conname AS name, con.contype AS type,
               ARRAY(SELECT a.attname FROM unnest(con.conkey) WITH ORDINALITY k(n, i) JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n ORDER BY k.i)::text[] AS cols,
               CASE WHEN con.contype = 'f' THEN con.confrelid END AS parent,
               CASE WHEN con.contype = 'f' THEN ARRAY(SELECT a.attname FROM unnest(con.confkey) WITH ORDINALITY k(n, i) JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.n ORDER BY k.i)::text[] END AS pcols
        FROM pg_constraint con WHERE con.contype IN ('p', 'f') ORDER BY con.conname`);
    const sequences = await c.query<{ oid: number; column: string; sequence: string }>(`
        SELECT d.refobjid AS oid, a.attname AS column, format('%I.%I', sn.nspname, s.relname) AS sequence
        FROM pg_depend d
        JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
        JOIN pg_namespace sn ON sn.oid = s.relnamespace
        JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
        WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')`);
    const byOid = new Map<number, string>();
    const catalog: Catalog = new Map();
    for (const t of tables.rows) {
        const name = `${t.schema}.${t.name}`;
        byOid.set(t.oid, name);
        catalog.set(name, {
            sql: qualified(t.schema, t.name),
            name,
            columns: [],
            primaryKey: [],
            foreignKeys: [],
            sequences: [],
        });
    }
    for (const col of columns.rows)
        catalog
            .get(byOid.get(col.oid) ?? "")
            ?.columns.push({ name: col.name, type: col.type, notNull: col.notnull });
    for (const con of constraints.rows) {
        const t = catalog.get(byOid.get(con.oid) ?? "");
        if (!t) continue;
        if (con.type === "p") (t.primaryKey as string[]).push(...con.cols);
        else if (con.parent !== null && byOid.has(con.parent))
            t.foreignKeys.push({
                name: con.name,
                columns: con.cols,
                parent: byOid.get(con.parent)!,
                parentColumns: con.pcols ?? [],
            });
    }
    for (const s of sequences.rows)
        catalog
            .get(byOid.get(s.oid) ?? "")
            ?.sequences.push({ column: s.column, sequence: s.sequence });
    return catalog;
}

/** Resolves a table name as people write it ("messages" or "public.messages"). */
export function findTable(catalog: Catalog, name: string): Table | undefined {
    return catalog.get(name) ?? catalog.get(`public.${name}`);
}
