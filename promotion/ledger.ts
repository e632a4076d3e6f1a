/**
 * The promotion ledger: an append-only JSON file per target stack (ledger/<stack>.json),
 * committed with the stack file it pins, so every promotion and rollback is reviewable and a
 * rollback is a forward promotion of an earlier entry.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { z } from "zod";
import { DIGEST_PATTERN } from "../image/reference";
import { checkStackName } from "../lib/stack-name";
import { replaceProjectFile } from "../lib/safe-write";
import { jsonErrorWithoutContent, readInputFile } from "../lib/input-file";

export const ledgerEntrySchema = z
    .object({
        id: z.number().int().min(1),
        service: z.string(),
        sourceStack: z.string(),
        sourceImage: z.string(),
        sourceTag: z.string().optional(),
        digest: z.string().regex(DIGEST_PATTERN),
        targetImage: z.string(),
        immutableTag: z.string(),
        promotedAt: z.string(),
        by: z.string(),
        /** The evidence tag that proved the digest verified in the source stage (absent when the stack does not require it). */
        gate: z
            .object({ tag: z.string(), verified: z.literal(true) })
            .strict()
            .optional(),
        /** The layer scan's actual result (entries before the scan was recorded hold only the count). */
        layerScan: z
            .object({
                filesWithForeignHosts: z.number().int(),
                layers: z.number().int().optional(),
                scanner: z.string().optional(),
            })
            .strict()
            .optional(),
        /** Set when this entry re-promoted an earlier one. */
        rollbackOf: z.number().int().optional(),
    })
    .strict();

export const ledgerSchema = z
    .object({ version: z.literal(1), stack: z.string(), entries: z.array(ledgerEntrySchema) })
    .strict();

export type LedgerEntry = z.infer<typeof ledgerEntrySchema>;
export type Ledger = z.infer<typeof ledgerSchema>;

export function ledgerPath(root: string, stack: string): string {
    return path.join(root, "ledger", `${checkStackName(stack)}.json`);
}

export function readLedger(file: string, stack: string): Ledger {
    let st: fs.Stats;
    try {
        st = fs.lstatSync(file);
    } catch {
        return { version: 1, stack, entries: [] };
    }
    // The ledger is replaced after every promotion: a link would redirect that write, and
    // reading through it would judge a file that is not the ledger. Refused before anything.
    if (st.isSymbolicLink())
        throw new Error(
            `${file}: it is a symbolic link; replace it with a regular file (the ledger is rewritten in place); nothing was written`,
        );
    let json: unknown;
    const text = readInputFile(file, "promotion ledger");
    try {
        json = JSON.parse(text);
    } catch (e) {
        throw new Error(`${file} is not a valid promotion ledger: ${jsonErrorWithoutContent(e)}`);
    }
    const r = ledgerSchema.safeParse(json);
    if (!r.success)
        throw new Error(
            `${file} is not a valid promotion ledger: ${r.error.issues[0].path.join(".")}: ${r.error.issues[0].message}`,
        );
    return r.data;
}

export function appendEntries(
    file: string,
    ledger: Ledger,
    entries: Array<Omit<LedgerEntry, "id">>,
): Ledger {
    let next = ledger.entries.reduce((m, e) => Math.max(m, e.id), 0);
    const updated: Ledger = {
        ...ledger,
        entries: [...ledger.entries, ...entries.map((e) => ({ ...e, id: ++next }))],
    };
    // Written aside then renamed: a crash never leaves half a ledger; never through a link.
    replaceProjectFile(
        path.dirname(path.dirname(file)),
        file,
        JSON.stringify(updated, null, 2) + "\n",
    );
    return updated;
}
