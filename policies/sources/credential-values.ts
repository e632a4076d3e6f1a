/**
 * Credentials held in plain manifests, compared across environments by value without ever
 * keeping or printing a value: each is reduced to an HMAC under a key drawn at random for
 * this run and held in memory only, so the fingerprints mean nothing outside the run.
 * Where a credential can sit: Secret `data` (decoded) and `stringData`, env literals and
 * ConfigMap entries whose name says credential, and the password of a URL anywhere.
 */
import { createHmac, randomBytes } from "node:crypto";
import { SECRET_NAME, URL_PASSWORDS } from "../../lib/credential-heuristics";
import { credentialSettings, isFileStyle } from "../file-entries";
import { containersOf, walkStrings } from "../kubernetes";
import { ResourceView } from "../model";

const RUN_KEY = randomBytes(32);
// Short values (flags, ports, "true") are not credentials and would match by chance.
const MIN_LENGTH = 8;
// Secret entries that locate or name things rather than prove who one is: shared
// infrastructure (one database server, one SMTP relay) is allowed to be the same.
const NOT_A_CREDENTIAL =
    /(HOST|HOSTNAME|PORT|USER|USERNAME|LOGIN|DATABASE|DBNAME|NAME|URL|URI|ENDPOINT|REGION|ZONE|EMAIL|FROM|CRT|CERT|PEM)$/i;

export interface CredentialValue {
    /** Where it sits, e.g. `data.JWT_SECRET` or `spec.template.spec.containers[0].env.SMTP_PASS`. */
    readonly property: string;
    /** HMAC-SHA256 under the run's key, hex. */
    readonly fingerprint: string;
}

function fingerprint(value: string): string {
    return createHmac("sha256", RUN_KEY).update(value, "utf8").digest("hex");
}

/** The credential values of one resource, as fingerprints. */
export function credentialValues(r: ResourceView): CredentialValue[] {
    const out: CredentialValue[] = [];
    const add = (property: string, value: string) => {
        if (value.length >= MIN_LENGTH) out.push({ property, fingerprint: fingerprint(value) });
    };
    const urlPasswords = (property: string, text: string) => {
        for (const m of text.matchAll(URL_PASSWORDS)) {
            let password = m[1];
            try {
                password = decodeURIComponent(password);
            } catch {
                // not percent-encoded after all: compared as written
            }
            add(`${property} (URL password)`, password);
        }
    };
    // A file held as one entry (application.properties, redis.conf): its credential settings.
    const fileSettings = (property: string, key: string, text: string) => {
        for (const e of credentialSettings(key, text)) add(`${property}[${e.key}]`, e.value);
    };
    if (r.type === "kubernetes:core/v1:Secret") {
        // A URL's password is compared by the walk below, not the whole URL (its host is shared infrastructure).
        const entry = (property: string, key: string, value: string) => {
            if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) urlPasswords(property, value);
            else if (isFileStyle(key, value)) {
                fileSettings(property, key, value);
                urlPasswords(property, value);
            } else if (!NOT_A_CREDENTIAL.test(key)) add(property, value);
        };
        for (const [k, v] of Object.entries(r.props?.data ?? {}))
            if (typeof v === "string")
                entry(`data.${k}`, k, Buffer.from(v, "base64").toString("utf8"));
        for (const [k, v] of Object.entries(r.props?.stringData ?? {}))
            if (typeof v === "string") entry(`stringData.${k}`, k, v);
    }
    if (r.type === "kubernetes:core/v1:ConfigMap")
        for (const [k, v] of Object.entries(r.props?.data ?? {}))
            if (typeof v !== "string") continue;
            else if (isFileStyle(k, v)) fileSettings(`data.${k}`, k, v);
            else if (SECRET_NAME.test(k)) add(`data.${k}`, v);
    for (const c of containersOf(r))
        for (const e of c.container.env ?? [])
            if (typeof e?.value === "string" && SECRET_NAME.test(String(e.name)))
                add(`${c.path}.env.${e.name}`, e.value);
    // Secret data is base64: its URLs were read decoded above.
    const { data: _encoded, ...readable } =
        r.type === "kubernetes:core/v1:Secret"
            ? (r.props ?? {})
            : { data: undefined, ...(r.props ?? {}) };
    walkStrings(readable, "", (path, text) => {
        if (!(r.type === "kubernetes:core/v1:Secret" && path.startsWith("stringData.")))
            urlPasswords(path, text);
    });
    return out;
}

/** Every credential fingerprint of an environment's resources → where it sits (`Kind name property`). */
export function credentialIndex(resources: readonly ResourceView[]): Map<string, string> {
    const index = new Map<string, string>();
    for (const r of resources)
        for (const v of credentialValues(r))
            if (!index.has(v.fingerprint))
                index.set(v.fingerprint, `${r.type.split(":")[2]} ${r.name} ${v.property}`);
    return index;
}
