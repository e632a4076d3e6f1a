/**
 * The repository's root, from source (tsx) or compiled (out/) alike: the nearest folder
 * upwards holding tools/versions.env. KEYBUZZ_ROOT (set by scripts/env.sh) wins.
 */
import * as fs from "node:fs";
import * as path from "node:path";

export function projectRoot(from: string = __dirname): string {
    if (process.env.KEYBUZZ_ROOT) return process.env.KEYBUZZ_ROOT;
    for (let dir = from; ; dir = path.dirname(dir)) {
        if (fs.existsSync(path.join(dir, "tools", "versions.env"))) return dir;
        if (path.dirname(dir) === dir)
            throw new Error(`no project root (tools/versions.env) above ${from}`);
    }
}
