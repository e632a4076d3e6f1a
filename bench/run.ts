/** npm run bench -- <name>: runs bench/<name>.ts, which prints its figures. */
import * as fs from "node:fs";
import * as path from "node:path";

const name = process.argv[2];
const available = fs.readdirSync(__dirname).filter((f) => f.endsWith(".ts") && !["run.ts", "stats.ts"].includes(f)).map((f) => f.replace(/\.ts$/, ""));
if (!name || !available.includes(name)) {
    process.stderr.write(`bench: name one of ${available.join(", ")}\n`);
    process.exit(2);
}
require(path.join(__dirname, `${name}.ts`));
