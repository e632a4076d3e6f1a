/**
 * Replaces a file inside the project atomically and without following links: the target
 * must resolve inside the project and, when it exists, be a regular file (a symlink
 * committed into the repository must not redirect a write elsewhere); the temporary file is
 * created exclusively under a unique name in the same directory (O_CREAT|O_EXCL never
 * follows a link), written, flushed and renamed over the target.
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

export class UnsafeWriteError extends Error {}

/**
 * Every check replaceProjectFile makes, without writing: a command that will write several
 * files (a promotion: tags, ledger, stack file) checks them all before its first write, so
 * it never stops half-way on a symlinked or read-only target.
 */
export function checkProjectFileWritable(root: string, file: string): void {
    const { realDir, target } = resolveTarget(root, file);
    try {
        fs.accessSync(realDir, fs.constants.W_OK);
        if (fs.existsSync(target)) fs.accessSync(target, fs.constants.W_OK);
    } catch (e) {
        throw new UnsafeWriteError(
            `refusing to write ${file}: ${(e as NodeJS.ErrnoException).code ?? "not writable"}; make it (and its folder) writable`,
        );
    }
}

function resolveTarget(
    root: string,
    file: string,
): { realDir: string; target: string; st?: fs.Stats } {
    const realRoot = fs.realpathSync(root);
    const target = path.resolve(file);
    const dir = path.dirname(target);
    fs.mkdirSync(dir, { recursive: true });
    const realDir = fs.realpathSync(dir);
    const rel = path.relative(realRoot, path.join(realDir, path.basename(target)));
    if (rel.startsWith("..") || path.isAbsolute(rel))
        throw new UnsafeWriteError(`refusing to write ${file}: it is outside the project ${root}`);
    let st: fs.Stats | undefined;
    try {
        st = fs.lstatSync(target);
    } catch {
        st = undefined;
    }
    if (st && !st.isFile())
        throw new UnsafeWriteError(
            `refusing to write ${file}: it is a ${st.isSymbolicLink() ? "symbolic link" : "non-regular file"}; replace it with a regular file`,
        );
    return { realDir, target, st };
}

export function replaceProjectFile(root: string, file: string, contents: string): void {
    const { realDir, target, st } = resolveTarget(root, file);
    const tmp = path.join(
        realDir,
        `.${path.basename(target)}.${randomBytes(6).toString("hex")}.tmp`,
    );
    const fd = fs.openSync(
        tmp,
        fs.constants.O_WRONLY |
            fs.constants.O_CREAT |
            fs.constants.O_EXCL |
            fs.constants.O_NOFOLLOW,
        st ? st.mode & 0o777 : 0o644,
    );
    try {
        fs.writeSync(fd, contents);
        fs.fsyncSync(fd);
    } finally {
        fs.closeSync(fd);
    }
    try {
        fs.renameSync(tmp, path.join(realDir, path.basename(target)));
    } catch (e) {
        fs.rmSync(tmp, { force: true });
        throw e;
    }
}
