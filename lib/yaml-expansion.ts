/**
 * YAML aliases make a document a graph: js-yaml parses a 600-byte "billion laughs" quickly
 * (an alias is a shared reference), and every walk afterwards — policy rules, JSON
 * serialization, a report — expands it until memory runs out. This counts the nodes a full
 * walk would visit, in time linear in the distinct nodes (each shared node's count is
 * remembered), and refuses a document past the budget before anything walks it.
 */
export class ExpansionError extends Error {}

/** Expanded nodes allowed per document: far above any real manifest (a 50 MB export is ~4M). */
export const EXPANSION_BUDGET = 20_000_000;

export function checkExpansion(doc: unknown, what: string, budget = EXPANSION_BUDGET): void {
    const memo = new Map<object, number>();
    const onPath = new Set<object>();
    const size = (node: unknown): number => {
        if (node === null || typeof node !== "object") return 1;
        const known = memo.get(node);
        if (known !== undefined) return known;
        if (onPath.has(node))
            throw new ExpansionError(`${what}: a YAML alias refers to itself (a cycle); remove it`);
        onPath.add(node);
        let n = 1;
        for (const v of Array.isArray(node) ? node : Object.values(node)) {
            n += size(v);
            if (n > budget) break;
        }
        onPath.delete(node);
        memo.set(node, n);
        if (n > budget)
            throw new ExpansionError(
                `${what}: its YAML aliases expand to more than ${budget.toLocaleString("en")} values (an alias bomb?); refused before reading it`,
            );
        return n;
    };
    size(doc);
}
