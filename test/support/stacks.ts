/**
 * Stack configs for unit tests: the committed stack files, with test values in place of
 * their encrypted secrets (which only the engine can decrypt).
 */
import * as path from "node:path";
import { projectRoot } from "../../lib/project-root";
import { EnvironmentIdentity } from "../../config/identity";
import { readStackFile, identityFromRaw } from "../../config/stack-file";
import { SecretValue } from "../../config/secret";

export const ROOT = projectRoot(__dirname);

/** Test-only secret values; each is unique so tests can search for it anywhere. */
export function testSecret(stack: string, key: string): string {
    return `TEST-SECRET-${stack}-${key}-7f3a9c`;
}

export function stackRaw(stack: string): Record<string, unknown> {
    const raw = readStackFile(path.join(ROOT, `Pulumi.${stack}.yaml`));
    for (const [k, v] of Object.entries(raw)) {
        // The fingerprint key is organisation-wide: the same in every stack.
        if (v instanceof SecretValue)
            raw[k] = new SecretValue(
                k,
                k === "fingerprintKey" ? "TEST-ORG-FINGERPRINT-KEY" : testSecret(stack, k),
            );
    }
    return raw;
}

export function identityOfStack(stack: string): EnvironmentIdentity {
    return identityFromRaw(stackRaw(stack), `Pulumi.${stack}.yaml`)!;
}

/** A deep copy of the stack's raw config with `edit` applied. */
export function editedRaw(stack: string, edit: (raw: any) => void): Record<string, unknown> {
    const raw = stackRaw(stack);
    const copy: any = {};
    for (const [k, v] of Object.entries(raw))
        copy[k] = v instanceof SecretValue ? v : structuredClone(v);
    edit(copy);
    return copy;
}

/**
 * The NEXTAUTH_SECRET the PH28.1 audit printed, read from the audit document beside the
 * repository (shared/context) so that this repository never carries the value itself.
 */
export function auditLeakedNextauthSecret(): string {
    const fs = require("node:fs") as typeof import("node:fs");
    const file = path.resolve(ROOT, "../shared/context/PH28.1-prod-audit.md");
    const m = /NEXTAUTH_SECRET=(\S+)/.exec(fs.readFileSync(file, "utf8"));
    if (!m) throw new Error(`no NEXTAUTH_SECRET line in ${file}`);
    return m[1];
}
