import * as path from "node:path";

/** The cluster's folder: KEYBUZZ_CLUSTER_DIR, else .keybuzz/cluster in the checkout. */
export function clusterDir(): string {
    return (
        process.env.KEYBUZZ_CLUSTER_DIR ??
        path.join(process.env.KEYBUZZ_ROOT ?? process.cwd(), ".keybuzz", "cluster")
    );
}
