/**
 * Random schemas and data for the cutover's property test and bench: a tenant table (single
 * or two-column key), 1–6 tables that follow it by chains and diamonds of foreign keys
 * (single or composite, nullable or NOT NULL), self references and cycles between tables,
 * and rows of PROD and test tenants that point across tenants at random.
 *
 * The oracle is written apart from the tool, in SQL: a row moves when it reaches a chosen
 * tenant (recursive CTE over every set foreign key) and is not "bad" — it points at a row
 * that does not reach one, or at a bad row (a second recursive CTE). Foreign keys are added
 * after the data, so a cycle of NOT NULL keys can exist (the tool must refuse it).
 */

/** mulberry32: a small seeded generator, so a failing seed can be replayed. */
export function rng(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

export interface GenFk {
    readonly child: string;
    readonly parent: string;
    /** child columns, in the order of the parent's key. */
    readonly columns: string[];
    readonly nullable: boolean;
}

export interface GenTable {
    readonly name: string;
    readonly key: string[];
    readonly rows: number;
}

export interface GeneratedSchema {
    readonly seed: number;
    readonly tables: GenTable[];
    readonly fks: GenFk[];
    /** CREATE TABLE + INSERT, foreign keys not yet added. */
    readonly load: string[];
    /** ALTER TABLE … ADD FOREIGN KEY, after the data. */
    readonly constraints: string[];
    /** True when some cycle is made of NOT NULL keys only (the tool must refuse). */
    readonly unbreakableCycle: boolean;
    readonly description: string;
}

export function generateSchema(seed: number, scale = 1): GeneratedSchema {
    const r = rng(seed);
    const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)];
    const compositeTenant = r() < 0.25;
    const tenants: GenTable = {
        name: "tenants",
        key: compositeTenant ? ["region", "id"] : ["id"],
        rows: 6 + Math.floor(r() * 6),
    };
    const depth = Math.floor(r() * 6); // 0–5 levels below the tenant table
    const tables: GenTable[] = [tenants];
    for (let i = 1; i <= depth; i++)
        tables.push({
            name: `t${i}`,
            key: r() < 0.3 ? ["a", "b"] : ["id"],
            rows: Math.round((10 + Math.floor(r() * 40)) * scale),
        });
    const fks: GenFk[] = [];
    const fkTo = (child: GenTable, parent: GenTable, nullable: boolean) => {
        const n = fks.filter((f) => f.child === child.name).length;
        fks.push({
            child: child.name,
            parent: parent.name,
            columns: parent.key.map((k) => `fk${n}_${parent.name}_${k}`),
            nullable,
        });
    };
    for (let i = 1; i < tables.length; i++) {
        const t = tables[i];
        // One key to an earlier table (so every table is placed), NOT NULL or nullable.
        fkTo(t, pick(tables.slice(0, i)), r() < 0.3);
        // Diamonds: a second (or third) key to another earlier table.
        for (let extra = Math.floor(r() * 3); extra > 0; extra--)
            fkTo(t, pick(tables.slice(0, i)), r() < 0.5);
        if (r() < 0.25) fkTo(t, t, r() < 0.9); // self reference
        if (i < tables.length - 1 && r() < 0.2) fkTo(t, pick(tables.slice(i + 1)), r() < 0.85); // cycle
    }
    if (tables.length > 1 && r() < 0.15) fkTo(tenants, pick(tables.slice(1)), true); // tenants.owner → …

    const colsOf = (t: GenTable) => fks.filter((f) => f.child === t.name);
    const load: string[] = [];
    const keyValues = new Map<string, (string | number)[][]>();
    for (const t of tables) {
        const keyCols = t.key.map((k) => `${k} ${k === "region" ? "text" : "integer"} NOT NULL`);
        const fkCols = colsOf(t).flatMap((f) =>
            f.columns.map((c, i) => {
                const parent = tables.find((x) => x.name === f.parent)!;
                const type = parent.key[i] === "region" ? "text" : "integer";
                return `${c} ${type}${f.nullable ? "" : " NOT NULL"}`;
            }),
        );
        const extra = t === tenants ? ["is_test boolean NOT NULL"] : ["note text"];
        load.push(
            `CREATE TABLE ${t.name} (${[...keyCols, ...fkCols, ...extra, `PRIMARY KEY (${t.key.join(", ")})`].join(", ")})`,
        );
        const keys: (string | number)[][] = [];
        for (let i = 0; i < t.rows; i++)
            keys.push(
                t.key.length === 1
                    ? [i + 1]
                    : t.key[0] === "region"
                      ? [pick(["eu", "us"]), i + 1]
                      : [1 + Math.floor(i / 5), (i % 5) + 1],
            );
        keyValues.set(t.name, keys);
    }
    const lit = (v: string | number | null) =>
        v === null ? "NULL" : typeof v === "number" ? String(v) : `'${v}'`;
    for (const t of tables) {
        const keys = keyValues.get(t.name)!;
        const values = keys.map((k, i) => {
            const fkVals = colsOf(t).flatMap((f) => {
                const parentKeys = keyValues.get(f.parent)!;
                if (f.nullable && r() < 0.3) return f.columns.map(() => null);
                return pick(parentKeys);
            });
            const extra = t === tenants ? [r() < 0.35 ? "true" : "false"] : [`'row ${i}'`];
            return `(${[...k.map(lit), ...fkVals.map(lit), ...extra].join(", ")})`;
        });
        if (values.length) load.push(`INSERT INTO ${t.name} VALUES ${values.join(", ")}`);
    }
    const constraints = fks.map(
        (f, i) =>
            `ALTER TABLE ${f.child} ADD CONSTRAINT fk_${i} FOREIGN KEY (${f.columns.join(", ")}) REFERENCES ${f.parent} (${tables.find((t) => t.name === f.parent)!.key.join(", ")})`,
    );
    return {
        seed,
        tables,
        fks,
        load,
        constraints,
        unbreakableCycle: hasNotNullCycle(tables, fks),
        description: fks.map((f) => `${f.child}→${f.parent}${f.nullable ? "?" : ""}`).join(" "),
    };
}

