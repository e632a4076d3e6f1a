/**
 * Which earlier promotion a rollback re-promotes. A rollback is a forward promotion of an
 * earlier ledger entry's source image: same checks, new tags written, a new ledger entry.
 */
import { Ledger, LedgerEntry } from "./ledger";

/** The entry a rollback re-promotes: by ledger id, or the latest entry with that digest. */
export function findEntry(ledger: Ledger, service: string, to: string): LedgerEntry | undefined {
    const forService = ledger.entries.filter((e) => e.service === service);
    if (/^\d+$/.test(to)) return forService.find((e) => e.id === Number(to));
    return [...forService].reverse().find((e) => e.digest === to);
}

/** The latest entry with a digest other than the current one: "roll back to the previous promotion". */
export function previousEntry(ledger: Ledger, service: string): LedgerEntry | undefined {
    const forService = ledger.entries.filter((e) => e.service === service);
    const current = forService[forService.length - 1];
    return [...forService].reverse().find((e) => e.digest !== current?.digest);
}
