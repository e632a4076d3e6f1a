/**
 * The endpoint matrix: what each service must answer, per path. One versioned JSON file per
 * service in audit/matrix/, validated here; a bad file stops the audit (exit 2) naming the key.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { z } from "zod";
import { jsonErrorWithoutContent, readInputFile } from "../lib/input-file";

export const MATRIX_VERSION = 1;

const bodyCheck = z.union([
    z.object({ jsonField: z.string().min(1), equals: z.string() }).strict(),
    /** The JSON field must equal the image the stack deployed (from the target). */
    z.object({ jsonField: z.string().min(1), equalsDeployedImage: z.literal(true) }).strict(),
    z.object({ contains: z.string().min(1) }).strict(),
]);

export const endpointSchema = z
    .object({
        path: z.string().regex(/^\//, "must start with /"),
        method: z.enum(["GET", "HEAD", "POST", "OPTIONS"]).default("GET"),
        /** Acceptable statuses. "Must exist" routes list 200/401/403/405: anything but 404. */
        expect: z.array(z.number().int().min(100).max(599)).min(1),
        /** For 3xx: the Location the redirect must point to (recorded, not followed). */
        location: z.string().optional(),
        body: bodyCheck.optional(),
        /** Why this endpoint is in the matrix (shown in the report). */
        note: z.string().optional(),
        timeoutMs: z.number().int().positive().optional(),
    })
    .strict();

export const matrixSchema = z
    .object({
        version: z.literal(MATRIX_VERSION),
        service: z.string().min(1),
        endpoints: z.array(endpointSchema).min(1),
        /** Pages whose HTML and same-origin scripts are scanned for other environments' hosts. */
        scanPages: z.array(z.string().regex(/^\//)).default([]),
    })
    .strict();

export type Endpoint = z.output<typeof endpointSchema>;
export type Matrix = z.output<typeof matrixSchema>;

export class AuditInputError extends Error {}

export function zodProblem(file: string, error: z.ZodError): string {
    const i = error.issues[0];
    const where = i.path.length
        ? i.path
              .map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`))
              .join("")
              .replace(/^\./, "")
        : "(root)";
    return `${file}: ${where}: ${i.message}`;
}

/** Reads a JSON input file and validates it; errors name the file, the key and the problem. */
export function readValidated<S extends z.ZodType>(
    file: string,
    schema: S,
    what: string,
): z.output<S> {
    let data: unknown;
    try {
        const text = readInputFile(file, what);
        try {
            data = JSON.parse(text);
        } catch (e) {
            throw new AuditInputError(`cannot read ${what} ${file}: ${jsonErrorWithoutContent(e)}`);
        }
    } catch (e) {
        if (e instanceof AuditInputError) throw e;
        throw new AuditInputError((e as Error).message);
    }
    const r = schema.safeParse(data);
    if (!r.success) throw new AuditInputError(`invalid ${what} ${zodProblem(file, r.error)}`);
    return r.data;
}

export function readMatrix(file: string): Matrix {
    return readValidated(file, matrixSchema, "endpoint matrix");
}

export function readMatrices(dir: string, services: readonly string[]): Record<string, Matrix> {
    return Object.fromEntries(services.map((s) => [s, readMatrix(path.join(dir, `${s}.json`))]));
}