function hasNotNullCycle(tables: GenTable[], fks: GenFk[]): boolean {
    const strict = fks.filter((f) => !f.nullable);
    const state = new Map<string, number>();
    const visit = (n: string): boolean => {
        state.set(n, 1);
        for (const f of strict.filter((x) => x.child === n)) {
            const s = state.get(f.parent) ?? 0;
            if (s === 1) return true;
            if (s === 0 && visit(f.parent)) return true;
        }
        state.set(n, 2);
        return false;
    };
    return tables.some((t) => !state.has(t.name) && visit(t.name));
}

/** The oracle: "table|ROW(key)::text" of every row that must move (tenants with is_test false). */
export function oracleSql(s: GeneratedSchema): string {
    const node = (t: string, a: string) =>
        `ROW(${s.tables
            .find((x) => x.name === t)!
            .key.map((k) => `${a}.${k}`)
            .join(", ")})::text`;
    const edges = s.fks.map((f) => {
        const parent = s.tables.find((t) => t.name === f.parent)!;
        const on = parent.key.map((k, i) => `p.${k} = c.${f.columns[i]}`).join(" AND ");
        return `SELECT '${f.child}'::text AS ct, ${node(f.child, "c")} AS ck, '${f.parent}'::text AS pt, ${node(f.parent, "p")} AS pk FROM ${f.child} c JOIN ${f.parent} p ON ${on}`;
    });
    const edgeSql = edges.length
        ? edges.join(" UNION ALL ")
        : "SELECT NULL::text AS ct, NULL::text AS ck, NULL::text AS pt, NULL::text AS pk WHERE false";
    return `WITH RECURSIVE
  edges AS (${edgeSql}),
  reach(t, k) AS (
    SELECT 'tenants'::text, ${node("tenants", "x")} FROM tenants x WHERE NOT x.is_test
    UNION
    SELECT e.ct, e.ck FROM edges e JOIN reach r ON r.t = e.pt AND r.k = e.pk WHERE e.ct <> 'tenants'),
  bad(t, k) AS (
    SELECT e.ct, e.ck FROM edges e
      WHERE EXISTS (SELECT 1 FROM reach r WHERE r.t = e.ct AND r.k = e.ck)
        AND NOT EXISTS (SELECT 1 FROM reach r WHERE r.t = e.pt AND r.k = e.pk)
    UNION
    SELECT e.ct, e.ck FROM edges e JOIN bad b ON b.t = e.pt AND b.k = e.pk)
SELECT t || '|' || k AS row FROM (SELECT t, k FROM reach EXCEPT SELECT t, k FROM bad) m ORDER BY 1`;
}

/** The same form ("table|ROW(key)::text") for every row a database holds. */
export function allRowsSql(s: GeneratedSchema): string {
    return (
        s.tables
            .map(
                (t) =>
                    `SELECT '${t.name}' || '|' || ROW(${t.key.join(", ")})::text AS row FROM ${t.name}`,
            )
            .join(" UNION ALL ") + " ORDER BY 1"
    );
}

/** Rows that reach a chosen tenant but are bad: the cross-tenant rows plan must list. */
export function crossTenantOracleSql(s: GeneratedSchema): string {
    return oracleSql(s).replace(
        /SELECT t \|\| '\|' \|\| k AS row FROM \(SELECT t, k FROM reach EXCEPT SELECT t, k FROM bad\) m ORDER BY 1$/,
        "SELECT t || '|' || k AS row FROM (SELECT t, k FROM reach INTERSECT SELECT t, k FROM bad) m ORDER BY 1",
    );
}
