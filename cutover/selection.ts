/**
 * Which tables move, and in which order (the row-level decision is ./membership.ts).
 *
 * A table follows a tenant when it has a foreign-key path to the tenant table; tables named
 * --whole-table are copied whole, before the others; tables with no path to a tenant are
 * listed, never guessed. The copy order is a topological order of *every* foreign key among
 * the copied tables (a diamond — conversations → tenants and conversations → users →
 * tenants — puts users first). A true cycle, a self reference included, is broken at its
 * nullable keys: those columns are copied as NULL and set once every row of the cycle is in
 * the target (./copy.ts, "deferred"). A cycle made only of NOT NULL keys has no insertion
 * order at all: it is a blocker naming the cycle and the choices.
 */
import { Catalog, ForeignKey, findTable, quoteIdent, Table } from "./catalog";
import { ruleSql, TenantChoice } from "./selector";

export interface Placed {
    readonly table: Table;
    /** 0 for the tenant table: the shortest foreign-key distance to it. */
    readonly depth: number;
    /** e.g. "messages → conversations → tenants" (one shortest path, for people). */
    readonly path: string;
}

export interface Selection {
    readonly tenantTable: Table;
    /** Copy order: whole tables, then the tenant table and the tables following it, parents first. */
    readonly order: Table[];
    readonly placed: Map<string, Placed>;
    readonly whole: Table[];
    /** Tables with no foreign-key path to a tenant, not copied. */
    readonly unplaced: Table[];
    /** Problems that stop a copy. */
    readonly blockers: string[];
    /** Things a person should know that do not stop the copy. */
    readonly warnings: string[];
    /** Keys broken out of a cycle: copied as NULL, set after every table is copied. */
    readonly deferred: Map<string, ForeignKey[]>;
    /** SQL condition on the tenant table (alias a) choosing the tenants that move. */
    tenantCondition(alias: string): string;
}

export class SelectionError extends Error {}

export const nullableColumns = (t: Table, f: ForeignKey) =>
    f.columns.filter((c) => !t.columns.find((x) => x.name === c)?.notNull);

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
    if (tenantTable.primaryKey.length === 0)
        throw new SelectionError(
            `the tenant table ${tenantTable.name} has no primary key: tenants cannot be named; add one`,
        );
    const whole: Table[] = [];
    for (const n of wholeNames) {
        const t = findTable(catalog, n);
        if (!t)
            throw new SelectionError(`--whole-table ${n} is not a table of the source database`);
        if (t === tenantTable)
            throw new SelectionError(
                `--whole-table ${n} is the tenant table: it would copy every tenant`,
            );
        whole.push(t);
    }
    const tenantCondition = tenantConditionOf(tenantTable, choice, literal);

    // Placement: breadth-first over reversed foreign keys from the tenant table.
    const placed = new Map<string, Placed>([
        [tenantTable.name, { table: tenantTable, depth: 0, path: tenantTable.name }],
    ]);
    const wholeSet = new Set(whole.map((t) => t.name));
    for (let depth = 1, grew = true; grew; depth++) {
        grew = false;
        const before = new Map(placed);
        for (const t of catalog.values()) {
            if (placed.has(t.name) || wholeSet.has(t.name)) continue;
            const via = t.foreignKeys.find((f) => before.has(f.parent) && f.parent !== t.name);
            if (!via) continue;
            placed.set(t.name, {
                table: t,
                depth,
                path: `${t.name} → ${before.get(via.parent)!.path}`,
            });
            grew = true;
        }
    }
    const unplaced = [...catalog.values()].filter(
        (t) => !placed.has(t.name) && !wholeSet.has(t.name),
    );
    const blockers: string[] = [];
    const warnings: string[] = [];
    for (const t of whole)
        for (const f of t.foreignKeys) {
            if (placed.has(f.parent))
                blockers.push(
                    `${t.name} is copied whole but ${t.name}.${f.columns.join(",")} references ${f.parent}, whose rows move only for the chosen tenants: its rows would point at rows that stay; do not copy it whole`,
                );
            else if (!wholeSet.has(f.parent))
                blockers.push(
                    `${t.name} is copied whole and ${t.name}.${f.columns.join(",")} references ${f.parent}, which is not copied: copy it whole too (--whole-table ${f.parent})`,
                );
        }
    const moving = [...placed.values()].map((p) => p.table);
    for (const t of moving)
        for (const f of t.foreignKeys)
            if (!placed.has(f.parent) && !wholeSet.has(f.parent))
                blockers.push(
                    `${t.name}.${f.columns.join(",")} references ${f.parent}, which has no path to a tenant: copy it whole (--whole-table ${f.parent}) or decide otherwise`,
                );

    const byNameOf = (n: string) => catalog.get(n)!;
    const { order, deferred, cycles } = copyOrder([...whole, ...moving], placed);
    for (const c of cycles) {
        if (c.unbreakable.length)
            blockers.push(
                `tables ${c.tables.join(", ")} reference each other through NOT NULL keys only (${c.unbreakable.join("; ")}): no row order satisfies them; make one of these columns nullable (the copy then sets it after the rows are in) or copy the cycle yourself`,
            );
        else {
            for (const t of c.tables.map((n) => byNameOf(n)))
                if (t.primaryKey.length === 0 && deferred.has(t.name))
                    blockers.push(
                        `${t.name} has no primary key and is part of a cycle (${c.tables.join(", ")}): its broken-out key cannot be set after the copy without a key to find the row; add a primary key`,
                    );
            warnings.push(
                `cycle ${c.tables.join(" ⇄ ")}: ${c.broken.join("; ")} copied as NULL and set once every row of the cycle is in the target`,
            );
        }
    }
    for (const t of [...whole, ...order])
        if (t.primaryKey.length === 0 && !blockers.some((b) => b.startsWith(`${t.name} has no`)))
            warnings.push(
                `${t.name} has no primary key: it is copied in one transaction (a re-run after an interruption copies it again from the start, or finds it complete)`,
            );
    return {
        tenantTable,
        order,
        placed,
        whole,
        unplaced,
        blockers,
        warnings,
        deferred,
        tenantCondition,
    };
}

