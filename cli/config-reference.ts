/**
 * npm run -s docs:config: prints the config reference table (Markdown) from the schema
 * module, for README.md. A unit test checks that the README holds exactly this table.
 */
import { CONFIG_NAMESPACE, CONFIG_REFERENCE } from "../config/schema";

export function configReferenceMarkdown(): string {
    const rows = CONFIG_REFERENCE.map(
        (r) => `| \`${CONFIG_NAMESPACE}:${r.key}\` | ${r.type} | ${r.default} | ${r.meaning} |`,
    );
    return ["| key | type | default | meaning |", "|---|---|---|---|", ...rows].join("\n");
}

if (require.main === module) process.stdout.write(configReferenceMarkdown() + "\n");
