/**
 * npm run -s docs:config: prints the config reference table (Markdown), generated from the
 * schema (config/reference.ts), for README.md. A unit test checks the README holds exactly it.
 */
import { configReferenceMarkdown } from "../config/reference";

export { configReferenceMarkdown };

if (require.main === module) process.stdout.write(configReferenceMarkdown() + "\n");
