/**
 * npm run check:config -- --stack <name> | --file <path> [--format text|json]
 * Validates a stack file against the config schema and the other stacks' identities,
 * without the Pulumi engine. Exit 0 valid, 1 invalid, 2 unreadable.
 */
import * as path from "node:path";
import { passphraseFromEnv, prederiveKeys } from "../config/passphrase";
import { CannotRun, EXIT_FAILED, EXIT_OK, main, oneOf, parseFlags } from "../lib/cli";
import { stackFilePath } from "../lib/stack-name";

const USAGE =
    "npm run check:config -- (--stack <name> | --file <path>) [--format text|json] [--no-decrypt]";

main("check:config", async () => {
    const { values } = parseFlags(
        process.argv.slice(2),
        {
            stack: { type: "string" },
            file: { type: "string" },
            format: { type: "string" },
            "no-decrypt": { type: "boolean" },
        },
        USAGE,
    );
    const format = oneOf("format", values.format, ["text", "json"] as const, "text");
    if (!values.stack && !values.file)
        throw new CannotRun(`give --stack <name> or --file <path>\nusage: ${USAGE}`);
    const file = values.file
        ? path.resolve(values.file)
        : stackFilePath(process.env.KEYBUZZ_ROOT ?? process.cwd(), values.stack!);
    const passphrase = values["no-decrypt"] ? undefined : passphraseFromEnv();
    // The stack's key is derived (PBKDF2, ~250 ms by design) on the thread pool while the
    // config schema and validation load: neither waits for the other.
    const [
        { otherIdentities, readStackFile, StackFileError },
        { formatIssues, validateStackConfig },
    ] = await Promise.all([
        import("../config/stack-file"),
        import("../config/validate"),
        prederiveKeys([file], passphrase),
    ]);
    let raw: Record<string, unknown>;
    try {
        // Decrypted as policy:check does: a secure value that is not ciphertext, or that holds
        // a known-leaked secret, is a finding only the plaintext shows.
        // --no-decrypt: the fast path (no 1M-iteration key derivation); secure values are then
        // checked for presence only.
        raw = readStackFile(file, passphrase);
    } catch (e) {
        if (e instanceof StackFileError) throw new CannotRun(e.message);
        throw e;
    }
    const stack = values.stack ?? /Pulumi\.([^.]+)\.yaml$/.exec(path.basename(file))?.[1];
    if (!stack)
        throw new CannotRun(
            `cannot tell the stack name from ${file}; name the file Pulumi.<stack>.yaml or pass --stack`,
        );
    const others = otherIdentities(process.env.KEYBUZZ_ROOT ?? process.cwd(), stack).filter(
        (o) => path.resolve(o.source) !== file,
    );
    const result = validateStackConfig(stack, raw, others);
    const source = path.relative(process.cwd(), file) || file;
    if (format === "json") {
        process.stdout.write(
            JSON.stringify(
                {
                    schemaVersion: 1,
                    stack,
                    file: source,
                    valid: result.ok,
                    issues: result.ok ? [] : result.issues,
                },
                null,
                2,
            ) + "\n",
        );
    } else if (result.ok) {
        process.stdout.write(
            `${source}: valid config for stack "${stack}" (environment ${result.config.environment}, namespace ${result.config.namespace})\n`,
        );
    } else {
        process.stdout.write(formatIssues(stack, source, result.issues) + "\n");
    }
    return result.ok ? EXIT_OK : EXIT_FAILED;
});
