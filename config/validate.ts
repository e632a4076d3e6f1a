/**
 * Validates a whole stack config at once and collects every problem, so an operator fixes
 * them in one pass. Used by the Pulumi program (before any resource is registered) and by
 * `npm run check:config` (on the stack file, without the engine): same rules, same messages.
 */
import { z } from "zod";
import { findEnvironment } from "./environments";
import {
    databaseLocation,
    EnvironmentIdentity,
    environmentIdentity,
    findOwner,
    inClusterDatabaseHost,
} from "./identity";
import { leakedWhere } from "./leaked";
import {
    CONFIG_NAMESPACE,
    ParsedStackConfig,
    SECRET_KEYS,
    SERVICE_NAMES,
    stackConfigSchema,
} from "./schema";
import { SecretValue } from "./secret";
import { looksRandom, SECRET_NAME, URL_WITH_CREDENTIALS } from "../lib/credential-heuristics";

export interface ConfigIssue {
    /** Key path under the project namespace, e.g. `database.user` or `services.api.hosts[1]`. */
    readonly path: string;
    /** What is wrong, naming the offending value when it is not a secret. */
    readonly problem: string;
    /** What to do about it. */
    readonly fix: string;
}

type ParsedDatabase = Omit<ParsedStackConfig["database"], "mode" | "host">;

/**
 * The environment's database, by where it lives: the StatefulSet in the namespace, or a role
 * and database on an existing server with the admin credentials to create them. The host is
 * always known (in-cluster: the namespace's own `postgres` Service).
 */
export type DatabaseConfig =
    | (ParsedDatabase & { readonly mode: "in-cluster"; readonly host: string })
    | (ParsedDatabase & {
          readonly mode: "external";
          readonly host: string;
          readonly adminPassword: SecretValue;
      });

export interface StackConfig extends Omit<ParsedStackConfig, "database"> {
    readonly stack: string;
    readonly namespace: string;
    /** The API host the client calls; one of `services.api.hosts`. */
    readonly backendHost: string;
    readonly database: DatabaseConfig;
}

export type ValidationResult =
    { ok: true; config: StackConfig } | { ok: false; issues: ConfigIssue[] };

export class ConfigError extends Error {
    constructor(
        // Not `stack`: that would overwrite Error.stack, and the engine prints the stack.
        readonly stackName: string,
        readonly source: string,
        readonly issues: readonly ConfigIssue[],
    ) {
        super(formatIssues(stackName, source, issues));
        this.name = "ConfigError";
    }
}

export function formatIssues(
    stack: string,
    source: string,
    issues: readonly ConfigIssue[],
): string {
    const lines = issues.map(
        (i) => `  - ${CONFIG_NAMESPACE}:${i.path}: ${i.problem}\n    fix: ${i.fix}`,
    );
    const n = issues.length === 1 ? "1 problem" : `${issues.length} problems`;
    return `Invalid config for stack "${stack}" (${source}): ${n}; nothing was deployed.\n${lines.join("\n")}`;
}

/**
 * A wrong value as a message may echo it: never a credential (a secret key's value, even
 * mistyped as plain text, or anything credential-like), and never more than 120 characters.
 */
