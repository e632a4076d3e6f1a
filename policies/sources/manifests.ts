/** Resources from plain Kubernetes YAML (kubectl get -o yaml): files, directories, Lists. */
import * as fs from "node:fs";
import * as path from "node:path";
import { LineCounter, parseAllDocuments } from "yaml";
import { EnvironmentIdentity } from "../../config/identity";
import { databaseMentions } from "../database-urls";
import { typeToken } from "../kubernetes";
import { ResourceView } from "../model";

export class ManifestError extends Error {}

/** YAML files of a file or a folder, folders read recursively (overlays nest). */
function files(target: string): string[] {
    let stat: fs.Stats;
    try {
        stat = fs.statSync(target);
    } catch {
        throw new ManifestError(`cannot read ${target}: no such file or directory`);
    }
    if (stat.isFile()) return [target];
    return (fs.readdirSync(target, { recursive: true }) as string[])
        .filter(
            (f) => /\.ya?ml$/.test(f) && !f.split(path.sep).some((part) => part.startsWith(".")),
        )
        .sort()
        .map((f) => path.join(target, f))
        .filter((f) => fs.statSync(f).isFile());
}

const RENDER_FIRST =
    "render it first (`kubectl kustomize <dir> > rendered.yaml`, `helm template <chart> > rendered.yaml`) and check the rendered file";

/** Input that is not yet Kubernetes objects: a kustomization, or a template with unrendered syntax. */
function refuseUnrendered(file: string, text: string): void {
    if (
        /^kustomization\.ya?ml$/i.test(path.basename(file)) ||
        /^kind:\s*Kustomization\s*$/m.test(text)
    )
        throw new ManifestError(
            `${file} is a kustomization, not Kubernetes objects: ${RENDER_FIRST}`,
        );
    // Helm's own objects only: `{{ $labels.instance }}` in an alerting rule is data, not a template.
    const template =
        /\{\{-?\s*(\$?\.(Values|Release|Chart|Capabilities|Files)\b|(include|template|tpl)\s+["(.$])/.exec(
            text,
        );
    if (template) {
        const line = text.slice(0, template.index).split("\n").length;
        throw new ManifestError(
            `${file}:${line} holds template syntax (${template[0]}…): ${RENDER_FIRST}`,
        );
    }
}

export function readManifests(target: string, environment: string): ResourceView[] {
    const out: ResourceView[] = [];
    const read = files(target);
    for (const file of read) {
        const lines = new LineCounter();
        const text = fs.readFileSync(file, "utf8");
        refuseUnrendered(file, text);
        const docs = parseAllDocuments(text, { lineCounter: lines });
        if (!Array.isArray(docs)) throw new ManifestError(`${file} is not YAML`);
        for (const doc of docs) {
            if (doc.errors.length)
                throw new ManifestError(
                    `${file}:${lines.linePos(doc.errors[0].pos[0]).line}: ${doc.errors[0].message.split("\n")[0]}`,
                );
            const obj = doc.toJS();
            if (!obj) continue;
            const items =
                obj.kind === "List" || Array.isArray(obj.items) ? (obj.items ?? []) : [obj];
            const line = doc.range ? lines.linePos(doc.range[0]).line : undefined;
            for (const item of items) {
                if (typeof item?.apiVersion !== "string" || typeof item?.kind !== "string")
                    throw new ManifestError(
                        `${file}${line ? `:${line}` : ""}: a document without apiVersion/kind`,
                    );
                const type = typeToken(item.apiVersion, item.kind);
                const name = item.metadata?.name ?? "(unnamed)";
                out.push({
                    type,
                    name,
                    urn: `urn:k8s:${environment}::${item.metadata?.namespace ?? ""}::${type}::${name}`,
                    props: item,
                    source: { file, line },
                });
            }
        }
    }
    // Checking nothing is not a pass: a mis-pointed CI step must not turn green.
    if (out.length === 0)
        throw new ManifestError(
            `${target} holds no Kubernetes object (${read.length === 0 ? "no .yaml/.yml file" : `${read.length} file(s), every document empty or comments`}): point --manifests at the exported or rendered manifests`,
        );
    return out;
}

/** What another environment's manifests say its identity is (hosts, namespace, database). */
export function identityFromManifests(
    resources: readonly ResourceView[],
    environment: string,
    source: string,
): EnvironmentIdentity {
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
            if (!location && m.host && m.database)
                location = `${m.host}:${m.port ?? 5432}/${m.database}`;
        }
    }
    return {
        environment,
        source,
        hosts: [...hosts],
        namespace: [...namespaces][0] ?? "",
        databaseName: name,
        databaseUser: user,
        databaseLocation: location,
    };
}
