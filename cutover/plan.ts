/** `db:cutover plan`: per table, how many rows would move, by which path, and what cannot be placed. */
import { Client } from "pg";
import { CrossTenantRow, Membership } from "./membership";
import { crossTenantRefusal } from "./copy";
import { Selection } from "./selection";

export interface TablePlan {
    readonly table: string;
    readonly role: "tenant" | "follows a tenant" | "whole" | "unplaced";
    readonly path?: string;
    readonly rowsToMove: number;
    readonly rowsInTable: number;
    /** Rows that reach a moving tenant but point at a row that stays: not moved as they are. */
    readonly leftBehind: number;
    /** Of the moving rows, those moved with a cross-tenant reference set to NULL (--cross-tenant null). */
    readonly nulled: number;
    /** Keys copied as NULL and set after every table is copied (a cycle broken out). */
    readonly deferredKeys?: string[];
}

export interface Plan {
    readonly tenants: number;
    /** The copy order, parents first. */
    readonly order: string[];
    readonly tables: TablePlan[];
    /** The declared rule for cross-tenant rows, and every such row with its key. */
    readonly crossTenantRule: Membership["rule"];
    readonly crossTenant: CrossTenantRow[];
    readonly blockers: string[];
    readonly warnings: string[];
}

const count = async (c: Client, sql: string) =>
    Number((await c.query<{ n: string }>(`SELECT count(*)::text AS n FROM (${sql}) s`)).rows[0].n);

/** Runs inside the caller's read-only transaction on the source. */
export async function planCutover(source: Client, sel: Selection, m: Membership): Promise<Plan> {
    const tables: TablePlan[] = [];
    for (const t of sel.order) {
        const rows = m.tables.get(t.name)!;
        const p = sel.placed.get(t.name);
        const cross = m.crossTenant.filter((r) => r.table === t.name);
        tables.push({
            table: t.name,
            role: t === sel.tenantTable ? "tenant" : p ? "follows a tenant" : "whole",
            path: p?.path,
            rowsToMove: rows.moving.length,
            rowsInTable: rows.keys.length,
            leftBehind: cross.filter((r) => r.handling === "skipped").length,
            nulled: cross.filter((r) => r.handling === "nulled").length,
            deferredKeys: sel.deferred
                .get(t.name)
                ?.map((f) => `${f.columns.join(",")} → ${f.parent}`),
        });
    }
    for (const t of sel.unplaced)
        tables.push({
            table: t.name,
            role: "unplaced",
            rowsToMove: 0,
            rowsInTable: await count(source, `SELECT 1 FROM ${t.sql}`),
            leftBehind: 0,
            nulled: 0,
        });
    const refusal = crossTenantRefusal(m);
    return {
        tenants: m.tables.get(sel.tenantTable.name)!.moving.length,
        order: sel.order.map((t) => t.name),
        tables,
        crossTenantRule: m.rule,
        crossTenant: m.crossTenant,
        blockers: refusal ? [...sel.blockers, refusal] : sel.blockers,
        warnings: sel.warnings,
    };
}

export function planText(plan: Plan, limit = 20): string {
    const lines = [
        `${plan.tenants} tenant(s) move. Copy order: ${plan.order.join(", ")}.`,
        "",
        "table                               moves      of rows  left behind  path",
    ];
    for (const t of plan.tables) {
        const moves = t.role === "unplaced" ? "—" : String(t.rowsToMove);
        lines.push(
            `${t.table.padEnd(34)} ${moves.padStart(7)} ${String(t.rowsInTable).padStart(12)} ${String(t.leftBehind || "").padStart(12)}  ${t.role === "unplaced" ? "CANNOT PLACE: no foreign-key path to a tenant" : t.role === "whole" ? "copied whole (--whole-table)" : t.path}${t.deferredKeys ? ` [set after the copy: ${t.deferredKeys.join("; ")}]` : ""}`,
        );
    }
    const unplaced = plan.tables.filter((t) => t.role === "unplaced");
    if (unplaced.length)
        lines.push(
            "",
            `Not moved (no path to a tenant; decide for each): ${unplaced.map((t) => t.table).join(", ")}`,
        );
    if (plan.crossTenant.length) {
        const verb =
            plan.crossTenantRule === "refuse"
                ? "copy refuses until a rule is declared"
                : `rule --cross-tenant ${plan.crossTenantRule}`;
        lines.push(
            "",
            `Cross-tenant rows (${plan.crossTenant.length}; ${verb}):`,
            ...plan.crossTenant
                .slice(0, limit)
                .map(
                    (r) =>
                        `  ${r.table} ${r.key}: ${r.reason}${r.handling === "nulled" ? ` → moves with ${r.columns!.join(", ")} NULL` : plan.crossTenantRule === "skip" ? " → stays" : ""}`,
                ),
            ...(plan.crossTenant.length > limit
                ? [`  … and ${plan.crossTenant.length - limit} more (--format json lists them all)`]
                : []),
        );
    }
    if (plan.warnings.length) lines.push("", "Warnings:", ...plan.warnings.map((w) => `  - ${w}`));
    if (plan.blockers.length)
        lines.push(
            "",
            "Copy would refuse until these are resolved:",
            ...plan.blockers.map((b) => `  - ${b}`),
        );
    return lines.join("\n");
}
