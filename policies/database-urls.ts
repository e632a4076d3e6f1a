/** Finding database identities (user, database, host) in Secrets and env vars. */
import { containersOf, secretValues } from "./kubernetes";
import { ResourceView } from "./model";

export interface DatabaseMention {
    readonly property: string;
    readonly user?: string;
    readonly database?: string;
    readonly host?: string;
    readonly port?: number;
}

const USER_KEYS = /^(PGUSER|DB_USER|DATABASE_USER|POSTGRES_USER|DB_USERNAME)$/;
const NAME_KEYS = /^(PGDATABASE|DB_NAME|DATABASE_NAME|POSTGRES_DB)$/;
const HOST_KEYS = /^(PGHOST|DB_HOST|DATABASE_HOST|POSTGRES_HOST)$/;

/** postgres://user:pass@host:port/db → its parts (never the password). */
export function parsePostgresUrl(text: string): Omit<DatabaseMention, "property"> | undefined {
    if (!/^postgres(ql)?:\/\//.test(text)) return undefined;
    try {
        const u = new URL(text);
        return {
            user: decodeURIComponent(u.username) || undefined,
            host: u.hostname || undefined,
            port: u.port ? Number(u.port) : 5432,
            database: u.pathname.replace(/^\//, "") || undefined,
        };
    } catch {
        return undefined;
    }
}

/** Key/value pairs of a resource that may name a database: Secret data and literal env vars. */
function pairs(r: ResourceView): Array<{ property: string; key: string; value: string }> {
    const out: Array<{ property: string; key: string; value: string }> = [];
    const secret = secretValues(r);
    for (const [k, v] of Object.entries(secret))
        out.push({
            property: `${r.props?.stringData?.[k] !== undefined ? "stringData" : "data"}.${k}`,
            key: k,
            value: v,
        });
    if (r.type === "kubernetes:core/v1:ConfigMap")
        for (const [k, v] of Object.entries(r.props?.data ?? {}))
            if (typeof v === "string") out.push({ property: `data.${k}`, key: k, value: v });
    for (const c of containersOf(r)) {
        for (const e of c.container.env ?? [])
            if (typeof e?.value === "string")
                out.push({ property: `${c.path}.env.${e.name}`, key: e.name, value: e.value });
    }
    return out;
}

/** Every mention of a database identity in `r`, one per property. */
export function databaseMentions(r: ResourceView): DatabaseMention[] {
    const out: DatabaseMention[] = [];
    const grouped: {
        user?: DatabaseMention;
        database?: DatabaseMention;
        host?: string;
        port?: number;
    } = {};
    for (const p of pairs(r)) {
        const url = parsePostgresUrl(p.value);
        if (url) out.push({ property: p.property, ...url });
        else if (USER_KEYS.test(p.key)) grouped.user = { property: p.property, user: p.value };
        else if (NAME_KEYS.test(p.key))
            grouped.database = { property: p.property, database: p.value };
        else if (HOST_KEYS.test(p.key)) grouped.host = p.value;
        else if (/^(PGPORT|DB_PORT|DATABASE_PORT)$/.test(p.key)) grouped.port = Number(p.value);
    }
    if (grouped.user) out.push(grouped.user);
    if (grouped.database)
        out.push({ ...grouped.database, host: grouped.host, port: grouped.port ?? 5432 });
    return out;
}