function tenantConditionOf(
    tenantTable: Table,
    choice: TenantChoice,
    literal: (s: string) => string,
): (a: string) => string {
    if ("ids" in choice) {
        const key = (a: string) =>
            tenantTable.primaryKey.length === 1
                ? `${a}.${quoteIdent(tenantTable.primaryKey[0])}::text`
                : `ROW(${tenantTable.primaryKey.map((k) => `${a}.${quoteIdent(k)}`).join(", ")})::text`;
        return (a) => `${key(a)} IN (${choice.ids.map(literal).join(", ")})`;
    }
    const columnsOf = new Set(tenantTable.columns.map((c) => c.name));
    for (const [kind, rules] of [
        ["include", choice.selector.include],
        ["exclude", choice.selector.exclude],
    ] as const)
        for (const r of rules)
            if (!columnsOf.has(r.column))
                throw new SelectionError(
                    `selector ${choice.file}: ${kind} rule names column ${r.column}, which ${tenantTable.name} does not have (columns: ${[...columnsOf].join(", ")})`,
                );
    const rules = choice.selector;
    return (a) => {
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

interface Cycle {
    readonly tables: string[];
    /** Keys broken out ("users.manager_id → users"). */
    readonly broken: string[];
    /** NOT NULL keys that still close a cycle once the nullable ones are broken out. */
    readonly unbreakable: string[];
}

/**
 * Strongly connected components (Tarjan) of the foreign keys among the moving tables; inside
 * each component, the keys with a nullable column are broken out (deferred); what remains is
 * ordered parents first (Kahn, ties by depth then name, so the order is stable).
 */
function copyOrder(
    tables: Table[],
    placed: Map<string, Placed>,
): { order: Table[]; deferred: Map<string, ForeignKey[]>; cycles: Cycle[] } {
    const byName = new Map(tables.map((t) => [t.name, t]));
    const edges = (t: Table) => t.foreignKeys.filter((f) => byName.has(f.parent));
    const component = new Map<string, number>();
    const components: string[][] = [];
    {
        let next = 0;
        const index = new Map<string, number>();
        const low = new Map<string, number>();
        const stack: string[] = [];
        const onStack = new Set<string>();
        const visit = (v: string) => {
            index.set(v, next);
            low.set(v, next++);
            stack.push(v);
            onStack.add(v);
            for (const f of edges(byName.get(v)!)) {
                const w = f.parent;
                if (!index.has(w)) {
                    visit(w);
                    low.set(v, Math.min(low.get(v)!, low.get(w)!));
                } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
            }
            if (low.get(v) === index.get(v)) {
                const c: string[] = [];
                for (let w = ""; w !== v;) {
                    w = stack.pop()!;
                    onStack.delete(w);
                    component.set(w, components.length);
                    c.push(w);
                }
                components.push(c.sort());
            }
        };
        for (const t of [...byName.keys()].sort()) if (!index.has(t)) visit(t);
    }
    const deferred = new Map<string, ForeignKey[]>();
    const cycles: Cycle[] = [];
    const kept = new Map<string, ForeignKey[]>();
    for (const t of tables) {
        const keep: ForeignKey[] = [];
        for (const f of edges(t)) {
            const cyclic = component.get(f.parent) === component.get(t.name);
            if (cyclic && nullableColumns(t, f).length) {
                deferred.set(t.name, [...(deferred.get(t.name) ?? []), f]);
            } else keep.push(f);
        }
        kept.set(t.name, keep);
    }
    for (const c of components) {
        const cyclic = c.length > 1 || byName.get(c[0])!.foreignKeys.some((f) => f.parent === c[0]);
        if (!cyclic) continue;
        const inside = new Set(c);
        const broken = c.flatMap((n) =>
            (deferred.get(n) ?? []).map((f) => `${n}.${f.columns.join(",")} → ${f.parent}`),
        );
        // Is the component still cyclic with only the NOT NULL keys? (Kahn inside it.)
        const remaining = c.flatMap((n) =>
            kept
                .get(n)!
                .filter((f) => inside.has(f.parent))
                .map((f) => ({ n, f })),
        );
        const indegree = new Map(c.map((n) => [n, 0]));
        for (const { n } of remaining) indegree.set(n, indegree.get(n)! + 1);
        const ready = c.filter((n) => indegree.get(n) === 0);
        let seen = 0;
        while (ready.length) {
            const p = ready.pop()!;
            seen++;
            for (const { n, f } of remaining)
                if (f.parent === p) {
                    indegree.set(n, indegree.get(n)! - 1);
                    if (indegree.get(n) === 0) ready.push(n);
                }
        }
        const unbreakable =
            seen === c.length
                ? []
                : remaining
                      .filter(({ n }) => indegree.get(n)! > 0)
                      .map(({ n, f }) => `${n}.${f.columns.join(",")} → ${f.parent}`);
        cycles.push({ tables: c, broken, unbreakable });
    }
    // Kahn over the kept keys; a component left cyclic (a blocker) is appended as it stands.
    const indegree = new Map(tables.map((t) => [t.name, 0]));
    for (const t of tables)
        for (const f of kept.get(t.name)!)
            if (f.parent !== t.name) indegree.set(t.name, indegree.get(t.name)! + 1);
    // Whole tables first (they reference nothing that moves), then by distance to the tenant.
    const rank = (n: string) => [placed.get(n)?.depth ?? -1, n] as const;
    const cmp = (a: string, b: string) => {
        const [da, na] = rank(a);
        const [db, nb] = rank(b);
        return da - db || na.localeCompare(nb);
    };
    const ready = [...indegree].filter(([, d]) => d === 0).map(([n]) => n);
    const order: Table[] = [];
    while (ready.length) {
        ready.sort(cmp);
        const n = ready.shift()!;
        order.push(byName.get(n)!);
        for (const t of tables)
            for (const f of kept.get(t.name)!)
                if (f.parent === n && t.name !== n) {
                    indegree.set(t.name, indegree.get(t.name)! - 1);
                    if (indegree.get(t.name) === 0) ready.push(t.name);
                }
    }
    for (const t of tables) if (!order.includes(t)) order.push(t);
    return { order, deferred, cycles };
}
