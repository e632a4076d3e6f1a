/** npm run bench -- <name>: runs bench/<name>.ts, which prints its figures. */
import * as fs from "node:fs";
import * as path from "node:path";

const name = process.argv[2];
// Run from source (tsx) or compiled (out/bench): the same names either way.
const available = fs
    .readdirSync(__dirname)
    .filter((f) => /\.(ts|js)$/.test(f) && !/^(run|stats)\./.test(f))
    .map((f) => f.replace(/\.(ts|js)$/, ""));
if (!name || !available.includes(name)) {
    process.stderr.write(`bench: name one of ${available.join(", ")}\n`);
    process.exit(2);
}
require(path.join(__dirname, name));
