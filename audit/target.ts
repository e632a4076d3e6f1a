/** Where the audit points: a base URL per service and what was deployed there. */
import { z } from "zod";
import { findEnvironment } from "../config/environments";
import { AuditInputError, readValidated } from "./matrix";

const service = z
    .object({
        baseUrl: z
            .string()
            .url()
            .refine((u) => /^https?:\/\//.test(u), "must be an http(s) URL"),
        /** Image reference the stack deployed; /debug/version must report it. */
        expectedImage: z.string().optional(),
    })
    .strict();

export const targetSchema = z
    .object({
        environment: z
            .string()
            .refine(
                (e) => findEnvironment(e) !== undefined,
                "must be a declared environment (dev, prod, local, test)",
            ),
        services: z
            .object({
                api: service.optional(),
                client: service.optional(),
                website: service.optional(),
            })
            .strict(),
        /** The backend URL the client must call (its own environment's). */
        expectedBackendUrl: z.string().url().optional(),
    })
    .strict();

export type AuditTarget = z.output<typeof targetSchema>;

export function readTarget(file: string): AuditTarget {
    const target = readValidated(file, targetSchema, "target file");
    if (Object.keys(target.services).length === 0)
        throw new AuditInputError(
            `invalid target file ${file}: services: name at least one of api, client, website`,
        );
    return target;
}
