/**
 * Shared command-line plumbing: flags, output routing and the exit-code contract of
 * COMMANDS.md (0 success, 1 the check found a failure, 2 the command could not run).
 */
import { InputFileError, readInputFile } from "./input-file";
import * as fs from "node:fs";
import { parseArgs, ParseArgsConfig } from "node:util";
import { printable } from "./printable";

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_CANNOT_RUN = 2;

/** An error that means "could not do the job": exit 2 with one line saying why. */
export class CannotRun extends Error {}

export function parseFlags<T extends NonNullable<ParseArgsConfig["options"]>>(
    argv: string[],
    options: T,
    usage: string,
) {
    try {
        return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    } catch (e) {
        throw new CannotRun(`${(e as Error).message}\nusage: ${usage}`);
    }
}

export function oneOf<T extends string>(
    name: string,
    value: string | undefined,
    allowed: readonly T[],
    fallback: T,
): T {
    if (value === undefined) return fallback;
    if (!(allowed as readonly string[]).includes(value))
        throw new CannotRun(
            `--${name} ${value} is not supported; use one of ${allowed.join(", ")}`,
        );
    return value as T;
}

/** Writes machine output to --out when given, else stdout. */
export function emit(text: string, out: string | undefined, flag = "--out"): void {
    const body = text.endsWith("\n") ? text : text + "\n";
    if (!out) {
        process.stdout.write(body);
        return;
    }
    try {
        fs.writeFileSync(out, body);
    } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        const why =
            code === "ENOENT"
                ? "its folder does not exist"
                : code === "EISDIR"
                  ? "it is a folder"
                  : code === "EACCES" || code === "EROFS"
                    ? "it is not writable"
                    : code;
        throw new CannotRun(
            `cannot write ${flag} ${out}: ${why}; name a file in a writable folder`,
        );
    }
}

/**
 * Reads an input file whole, up to `cap` bytes: a device (/dev/zero), a folder or an
 * unexpectedly huge file is refused with a line naming the flag, never read until memory
 * runs out.
 */
export function readInput(file: string, flag: string, cap = 256 << 20): string {
    try {
        return readInputFile(file, flag, cap);
    } catch (e) {
        if (e instanceof InputFileError) throw new CannotRun(e.message);
        throw e;
    }
}

/**
 * Runs a command body and maps its outcome onto the exit-code contract. Whatever escapes
 * the body — an expected refusal or a bug — ends as exit 2 with one line on stderr (the stack
 * trace only with KEYBUZZ_DEBUG=1): a pipeline reads exit 1 as "a check failed", never as
 * "the tool crashed".
 */
export async function main(
    name: string,
    body: () => Promise<number>,
    /** The command's own default deadline (KEYBUZZ_COMMAND_TIMEOUT_S overrides); none when absent. */
    options: {
        timeoutS?: number;
        /** What the deadline's message says of writes; default "nothing was written". */
        deadlineNote?: string;
    } = {},
): Promise<void> {
    const fail = (e: unknown) => {
        // The usage goes on the same line: whatever stops a command is one line on stderr.
        const message = (e instanceof Error ? e.message : String(e)).replace(
            /\nusage: /,
            " — usage: ",
        );
        const firstLine = printable(
            message.split("\n").length > 1 && !(e instanceof CannotRun)
                ? message.split("\n")[0]
                : message,
        );
        process.stderr.write(
            `${name}: ${e instanceof CannotRun ? "" : "could not run: "}${firstLine}\n`,
        );
        if (process.env.KEYBUZZ_DEBUG === "1" && e instanceof Error && e.stack)
            process.stderr.write(e.stack + "\n");
        process.exitCode = EXIT_CANNOT_RUN;
    };
    // A promise nobody awaited (a library's, a stack reference's) is the command failing, not a verdict.
    process.on("unhandledRejection", (e) => {
        fail(e);
        process.exit(EXIT_CANNOT_RUN);
    });
    // The whole command has a deadline, not only each request: a server that answers just
    // before every per-request timeout must not hold a pipeline for hours.
    const seconds = commandTimeoutSeconds(options.timeoutS);
    if (seconds !== undefined)
        deadline = setTimeout(() => {
            process.stderr.write(
                `${name}: could not run: gave up after ${seconds} s (the command's deadline, KEYBUZZ_COMMAND_TIMEOUT_S); ${options.deadlineNote ?? "nothing was written"}\n`,
            );
            process.exit(EXIT_CANNOT_RUN);
        }, seconds * 1000);
    deadline?.unref();
    try {
        process.exitCode = await body();
    } catch (e) {
        fail(e);
    } finally {
        if (deadline) clearTimeout(deadline);
    }
}

let deadline: NodeJS.Timeout | undefined;

/** KEYBUZZ_COMMAND_TIMEOUT_S: a command's total time, in seconds; else the command's own default. */
function commandTimeoutSeconds(fallback: number | undefined): number | undefined {
    const raw = process.env.KEYBUZZ_COMMAND_TIMEOUT_S;
    if (raw === undefined || raw === "") return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1 || n > 86_400) {
        process.stderr.write(
            `KEYBUZZ_COMMAND_TIMEOUT_S=${printable(raw).slice(0, 40)} is not a whole number of seconds from 1 to 86400; ignored\n`,
        );
        return fallback;
    }
    return n;
}

/**
 * From here the command writes (registry tags, then the ledger and the stack file): the
 * command deadline no longer applies, so a promotion is never cut between its writes. Each
 * write is still bounded by the per-request deadlines and the retry budget.
 */
export function beginWrites(): void {
    if (deadline) clearTimeout(deadline);
}
