/**
 * Which rows move: the tenant table's chosen rows, then every row that reaches them through
 * foreign keys. A table is placed when it has a foreign key to a table placed before it
 * (breadth-first from the tenant table); its rows move when every such key that is set
 * points at a moving row (so the copy never breaks a constraint) and at least one is set.
 * Rows that reach a moving tenant but also point at a staying one are counted by `plan`
 * and not moved: a person decides. Tables with no path to a tenant are listed, never
 * guessed; reference tables they need are copied whole only when named (--whole-table).
 */
import { Catalog, ForeignKey, findTable, quoteIdent, Table } from "./catalog";
import { ruleSql, TenantChoice } from "./selector";

export interface Placed {
    readonly table: Table;
    /** 0 for the tenant table. */
    readonly depth: number;
    /** Foreign keys to tables placed before this one: the paths rows move along. */
    readonly via: ForeignKey[];
    /** e.g. "messages → conversations → tenants". */
    readonly path: string;
}

export interface Selection {
    readonly tenantTable: Table;
    /** Copy order: whole tables, the tenant table, then placed tables by depth. */
    readonly order: Table[];
    readonly placed: Map<string, Placed>;
    readonly whole: Table[];
    /** Tables with no foreign-key path to a tenant, not copied. */
    readonly unplaced: Table[];
    /** Problems that stop a copy: a needed table not placed or named whole, a table without a primary key. */
    readonly blockers: string[];
    /** Keys not followed (cycles, self references): their integrity is the database's to check. */
    readonly warnings: string[];
    /** SQL selecting the moving rows of a table (alias-free subquery text), all columns in catalog order. */
    rowsSql(table: Table, columns?: string): string;
    /** The same, but rows need reach a moving row through any one key (for plan's "left behind" count). */
    reachingSql(table: Table): string;
}

export class SelectionError extends Error {}

