/**
 * Reads `Pulumi.<stack>.yaml` files without the engine: what `check:config`, `policy:check`
 * and the program use to learn the other environments' identities. Encrypted values are
 * kept as `SecretValue`s without a value; nothing here can decrypt them.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { CORE_SCHEMA, load } from "js-yaml";
import { readInputFile, yamlErrorWithoutContent } from "../lib/input-file";
import { checkExpansion } from "../lib/yaml-expansion";
import { EnvironmentIdentity, environmentIdentity } from "./identity";
import { stackFilePath } from "../lib/stack-name";
import { passphraseDecrypter } from "./passphrase";
import { CONFIG_NAMESPACE } from "./schema";
import { SecretValue } from "./secret";

export class StackFileError extends Error {}

// Where a stack file is lives with the stack-name grammar (commands find it without loading the schema).
export { stackFilePath };

/**
 * The project's config keys of a stack file (prefix removed), secure values as SecretValue:
 * decrypted when a passphrase is given, opaque otherwise.
 */
export function readStackFile(file: string, passphrase?: string): Record<string, unknown> {
    let text: string;
    try {
        text = readInputFile(file, "stack file");
    } catch (e) {
        if (!fs.existsSync(file))
            throw new StackFileError(
                `cannot read stack file ${file}: ENOENT. Check the path, or create it with: pulumi stack init <name>`,
            );
        throw new StackFileError(
            `${(e as Error).message}. Check the path, or create it with: pulumi stack init <name>`,
        );
    }
    let doc: unknown;
    try {
        // YAML 1.2 core schema, as Pulumi writes stack files; js-yaml parses one several times
        // faster than the yaml package, and every command reads all the stack files.
        doc = load(text, { schema: CORE_SCHEMA, filename: file });
        checkExpansion(doc, `stack file ${file}`, 1_000_000);
    } catch (e) {
        // The reason and place only: js-yaml's message quotes the file, which holds secrets.
        throw new StackFileError(
            `stack file ${file} is not valid YAML: ${e instanceof Error && "reason" in e ? yamlErrorWithoutContent(e) : (e as Error).message}`,
        );
    }
    if (doc !== undefined && doc !== null && (typeof doc !== "object" || Array.isArray(doc)))
        throw new StackFileError(
            `stack file ${file} holds a YAML ${Array.isArray(doc) ? "list" : typeof doc}, not a mapping; a stack file maps "config" (and "encryptionsalt") to values, as pulumi stack init writes it`,
        );
    const config = (doc as { config?: unknown } | null)?.config ?? {};
    if (typeof config !== "object" || config === null || Array.isArray(config)) {
        throw new StackFileError(
            `stack file ${file}: "config" must be a mapping of keys to values`,
        );
    }
    const raw = rawFromEntries(Object.entries(config as Record<string, unknown>));
    if (passphrase === undefined) return raw;
    const salt = (doc as { encryptionsalt?: unknown } | null)?.encryptionsalt;
    if (typeof salt !== "string")
        throw new StackFileError(
            doc === undefined || doc === null
                ? `stack file ${file} is empty: nothing to decrypt or check; pulumi stack init <name> writes one (or pass --no-decrypt to list what it lacks)`
                : `stack file ${file} has no encryptionsalt: it does not use the passphrase secrets provider`,
        );
    let decrypter;
    try {
        decrypter = passphraseDecrypter(salt, passphrase);
    } catch (e) {
        throw new StackFileError(
            `cannot decrypt ${file}: ${(e as Error).message}; set PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE) to the stack's passphrase`,
        );
    }
    for (const [fullKey, value] of Object.entries(config as Record<string, any>)) {
        const key = fullKey.slice(`${CONFIG_NAMESPACE}:`.length);
        if (!(raw[key] instanceof SecretValue)) continue;
        try {
            raw[key] = new SecretValue(key, decrypter.decrypt(String(value.secure)));
        } catch (e) {
            throw new StackFileError(
                `${file}: ${fullKey}: ${(e as Error).message}; set it again with: pulumi config set --secret ${key} <value>`,
            );
        }
    }
    return raw;
}

/** Strips the project prefix and marks `{secure: …}` values; other namespaces are skipped. */
export function rawFromEntries(entries: Array<[string, unknown]>): Record<string, unknown> {
    const raw: Record<string, unknown> = {};
    for (const [fullKey, value] of entries) {
        const prefix = `${CONFIG_NAMESPACE}:`;
        if (!fullKey.startsWith(prefix)) continue;
        const key = fullKey.slice(prefix.length);
        raw[key] = isSecure(value) ? new SecretValue(key, undefined) : value;
    }
    return raw;
}

function isSecure(v: unknown): boolean {
    return (
        typeof v === "object" &&
        v !== null &&
        !Array.isArray(v) &&
        Object.keys(v).length === 1 &&
        "secure" in v
    );
}

/**
 * The identity a stack file declares, read leniently (an invalid file still names the
 * hosts and databases it claims). Undefined when the file declares no environment.
 */
export function identityFromRaw(
    raw: Record<string, unknown>,
    source: string,
): EnvironmentIdentity | undefined {
    const env = typeof raw.environment === "string" ? raw.environment : undefined;
    if (!env) return undefined;
    const services = (raw.services ?? {}) as Record<string, { hosts?: unknown }>;
    const hosts = Object.values(services).flatMap((s) =>
        Array.isArray(s?.hosts) ? s.hosts.filter((h): h is string => typeof h === "string") : [],
    );
    const db = (raw.database ?? {}) as Record<string, unknown>;
    const namespace = typeof raw.namespace === "string" ? raw.namespace : `keybuzz-${env}`;
    const name = typeof db.name === "string" ? db.name : "";
    return environmentIdentity({
        environment: env,
        source,
        hosts,
        namespace,
        databaseName: name,
        databaseUser: typeof db.user === "string" ? db.user : "",
        databaseHost: typeof db.host === "string" ? db.host : undefined,
        databasePort: typeof db.port === "number" ? db.port : 5432,
    });
}

/** Identities of every other stack file in `projectDir` (`Pulumi.<stack>.yaml`). */
export function otherIdentities(projectDir: string, ownStack: string): EnvironmentIdentity[] {
    const out: EnvironmentIdentity[] = [];
    for (const f of fs.readdirSync(projectDir).sort()) {
        const m = /^Pulumi\.([^.]+)\.yaml$/.exec(f);
        if (!m || m[1] === ownStack) continue;
        try {
            const id = identityFromRaw(readStackFile(path.join(projectDir, f)), f);
            if (id && id.environment !== ownStack) out.push(id);
        } catch {
            // An unreadable sibling is reported by its own check; it cannot vouch for anything here.
        }
    }
    return out;
}