function show(value: unknown, path: string): string {
    if (value instanceof SecretValue) return "[secret]";
    const top = path.split(/[.[]/)[0];
    const last =
        path
            .split(/[.[\]]/)
            .filter(Boolean)
            .pop() ?? "";
    const strings: string[] = [];
    const collect = (v: unknown, depth = 0): void => {
        if (typeof v === "string") strings.push(v);
        else if (v && typeof v === "object" && depth < 5)
            for (const x of Object.values(v)) collect(x, depth + 1);
    };
    collect(value);
    const credential =
        (SECRET_KEYS as readonly string[]).includes(top) ||
        SECRET_NAME.test(last) ||
        strings.some(
            (v) => URL_WITH_CREDENTIALS.test(v) || looksRandom(v) || leakedWhere(v) !== undefined,
        );
    if (credential) return "[value not shown: it may be a credential]";
    const text = JSON.stringify(value) ?? String(value);
    return text.length > 120 ? `${text.slice(0, 120)}…` : text;
}

function pathOf(segments: ReadonlyArray<PropertyKey>): string {
    return segments
        .map((s, i) => (typeof s === "number" ? `[${s}]` : i === 0 ? String(s) : `.${String(s)}`))
        .join("");
}

function valueAt(root: unknown, segments: ReadonlyArray<PropertyKey>): unknown {
    let cur: unknown = root;
    for (const s of segments) {
        if (cur === null || typeof cur !== "object") return undefined;
        cur = (cur as Record<PropertyKey, unknown>)[s];
    }
    return cur;
}

function zodIssueToConfigIssue(issue: z.core.$ZodIssue, raw: Record<string, unknown>): ConfigIssue {
    const path = pathOf(issue.path);
    const top = String(issue.path[0] ?? "");
    const value = valueAt(raw, issue.path);
    if (issue.code === "unrecognized_keys") {
        const keys = issue.keys.map((k) => (path ? `${path}.${k}` : k));
        if (keys.includes("kubernetes.renderToDirectory")) {
            return {
                path: "kubernetes.renderToDirectory",
                problem:
                    "is no longer supported: the upstream kubernetes provider writes Secret values into rendered files in plaintext",
                fix: "remove it; deploy to the local cluster instead (npm run up), or check the program without a cluster (npm run policy:check)",
            };
        }
        return {
            path: keys[0],
            problem: `unknown key${keys.length > 1 ? "s" : ""} ${keys.join(", ")}`,
            fix: "remove it, or correct its spelling (see the config reference in README.md)",
        };
    }
    if ((SECRET_KEYS as readonly string[]).includes(top) && value === undefined) {
        return {
            path,
            problem: "is required and missing",
            fix: `pulumi config set --secret ${top} <value> --stack <stack>`,
        };
    }
    if (value === undefined) {
        return {
            path,
            problem: "is required and missing",
            fix: `set it in the stack file (see the config reference in README.md)`,
        };
    }
    return {
        path,
        problem: `${show(value, path)} ${issue.message}`,
        fix: "correct the value in the stack file",
    };
}

/**
 * Validates `raw` (config keys without the `keybuzz-platform:` prefix; secret keys hold
 * `SecretValue`s) for stack `stack`, against the identities of the other environments.
 */
export function validateStackConfig(
    stack: string,
    raw: Record<string, unknown>,
    others: readonly EnvironmentIdentity[],
): ValidationResult {
    const issues: ConfigIssue[] = [];

    // Secret keys must arrive encrypted; other keys must not (they are shown in previews).
    for (const key of SECRET_KEYS) {
        const v = raw[key];
        if (v !== undefined && !(v instanceof SecretValue)) {
            issues.push({
                path: key,
                problem: "holds a plaintext value; credentials must be stored encrypted",
                fix: `pulumi config set --secret ${key} <value> --stack ${stack} (and rotate the value: it was in plaintext)`,
            });
        }
    }
    for (const [key, v] of Object.entries(raw)) {
        if (v instanceof SecretValue && !(SECRET_KEYS as readonly string[]).includes(key)) {
            issues.push({
                path: key,
                problem: "is encrypted but is not a credential key",
                fix: `pulumi config set ${key} <value> --stack ${stack} (without --secret)`,
            });
        }
    }
    // A plaintext credential is reported above; stand in an opaque secret so that the rest
    // of the config is still checked and every problem is listed in one pass.
    const shaped = Object.fromEntries(
        Object.entries(raw).map(([k, v]) => [
            k,
            (SECRET_KEYS as readonly string[]).includes(k) && !(v instanceof SecretValue)
                ? new SecretValue(k, undefined)
                : v,
        ]),
    );
    const parsed = stackConfigSchema.safeParse(shaped);
    if (!parsed.success) {
        for (const zi of parsed.error.issues) {
            const ci = zodIssueToConfigIssue(zi, raw);
            if (!issues.some((i) => i.path === ci.path)) issues.push(ci);
        }
        return { ok: false, issues };
    }
    const c = parsed.data;
    const env = findEnvironment(c.environment)!;

    if (c.environment !== stack) {
        issues.push({
            path: "environment",
            problem: `is "${c.environment}" but the stack is "${stack}"`,
            fix: `a stack models exactly one environment: set environment to "${stack}" or use the ${c.environment} stack`,
        });
    }

    const namespace = c.namespace ?? `keybuzz-${c.environment}`;
    const api = c.services.api;
    const backendHost = api.backendHost ?? api.hosts[0];
    if (!api.hosts.includes(backendHost)) {
        issues.push({
            path: "services.api.backendHost",
            problem: `"${backendHost}" is not one of the API's hosts (${api.hosts.join(", ")})`,
            fix: "name one of services.api.hosts: the client's backend URL is derived from the environment's own API hosts",
        });
    }

    // Identity values of this stack must not belong to any other environment.
    const identityFields: Array<{ path: string; value: string; example: string }> = [];
    for (const s of SERVICE_NAMES) {
        c.services[s].hosts.forEach((h, i) =>
            identityFields.push({
                path: `services.${s}.hosts[${i}]`,
                value: h,
                example: "a host of this environment",
            }),
        );
    }
    if (api.backendHost)
        identityFields.push({
            path: "services.api.backendHost",
            value: api.backendHost,
            example: "one of this environment's API hosts",
        });
    identityFields.push({
        path: c.namespace ? "namespace" : "environment",
        value: namespace,
        example: `keybuzz-${c.environment}`,
    });
    identityFields.push({
        path: "database.name",
        value: c.database.name,
        example: `keybuzz_${c.environment}`,
    });
    identityFields.push({
        path: "database.user",
        value: c.database.user,
        example: `keybuzz_api_${c.environment}`,
    });
    const location = databaseLocation(c.database.host, c.database.port, c.database.name, namespace);
    identityFields.push({ path: "database", value: location, example: `a database of its own` });
    for (const f of identityFields) {
        const clash = findOwner(f.value, c.environment, others);
        if (clash) {
            issues.push({
                path: f.path,
                problem: `"${f.value}" belongs to environment ${clash.owner} (${clash.evidence}), not ${c.environment}`,
                fix: `give ${c.environment} its own value (e.g. ${f.example}); environments never share hosts, namespaces, databases or DB users`,
            });
        }
    }

    const seenHosts = new Map<string, string>();
    for (const s of SERVICE_NAMES) {
        c.services[s].hosts.forEach((h, i) => {
            const prior = seenHosts.get(h);
            if (prior)
                issues.push({
                    path: `services.${s}.hosts[${i}]`,
                    problem: `"${h}" is also a host of ${prior}`,
                    fix: "each host routes to exactly one service",
                });
            else seenHosts.set(h, s);
        });
        if (c.services[s].replicas < env.minReplicas) {
            issues.push({
                path: `services.${s}.replicas`,
                problem: `is ${c.services[s].replicas}; environment ${c.environment} runs at least ${env.minReplicas}`,
                fix: `set services.${s}.replicas to ${env.minReplicas} or more`,
            });
        }
    }

    if (c.database.mode === "external") {
        if (!c.database.host)
            issues.push({
                path: "database.host",
                problem: "is required when database.mode is external",
                fix: "set the PostgreSQL server host, e.g. 10.0.0.10",
            });
        if (!c.databaseAdminPassword)
            issues.push({
                path: "databaseAdminPassword",
                problem: "is required when database.mode is external",
                fix: `pulumi config set --secret databaseAdminPassword <value> --stack ${stack}`,
            });
    }

    for (const key of SECRET_KEYS) {
        const v = c[key];
        const where = v?.value !== undefined ? leakedWhere(v.value) : undefined;
        if (where) {
            issues.push({
                path: key,
                problem: `is a known-leaked value (${where})`,
                fix:
                    `generate a new value and rotate it: pulumi config set --secret ${key} <new value> --stack ${stack}` +
                    (key === "nextauthSecret" ? ", or remove the key to have one generated" : ""),
            });
        }
    }

    if (issues.length > 0) return { ok: false, issues };
    const { mode: _mode, host: _host, ...db } = c.database;
    const database: DatabaseConfig =
        c.database.mode === "external" && c.database.host && c.databaseAdminPassword
            ? {
                  ...db,
                  mode: "external",
                  host: c.database.host,
                  adminPassword: c.databaseAdminPassword,
              }
            : {
                  ...db,
                  mode: "in-cluster",
                  host: c.database.host ?? inClusterDatabaseHost(namespace),
              };
    return { ok: true, config: { ...c, stack, namespace, backendHost, database } };
}

/** The identity a valid config declares; compared against other stacks. */
export function identityOf(config: StackConfig, source: string): EnvironmentIdentity {
    return environmentIdentity({
        environment: config.environment,
        source,
        hosts: SERVICE_NAMES.flatMap((s) => config.services[s].hosts),
        namespace: config.namespace,
        databaseName: config.database.name,
        databaseUser: config.database.user,
        databaseHost: config.database.host,
        databasePort: config.database.port,
    });
}