export function select(
    catalog: Catalog,
    choice: TenantChoice,
    wholeNames: readonly string[],
    literal: (s: string) => string,
): Selection {
    const tenantTable = findTable(catalog, choice.tenantTable);
    if (!tenantTable)
        throw new SelectionError(
            `the tenant table ${choice.tenantTable} is not in the source database (tables: ${[...catalog.keys()].slice(0, 20).join(", ")})`,
        );
    if (tenantTable.primaryKey.length !== 1)
        throw new SelectionError(
            `the tenant table ${tenantTable.name} needs a single-column primary key; it has ${tenantTable.primaryKey.length ? tenantTable.primaryKey.join(", ") : "none"}`,
        );
    const whole: Table[] = [];
    for (const n of wholeNames) {
        const t = findTable(catalog, n);
        if (!t)
            throw new SelectionError(`--whole-table ${n} is not a table of the source database`);
        whole.push(t);
    }
    const columnsOf = new Set(tenantTable.columns.map((c) => c.name));
    let tenantCond: (a: string) => string;
    if ("ids" in choice) {
        tenantCond = (a) =>
            `${a}.${quoteIdent(tenantTable.primaryKey[0])}::text IN (${choice.ids.map(literal).join(", ")})`;
    } else {
        for (const [kind, rules] of [
            ["include", choice.selector.include],
            ["exclude", choice.selector.exclude],
        ] as const) {
            for (const r of rules)
                if (!columnsOf.has(r.column))
                    throw new SelectionError(
                        `selector ${choice.file}: ${kind} rule names column ${r.column}, which ${tenantTable.name} does not have (columns: ${[...columnsOf].join(", ")})`,
                    );
        }
        const rules = choice.selector;
        tenantCond = (a) => {
            const parts = [
                ...rules.include.map((r) => ruleSql(r, `${a}.${quoteIdent(r.column)}`, literal)),
                ...rules.exclude.map(
                    (r) =>
                        `NOT COALESCE(${ruleSql(r, `${a}.${quoteIdent(r.column)}`, literal)}, false)`,
                ),
            ];
            return parts.length ? parts.join(" AND ") : "true";
        };
    }

    const placed = new Map<string, Placed>([
        [tenantTable.name, { table: tenantTable, depth: 0, via: [], path: tenantTable.name }],
    ]);
    const wholeSet = new Set(whole.map((t) => t.name));
    for (let depth = 1, grew = true; grew; depth++) {
        grew = false;
        const before = new Map(placed);
        for (const t of catalog.values()) {
            if (placed.has(t.name) || wholeSet.has(t.name)) continue;
            const via = t.foreignKeys.filter((f) => before.has(f.parent) && f.parent !== t.name);
            if (via.length === 0) continue;
            const first = before.get(via[0].parent)!;
            placed.set(t.name, { table: t, depth, via, path: `${t.name} → ${first.path}` });
            grew = true;
        }
    }
    const unplaced = [...catalog.values()].filter(
        (t) => !placed.has(t.name) && !wholeSet.has(t.name),
    );
    const blockers: string[] = [];
    const warnings: string[] = [];
    const copied = [...whole, ...[...placed.values()].map((p) => p.table)];
    for (const t of copied) {
        if (t.primaryKey.length === 0)
            blockers.push(
                `${t.name} has no primary key: the copy cannot be keyed to resume without duplicates; add one, or leave the table out`,
            );
        for (const f of t.foreignKeys) {
            const followed = placed.get(t.name)?.via.includes(f);
            if (followed || wholeSet.has(f.parent)) continue;
            if (placed.has(f.parent) || f.parent === t.name)
                warnings.push(
                    `${t.name}.${f.columns.join(",")} → ${f.parent} is not followed (${f.parent === t.name ? "self reference" : "cycle"}): rows are copied in key order and the constraint is checked by the target`,
                );
            else
                blockers.push(
                    `${t.name}.${f.columns.join(",")} references ${f.parent}, which has no path to a tenant: copy it whole (--whole-table ${f.parent}) or decide otherwise`,
                );
        }
    }

    let alias = 0;
    const cond = (table: Table, a: string, strict: boolean): string => {
        if (table === tenantTable) return tenantCond(a);
        if (wholeSet.has(table.name)) return "true";
        const p = placed.get(table.name);
        if (!p) return "false";
        const inParent = (f: ForeignKey) => {
            const pa = `p${++alias}`;
            const parent = placed.get(f.parent)!.table;
            const cols = f.columns.map((c) => `${a}.${quoteIdent(c)}`);
            return {
                cols,
                sub: `(${cols.join(", ")}) IN (SELECT ${f.parentColumns.map((c) => `${pa}.${quoteIdent(c)}`).join(", ")} FROM ${parent.sql} ${pa} WHERE ${cond(parent, pa, strict)})`,
            };
        };
        const parts = p.via.map(inParent);
        const anyNull = (cols: string[]) => cols.map((c) => `${c} IS NULL`).join(" OR ");
        const allSet = (cols: string[]) => cols.map((c) => `${c} IS NOT NULL`).join(" AND ");
        if (!strict) return parts.map((x) => `(${x.sub})`).join(" OR ");
        return [
            ...parts.map((x) => `(${anyNull(x.cols)} OR ${x.sub})`),
            `(${parts.map((x) => `(${allSet(x.cols)})`).join(" OR ")})`,
        ].join(" AND ");
    };
    const list = (table: Table) => table.columns.map((c) => quoteIdent(c.name)).join(", ");
    const order = [
        ...topological(whole),
        tenantTable,
        ...[...placed.values()]
            .filter((p) => p.depth > 0)
            .sort((a, b) => a.depth - b.depth || a.table.name.localeCompare(b.table.name))
            .map((p) => p.table),
    ];
    return {
        tenantTable,
        order,
        placed,
        whole,
        unplaced,
        blockers,
        warnings,
        rowsSql: (table, columns) =>
            `SELECT ${columns ?? list(table)} FROM ${table.sql} r WHERE (${cond(table, "r", true)})`,
        reachingSql: (table) =>
            `SELECT ${list(table)} FROM ${table.sql} r WHERE (${cond(table, "r", false)})`,
    };
}

/** Whole tables ordered so a referenced one comes before the one that references it. */
function topological(tables: Table[]): Table[] {
    const names = new Set(tables.map((t) => t.name));
    const done = new Set<string>();
    const out: Table[] = [];
    const visit = (t: Table, stack: Set<string>) => {
        if (done.has(t.name) || stack.has(t.name)) return;
        stack.add(t.name);
        for (const f of t.foreignKeys)
            if (names.has(f.parent) && f.parent !== t.name)
                visit(
                    tables.find((x) => x.name === f.parent)!,
                    stack,
                );
        done.add(t.name);
        out.push(t);
    };
    for (const t of tables) visit(t, new Set());
    return out;
}
