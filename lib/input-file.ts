/**
 * Every file a command reads as input goes through here: a device (/dev/zero), a FIFO, a
 * socket or a folder is refused by its type before a byte is read (a FIFO is opened without
 * blocking, so naming one never hangs), and a regular file larger than the cap is refused
 * too, so no input can grow the process until the kernel kills it. Errors name the file and
 * what is wrong, never its content.
 */
import * as fs from "node:fs";

export class InputFileError extends Error {}

/** 16 MiB: config, ledgers, selectors, state files; manifests pass a larger cap. */
export const DEFAULT_INPUT_CAP = 16 << 20;

const kindOf = (st: fs.Stats) =>
    st.isDirectory()
        ? "a folder"
        : st.isFIFO()
          ? "a FIFO (named pipe)"
          : st.isCharacterDevice() || st.isBlockDevice()
            ? "a device"
            : st.isSocket()
              ? "a socket"
              : "not a regular file";

export function readInputFile(file: string, what: string, cap = DEFAULT_INPUT_CAP): string {
    let fd: number;
    try {
        fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        throw new InputFileError(
            `cannot read ${what} ${file}: ${code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a folder; name a file" : code}`,
        );
    }
    try {
        const st = fs.fstatSync(fd);
        if (!st.isFile())
            throw new InputFileError(
                `cannot read ${what} ${file}: it is ${kindOf(st)}, not a regular file; name a regular file`,
            );
        if (st.size > cap)
            throw new InputFileError(
                `cannot read ${what} ${file}: it is ${(st.size / 2 ** 20).toFixed(1)} MiB, more than the ${cap >> 20} MiB this input may be`,
            );
        // Sizes can lie (files under /proc say 0): read at most cap + 1 bytes whatever it said.
        const chunks: Buffer[] = [];
        let size = 0;
        const buf = Buffer.allocUnsafe(Math.min(1 << 20, cap + 1));
        for (;;) {
            const n = fs.readSync(fd, buf, 0, buf.length, null);
            if (n === 0) break;
            size += n;
            if (size > cap)
                throw new InputFileError(
                    `cannot read ${what} ${file}: it is larger than the ${cap >> 20} MiB this input may be`,
                );
            chunks.push(Buffer.from(buf.subarray(0, n)));
        }
        return Buffer.concat(chunks).toString("utf8");
    } finally {
        fs.closeSync(fd);
    }
}

/** A JSON.parse failure without the text it quotes (Node puts the input's start in it). */
export function jsonErrorWithoutContent(e: unknown): string {
    const m = /position (\d+)(?: \(line (\d+) column (\d+)\))?/.exec(String((e as Error).message));
    if (!m) return "not valid JSON";
    return m[2]
        ? `not valid JSON at line ${m[2]} column ${m[3]}`
        : `not valid JSON at byte ${m[1]}`;
}

/** A js-yaml failure as its reason and place, without the snippet of the file it prints. */
export function yamlErrorWithoutContent(e: unknown): string {
    const x = e as { reason?: string; mark?: { line: number; column: number } };
    if (x.reason && x.mark)
        return `${x.reason} at line ${x.mark.line + 1} column ${x.mark.column + 1}`;
    return x.reason ?? "not valid YAML";
}
