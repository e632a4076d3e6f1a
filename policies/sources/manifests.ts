/** Resources from plain Kubernetes YAML (kubectl get -o yaml): files, directories, Lists. */
import * as fs from "node:fs";
import * as path from "node:path";
import { LineCounter, parseAllDocuments } from "yaml";
import { EnvironmentIdentity } from "../../config/identity";
import { databaseMentions } from "../database-urls";
import { typeToken } from "../kubernetes";
import { ResourceView } from "../model";

export class ManifestError extends Error {}

function files(target: string): string[] {
    let stat: fs.Stats;
    try {
        stat = fs.statSync(target);
    } catch {
        throw new ManifestError(`cannot read ${target}: no such file or directory`);
    }
    if (stat.isFile()) return [target];
    return fs.readdirSync(target).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => path.join(target, f));
}

export function readManifests(target: string, environment: string): ResourceView[] {
    const out: ResourceView[] = [];
    for (const file of files(target)) {
        const lines = new LineCounter();
        const docs = parseAllDocuments(fs.readFileSync(file, "utf8"), { lineCounter: lines });
        if (!Array.isArray(docs)) throw new ManifestError(`${file} is not YAML`);
        for (const doc of docs) {
            if (doc.errors.length) throw new ManifestError(`${file}:${lines.linePos(doc.errors[0].pos[0]).line}: ${doc.errors[0].message.split("\n")[0]}`);
            const obj = doc.toJS();
            if (!obj) continue;
            const items = obj.kind === "List" || Array.isArray(obj.items) ? obj.items ?? [] : [obj];
            const line = doc.range ? lines.linePos(doc.range[0]).line : undefined;
            for (const item of items) {
                if (typeof item?.apiVersion !== "string" || typeof item?.kind !== "string") throw new ManifestError(`${file}${line ? `:${line}` : ""}: a document without apiVersion/kind`);
                const type = typeToken(item.apiVersion, item.kind);
                const name = item.metadata?.name ?? "(unnamed)";
                out.push({ type, name, urn: `urn:k8s:${environment}::${item.metadata?.namespace ?? ""}::${type}::${name}`, props: item, source: { file, line } });
            }
        }
    }
    return out;
}

/** What another environment's manifests say its identity is (hosts, namespace, database). */
export function identityFromManifests(resources: readonly ResourceView[], environment: string, source: string): EnvironmentIdentity {
    const hosts = new Set<string>();
    const namespaces = new Set<string>();
    let user = "";
    let name = "";
    let location = "";
    for (const r of resources) {
        if (r.props?.metadata?.namespace) namespaces.add(r.props.metadata.namespace);
        for (const rule of r.props?.spec?.rules ?? []) if (rule?.host) hosts.add(rule.host);
        for (const m of databaseMentions(r)) {
            user ||= m.user ?? "";
            name ||= m.database ?? "";
            if (!location && m.host && m.database) location = `${m.host}:${m.port ?? 5432}/${m.database}`;
        }
    }
    return { environment, source, hosts: [...hosts], namespace: [...namespaces][0] ?? "", databaseName: name, databaseUser: user, databaseLocation: location };
}
