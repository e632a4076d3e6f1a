/**
 * The settings inside a file held as one ConfigMap or Secret entry (`application.properties`,
 * `redis.conf`, `config.json`, `settings.yaml`, `.env`): a credential written into such a file
 * is as plaintext as one in an env var, but sits one level down, under a key of its own.
 *
 * Written here rather than taken from a library: each format has a parser (js-yaml is already
 * used for YAML and JSON), but none reads the line-oriented family — Java properties, INI,
 * dotenv, redis.conf's `key value` — with the line each setting is on, and the rules only need
 * key, value and line, not a faithful round-trip.
 */
import { CORE_SCHEMA, load } from "js-yaml";
import { checkExpansion } from "../lib/yaml-expansion";
import { settingNamesCredential } from "../lib/credential-heuristics";

export interface FileEntry {
    /** The setting's key inside the file: `spring.datasource.password`, `redis.requirepass`, `db.password` for nested JSON/YAML. */
    readonly key: string;
    /** The key's last segment, which says what the value is (`password` of `spring.datasource.password`). */
    readonly leaf: string;
    readonly value: string;
    /** 1-based line inside the entry, where the format has lines. */
    readonly line?: number;
}

/** An entry is file-style when its key has a file extension or its value spans lines. */
export function isFileStyle(key: string, value: string): boolean {
    return /\.[A-Za-z][A-Za-z0-9]{0,9}$/.test(key) || /\n./.test(value.trimEnd());
}

const STRUCTURED = /\.(json|ya?ml)$/i;

/** Every scalar setting of a nested JSON/YAML document, keyed by its dotted path. */
function structuredEntries(doc: unknown): FileEntry[] {
    const out: FileEntry[] = [];
    const walk = (v: unknown, key: string, leaf: string) => {
        if (typeof v === "string" || typeof v === "number")
            out.push({ key, leaf, value: String(v) });
        else if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${key}[${i}]`, leaf));
        else if (v && typeof v === "object")
            for (const [k, x] of Object.entries(v)) walk(x, key ? `${key}.${k}` : k, k);
    };
    walk(doc, "", "");
    return out;
}

/**
 * `key=value`, `key: value` (properties, INI, dotenv, TOML) and `key value` (redis.conf and
 * other space-separated conf files). INI/TOML sections prefix their keys.
 */
function lineEntries(text: string, spaceSeparated: boolean): FileEntry[] {
    const out: FileEntry[] = [];
    let section = "";
    text.split("\n").forEach((raw, i) => {
        const line = raw.trim();
        if (!line || /^[#;!]/.test(line) || line.startsWith("//")) return;
        const header = /^\[+([^\]]+)\]+$/.exec(line);
        if (header) {
            section = header[1].trim();
            return;
        }
        const m =
            /^(?:export\s+)?([A-Za-z0-9_.\-/]+)\s*[=:]\s*(.*)$/.exec(line) ??
            (spaceSeparated ? /^([A-Za-z0-9_.\-]+)\s+(.+)$/.exec(line) : null);
        if (!m) return;
        const key = section ? `${section}.${m[1]}` : m[1];
        const value = m[2].replace(/\s+#.*$/, "").replace(/^(["'])(.*)\1$/, "$2");
        out.push({ key, leaf: m[1].split(/[./]/).pop() ?? m[1], value, line: i + 1 });
    });
    return out;
}

/**
 * The settings of one file-style entry. JSON and YAML are parsed as documents (a value that
 * does not parse is read line by line instead); everything else line by line.
 */
export function fileEntries(key: string, value: string): FileEntry[] {
    const trimmed = value.trim();
    if (STRUCTURED.test(key) || /^[{[]/.test(trimmed)) {
        try {
            const doc = load(value, { schema: CORE_SCHEMA, json: true });
            // An entry's aliases may expand past any budget (an alias bomb): read its lines instead.
            checkExpansion(doc, `entry ${key}`, 1_000_000);
            if (doc && typeof doc === "object") return structuredEntries(doc);
        } catch {
            // not a document after all, or one too large expanded: read as lines below
        }
    }
    return lineEntries(value, /\.conf$/i.test(key) || !/[=:]/.test(value));
}

/**
 * The settings of a file-style entry that hold a credential literally: named as one
 * (lib/credential-heuristics settingNamesCredential) and not a reference, path, number or flag.
 */
export function credentialSettings(key: string, value: string): FileEntry[] {
    return fileEntries(key, value).filter(
        (e) => settingNamesCredential(e.key) && !isReference(e.value),
    );
}

/**
 * A value that stands for a credential instead of being one: `${DB_PASSWORD}`, `$DB_PASSWORD`,
 * `%(password)s`, `{{ .password }}`, a path to a mounted file, a number or a boolean.
 */
export function isReference(value: string): boolean {
    const v = value.trim();
    return (
        v === "" ||
        /^\$\{[^}]+\}$/.test(v) ||
        /^\$[A-Za-z_][A-Za-z0-9_]*$/.test(v) ||
        /^%\([^)]+\)s$/.test(v) ||
        /^\{\{.*\}\}$/.test(v) ||
        /^(file:)?\/[\w.\-/]+$/.test(v) ||
        /^(true|false|yes|no|on|off|null|none)$/i.test(v) ||
        /^-?\d+(\.\d+)?$/.test(v)
    );
}
