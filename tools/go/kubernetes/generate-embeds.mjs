// Writes the two files main.go embeds, as upstream's cmd/pulumi-resource-kubernetes/generate.go
// does: the module's schema.json with the provider version stamped in, and its
// terraform-mapping.json, both compacted. Usage: node generate-embeds.mjs <module dir> <version>
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const [moduleDir, version] = process.argv.slice(2);
if (!moduleDir || !version) {
    console.error("usage: node generate-embeds.mjs <provider module dir> <version>");
    process.exit(2);
}
const cmd = join(moduleDir, "cmd", "pulumi-resource-kubernetes");
const schema = JSON.parse(readFileSync(join(cmd, "schema.json"), "utf8"));
schema.version = version;
const here = new URL(".", import.meta.url).pathname;
writeFileSync(join(here, "schema-embed.json"), JSON.stringify(schema));
const mapping = JSON.parse(readFileSync(join(cmd, "terraform-mapping.json"), "utf8"));
writeFileSync(join(here, "terraform-mapping-embed.json"), JSON.stringify(mapping));
