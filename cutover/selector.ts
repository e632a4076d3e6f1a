/**
 * Which tenants move: `--tenants <ids>` or `--selector <file>`. A selector file names the
 * tenant table and rules on its columns, e.g. "a tenant whose owner_email ends with
 * @example.com is a test tenant":
 *
 *   { "tenantTable": "tenants",
 *     "exclude": [{ "column": "owner_email", "endsWith": "@example.com", "why": "test tenants" }] }
 *
 * A tenant moves when it matches every `include` rule (none: all tenants) and no `exclude`
 * rule. Rules compare the column's text form, so they work for any column type.
 */
import { z } from "zod";
import { jsonErrorWithoutContent, readInputFile } from "../lib/input-file";

const rule = z
    .object({
        column: z.string().min(1),
        equals: z.string().optional(),
        in: z.array(z.string()).min(1).optional(),
        startsWith: z.string().min(1).optional(),
        endsWith: z.string().min(1).optional(),
        isNull: z.boolean().optional(),
        why: z.string().optional(),
    })
    .strict()
    .refine(
        (r) =>
            ["equals", "in", "startsWith", "endsWith", "isNull"].filter(
                (k) => (r as Record<string, unknown>)[k] !== undefined,
            ).length === 1,
        {
            message: "each rule needs exactly one of equals, in, startsWith, endsWith, isNull",
        },
    );

export const selectorSchema = z
    .object({
        tenantTable: z.string().min(1).default("tenants"),
        include: z.array(rule).default([]),
        exclude: z.array(rule).default([]),
    })
    .strict();

export type Rule = z.output<typeof rule>;
export type Selector = z.output<typeof selectorSchema>;

/** Tenants named on the command line, or chosen by a selector file: the one input shape. */
export type TenantChoice = { readonly tenantTable: string } & (
    { readonly ids: string[] } | { readonly selector: Selector; readonly file: string }
);

export class SelectorError extends Error {}

export function readSelector(file: string): Selector {
    let text: string;
    try {
        text = readInputFile(file, "the selector file", 1 << 20);
    } catch (e) {
        throw new SelectorError((e as Error).message);
    }
    let json: unknown;
    try {
        json = JSON.parse(text);
    } catch (e) {
        throw new SelectorError(
            `the selector file ${file} is not JSON: ${jsonErrorWithoutContent(e)}`,
        );
    }
    const parsed = selectorSchema.safeParse(json);
    if (!parsed.success) {
        const first = parsed.error.issues[0];
        throw new SelectorError(
            `the selector file ${file} is invalid at ${first.path.join(".") || "(top)"}: ${first.message}; see README, "Data cutover"`,
        );
    }
    return parsed.data;
}

export function parseTenantIds(list: string): string[] {
    const ids = list
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean);
    if (ids.length === 0)
        throw new SelectorError("--tenants needs a comma-separated list of tenant ids");
    return [...new Set(ids)];
}

/** SQL condition for one rule on a column expression (alias.column); values as escaped literals. */
export function ruleSql(r: Rule, column: string, literal: (s: string) => string): string {
    const col = `${column}::text`;
    if (r.isNull !== undefined) return r.isNull ? `${column} IS NULL` : `${column} IS NOT NULL`;
    if (r.equals !== undefined) return `${col} = ${literal(r.equals)}`;
    if (r.in !== undefined) return `${col} IN (${r.in.map(literal).join(", ")})`;
    const like = (s: string) => s.replace(/[\\%_]/g, (m) => "\\" + m);
    if (r.startsWith !== undefined) return `${col} LIKE ${literal(like(r.startsWith) + "%")}`;
    return `${col} LIKE ${literal("%" + like(r.endsWith!))}`;
}
