/**
 * The config reference, generated from the schema: each key's meaning and, where the schema
 * cannot say it, its type and default, from the `ref` metadata on the key (config/schema.ts);
 * every other default from the schema's own default. `npm run -s docs:config` prints it; a
 * test checks the README holds exactly this table and that every key is documented.
 */
import { z } from "zod";
import { CONFIG_NAMESPACE, KeyReference, stackConfigSchema } from "./schema";

export interface ReferenceRow {
    readonly key: string;
    readonly type: string;
    readonly default: string;
    readonly meaning: string;
}

type AnySchema = z.core.$ZodType;

function referenceOf(schema: AnySchema): KeyReference | undefined {
    return (z.globalRegistry.get(schema) as { reference?: KeyReference } | undefined)?.reference;
}

/** The schema under optional/default/preprocess wrappers, with what the wrappers said. */
function unwrap(schema: AnySchema): {
    inner: AnySchema;
    defaultValue?: unknown;
    optional: boolean;
} {
    let inner = schema;
    let defaultValue: unknown;
    let optional = false;
    for (;;) {
        const def = inner._zod.def as unknown as {
            type: string;
            innerType?: AnySchema;
            defaultValue?: unknown;
            out?: AnySchema;
        };
        if (def.type === "default") {
            defaultValue = def.defaultValue;
            inner = def.innerType!;
        } else if (def.type === "optional") {
            optional = true;
            inner = def.innerType!;
        } else if (def.type === "pipe" && def.out) {
            inner = def.out;
        } else return { inner, defaultValue, optional };
    }
}

function typeName(schema: AnySchema): string {
    const def = schema._zod.def as unknown as {
        type: string;
        entries?: Record<string, string>;
        check?: string;
    };
    switch (def.type) {
        case "enum":
            return Object.values(def.entries ?? {}).join(" | ");
        case "number":
            return (schema as unknown as { isInt?: boolean }).isInt ? "integer" : "number";
        case "custom":
            return "secret";
        default:
            return def.type;
    }
}

function shown(value: unknown): string {
    return typeof value === "string" ? (value === "" ? '""' : value) : JSON.stringify(value);
}

function rowsOf(object: z.ZodObject, prefix: string, rows: ReferenceRow[]): void {
    for (const [name, field] of Object.entries(object.shape)) {
        const key = prefix ? `${prefix}.${name}` : name;
        const reference = referenceOf(field as AnySchema);
        if (reference?.documentedWith) continue;
        const { inner, defaultValue, optional } = unwrap(field as AnySchema);
        if (reference?.prefix && inner instanceof z.ZodObject) {
            rowsOf(inner, reference.prefix, rows);
            continue;
        }
        if (!reference) {
            if (inner instanceof z.ZodObject) rowsOf(inner, key, rows);
            else
                throw new Error(
                    `config key ${key} has no reference metadata: add ref(…, { meaning }) in config/schema.ts`,
                );
            continue;
        }
        rows.push({
            key: reference.key ?? key,
            type: reference.type ?? typeName(inner),
            default:
                reference.default ??
                (defaultValue !== undefined ? shown(defaultValue) : optional ? "none" : "required"),
            meaning: reference.meaning,
        });
    }
}

export function configReference(): ReferenceRow[] {
    const rows: ReferenceRow[] = [];
    rowsOf(stackConfigSchema, "", rows);
    return rows;
}

export function configReferenceMarkdown(): string {
    // A "|" inside a cell (in-cluster | external) must be escaped or it splits the cell.
    const cell = (text: string) => text.replace(/\|/g, "\\|");
    const rows = configReference().map(
        (r) =>
            `| \`${cell(`${CONFIG_NAMESPACE}:${r.key}`)}\` | ${cell(r.type)} | ${cell(r.default)} | ${cell(r.meaning)} |`,
    );
    return ["| key | type | default | meaning |", "|---|---|---|---|", ...rows].join("\n");
}
