/** `db:cutover plan`: per table, how many rows would move, by which path, and what cannot be placed. */
import { Client } from "pg";
import { Selection } from "./selection";

export interface TablePlan {
    readonly table: string;
    readonly role: "tenant" | "follows a tenant" | "whole" | "unplaced";
    readonly path?: string;
    readonly rowsToMove: number;
    readonly rowsInTable: number;
    /** Rows that reach a moving tenant but also point at a staying row: not moved. */
    readonly leftBehind: number;
}

export interface Plan {
    readonly tenants: number;
    readonly tables: TablePlan[];
    readonly blockers: string[];
    readonly warnings: string[];
}

const count = async (c: Client, sql: string) =>
    Number((await c.query<{ n: string }>(`SELECT count(*)::text AS n FROM (${sql}) s`)).rows[0].n);

/** Runs inside the caller's read-only transaction on the source. */
export async function planCutover(source: Client, sel: Selection): Promise<Plan> {
    const tables: TablePlan[] = [];
    for (const t of sel.order) {
        const moving = await count(source, sel.rowsSql(t));
        const total = await count(source, `SELECT 1 FROM ${t.sql}`);
        const p = sel.placed.get(t.name);
        const reaching = p && p.depth > 0 ? await count(source, sel.reachingSql(t)) : moving;
        tables.push({
            table: t.name,
            role: t === sel.tenantTable ? "tenant" : p ? "follows a tenant" : "whole",
            path: p?.path,
            rowsToMove: moving,
            rowsInTable: total,
            leftBehind: Math.max(0, reaching - moving),
        });
    }
    for (const t of sel.unplaced)
        tables.push({
            table: t.name,
            role: "unplaced",
            rowsToMove: 0,
            rowsInTable: await count(source, `SELECT 1 FROM ${t.sql}`),
            leftBehind: 0,
        });
    return {
        tenants: tables[sel.whole.length]?.rowsToMove ?? 0,
        tables,
        blockers: sel.blockers,
        warnings: sel.warnings,
    };
}

export function planText(plan: Plan): string {
    const lines = [
        `${plan.tenants} tenant(s) move.`,
        "",
        "table                               moves      of rows  left behind  path",
    ];
    for (const t of plan.tables) {
        const moves = t.role === "unplaced" ? "—" : String(t.rowsToMove);
        lines.push(
            `${t.table.padEnd(34)} ${moves.padStart(7)} ${String(t.rowsInTable).padStart(12)} ${String(t.leftBehind || "").padStart(12)}  ${t.role === "unplaced" ? "CANNOT PLACE: no foreign-key path to a tenant" : t.role === "whole" ? "copied whole (--whole-table)" : t.path}`,
        );
    }
    const unplaced = plan.tables.filter((t) => t.role === "unplaced");
    if (unplaced.length)
        lines.push(
            "",
            `Not moved (no path to a tenant; decide for each): ${unplaced.map((t) => t.table).join(", ")}`,
        );
    const behind = plan.tables.filter((t) => t.leftBehind > 0);
    if (behind.length)
        lines.push(
            "",
            ...behind.map(
                (t) =>
                    `Left behind in ${t.table}: ${t.leftBehind} row(s) reach a moving tenant but also point at a row that stays.`,
            ),
        );
    if (plan.warnings.length) lines.push("", "Warnings:", ...plan.warnings.map((w) => `  - ${w}`));
    if (plan.blockers.length)
        lines.push(
            "",
            "Copy would refuse until these are resolved:",
            ...plan.blockers.map((b) => `  - ${b}`),
        );
    return lines.join("\n");
}
