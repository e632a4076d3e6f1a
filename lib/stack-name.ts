/**
 * Stack names as Pulumi accepts them (letters, digits, `-`, `_`, `.`; at most 100), checked
 * before a name is joined into a file path (`Pulumi.<stack>.yaml`, `ledger/<stack>.json`):
 * `--stack ../../x` must never reach another directory.
 */
import * as path from "node:path";

export class StackNameError extends Error {}

const STACK_NAME = /^[A-Za-z0-9_.-]{1,100}$/;

export function checkStackName(name: string, flag = "--stack"): string {
    if (!STACK_NAME.test(name) || /^\.+$/.test(name)) {
        const shown = JSON.stringify(name.length > 60 ? name.slice(0, 60) + "…" : name);
        throw new StackNameError(
            `${flag} ${shown} is not a stack name: use letters, digits, "-", "_" and "." (at most 100), e.g. prod`,
        );
    }
    return name;
}

/** The stack file of `stack` in a project directory, the name checked first. */
export function stackFilePath(projectDir: string, stack: string): string {
    return path.join(projectDir, `Pulumi.${checkStackName(stack)}.yaml`);
}
