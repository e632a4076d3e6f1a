import { leakedWhere } from "../../config/leaked";
import { containersOf, walkStrings } from "../kubernetes";
import { Finding, finding, PolicyRule } from "../model";
import { ignored, readablePath } from "../paths";
import { looksRandom, SECRET_NAME, URL_WITH_CREDENTIALS } from "../../lib/credential-heuristics";
import { credentialSettings, isFileStyle } from "../file-entries";

export const noPlaintextSecrets: PolicyRule = {
    name: "no-plaintext-secrets",
    description:
        "Checks that credentials reach workloads only by reference to a Secret: no secret-looking literal env var or ConfigMap entry, no URL carrying credentials, no known-leaked value anywhere.",
    enforcementLevel: "mandatory",
    configKeys: [],
    check(resources) {
        const findings: Finding[] = [];
        for (const r of resources) {
            const kind = r.type.split(":")[2];
            // Literal env vars and ConfigMap entries: name → reasons, one row per property.
            const literals: Array<{
                property: string;
                name: string;
                value: string;
                urlOnly?: boolean;
                /** A setting inside a file-style ConfigMap entry. */
                setting?: { file: string; line?: number };
            }> = [];
            for (const c of containersOf(r)) {
                for (const e of c.container.env ?? [])
                    if (typeof e?.value === "string")
                        literals.push({
                            property: `${c.path}.env.${e.name}`,
                            name: e.name,
                            value: e.value,
                        });
            }
            // Command lines carry credentials too (`--db=postgres://user:pass@…`): only a URL
            // with credentials counts there, a random-looking argument may be anything.
            for (const c of containersOf(r))
                for (const field of ["command", "args"] as const)
                    (Array.isArray(c.container[field]) ? c.container[field] : []).forEach(
                        (a: unknown, i: number) => {
                            if (typeof a === "string" && URL_WITH_CREDENTIALS.test(a))
                                literals.push({
                                    property: `${c.path}.${field}[${i}]`,
                                    name: `${field}[${i}]`,
                                    value: a,
                                    urlOnly: true,
                                });
                        },
                    );
            if (r.type === "kubernetes:core/v1:ConfigMap") {
                for (const [k, v] of Object.entries(r.props?.data ?? {})) {
                    if (typeof v !== "string") continue;
                    if (!isFileStyle(k, v)) {
                        literals.push({ property: `data.${k}`, name: k, value: v });
                        continue;
                    }
                    // A file (application.properties, redis.conf, config.json): each setting
                    // is judged by its own name; the file as a whole only for URLs.
                    literals.push({ property: `data.${k}`, name: k, value: v, urlOnly: true });
                    for (const e of credentialSettings(k, v))
                        literals.push({
                            property: `data.${k}[${e.key}]`,
                            name: e.key,
                            value: e.value,
                            setting: { file: k, line: e.line },
                        });
                }
            }
            const reported = new Set<string>();
            for (const l of literals) {
                const reasons: string[] = [];
                const leaked = leakedWhere(l.value);
                if (leaked) reasons.push(`its value is known-leaked (${leaked})`);
                if (l.setting) reasons.push("its setting name says it is a credential");
                else if (!l.urlOnly && SECRET_NAME.test(l.name) && l.value.length > 0)
                    reasons.push("its name says it is a credential");
                if (URL_WITH_CREDENTIALS.test(l.value))
                    reasons.push("it is a URL carrying credentials");
                if (reasons.length === 0 && !l.urlOnly && !l.setting && looksRandom(l.value))
                    reasons.push("its value looks like a random key");
                if (reasons.length === 0) continue;
                reported.add(l.property);
                const where = l.setting
                    ? `ConfigMap entry ${l.setting.file}${l.setting.line ? `, line ${l.setting.line}` : ""}: setting ${l.name}`
                    : l.property.startsWith("data.")
                      ? `ConfigMap entry ${l.name}`
                      : l.urlOnly
                        ? l.name
                        : `env ${l.name}`;
                findings.push(
                    finding(
                        this,
                        r,
                        l.property,
                        `${kind} ${r.name} (${where}) holds a credential in plaintext: ${reasons.join("; ")}. The value is not shown.`,
                        leaked
                            ? {
                                  stack: `rotate the credential now, store the new value with pulumi config set --secret and reference it with secretKeyRef`,
                                  manifests: `rotate the credential now, put the new value in a Secret (not in Git) and reference it with env valueFrom.secretKeyRef`,
                              }
                            : l.setting || (l.urlOnly && l.property.startsWith("data."))
                              ? `move the file (or the setting) into a Secret: mount the file from a Secret volume, or write the setting as a reference (\${DB_PASSWORD}) filled from env valueFrom.secretKeyRef; rotate it if it was ever committed`
                              : l.urlOnly
                                ? `take the credentials out of the command line: pass them from a Secret (env valueFrom.secretKeyRef, then $(VAR) in the argument); rotate them`
                                : `move the value into a Secret and reference it (env valueFrom.secretKeyRef); rotate it if it was ever committed`,
                    ),
                );
            }
            // A known-leaked value anywhere else (Secret data included): it must be rotated.
            walkStrings(r.props, "", (path, text) => {
                if (ignored(path)) return;
                const property = readablePath(r.props, path);
                if (reported.has(property)) return;
                const decoded =
                    path.startsWith("data.") && r.type === "kubernetes:core/v1:Secret"
                        ? Buffer.from(text, "base64").toString("utf8")
                        : text;
                const leaked = leakedWhere(text) ?? leakedWhere(decoded);
                if (!leaked) return;
                reported.add(property);
                findings.push(
                    finding(
                        this,
                        r,
                        property,
                        `${kind} ${r.name} (${property}) holds a known-leaked credential (${leaked}). The value is not shown.`,
                        {
                            stack: "rotate the credential: generate a new value and set it with pulumi config set --secret",
                            manifests:
                                "rotate the credential: generate a new value and keep it only in a Secret that is not committed",
                        },
                    ),
                );
            });
        }
        return { findings, notVerified: [] };
    },
};
