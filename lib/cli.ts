/**
 * Shared command-line plumbing: flags, output routing and the exit-code contract of
 * COMMANDS.md (0 success, 1 the check found a failure, 2 the command could not run).
 */
import * as fs from "node:fs";
import { parseArgs, ParseArgsConfig } from "node:util";

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_CANNOT_RUN = 2;

/** An error that means "could not do the job": exit 2 with one line saying why. */
export class CannotRun extends Error {}

export function parseFlags<T extends NonNullable<ParseArgsConfig["options"]>>(argv: string[], options: T, usage: string) {
    try {
        return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    } catch (e) {
        throw new CannotRun(`${(e as Error).message}\nusage: ${usage}`);
    }
}

export function oneOf<T extends string>(name: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
    if (value === undefined) return fallback;
    if (!(allowed as readonly string[]).includes(value)) throw new CannotRun(`--${name} ${value} is not supported; use one of ${allowed.join(", ")}`);
    return value as T;
}

/** Writes machine output to --out when given, else stdout. */
export function emit(text: string, out: string | undefined): void {
    if (out) fs.writeFileSync(out, text.endsWith("\n") ? text : text + "\n");
    else process.stdout.write(text.endsWith("\n") ? text : text + "\n");
}

/** Runs a command body and maps its outcome onto the exit-code contract. */
export async function main(name: string, body: () => Promise<number>): Promise<void> {
    try {
        process.exitCode = await body();
    } catch (e) {
        if (e instanceof CannotRun) {
            process.stderr.write(`${name}: ${e.message}\n`);
        } else {
            process.stderr.write(`${name}: could not run: ${(e as Error).stack ?? e}\n`);
        }
        process.exitCode = EXIT_CANNOT_RUN;
    }
}
