/** Resources from plain Kubernetes YAML (kubectl get -o yaml): files, directories, Lists. */
import * as fs from "node:fs";
import * as path from "node:path";
import { StringDecoder } from "node:string_decoder";
import { CORE_SCHEMA, load, YAMLException } from "js-yaml";
import { checkExpansion, ExpansionError } from "../../lib/yaml-expansion";
import { EnvironmentIdentity, environmentIdentity } from "../../config/identity";
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

function refuseKustomization(file: string): void {
    if (/^kustomization\.ya?ml$/i.test(path.basename(file)))
        throw new ManifestError(
            `${file} is a kustomization, not Kubernetes objects: ${RENDER_FIRST}`,
        );
}

/** A document that is not yet Kubernetes objects: a kustomization, or a template with unrendered syntax. */
function refuseUnrendered(file: string, text: string, firstLine: number): void {
    if (/^kind:\s*Kustomization\s*$/m.test(text))
        throw new ManifestError(
            `${file} is a kustomization, not Kubernetes objects: ${RENDER_FIRST}`,
        );
    // Helm's own objects only: `{{ $labels.instance }}` in an alerting rule is data, not a template.
    const template =
        /\{\{-?\s*(\$?\.(Values|Release|Chart|Capabilities|Files)\b|(include|template|tpl)\s+["(.$])/.exec(
            text,
        );
    if (template) {
        const line = firstLine + countLines(text, 0, template.index);
        throw new ManifestError(
            `${file}:${line} holds template syntax (${template[0]}…): ${RENDER_FIRST}`,
        );
    }
}

const SEPARATOR = /^---(?=[ \t\r]|$)/gm;
const CHUNK_BYTES = 1 << 20;

function countLines(text: string, from: number, to: number): number {
    let n = 0;
    for (let i = text.indexOf("\n", from); i !== -1 && i < to; i = text.indexOf("\n", i + 1)) n++;
    return n;
}

/**
 * The YAML documents of a file with the line each starts on, read a megabyte at a time: only
 * the document being parsed is held as text, never the whole file (a document starts after a
 * `---` line at column 0, which inside a block can only be data when it is indented).
 */
function* documentsOf(file: string): Generator<{ text: string; line: number }> {
    const fd = fs.openSync(file, "r");
    const decoder = new StringDecoder("utf8");
    const buffer = Buffer.alloc(CHUNK_BYTES);
    let pending = ""; // the current document's text so far
    let line = 1; // the line `pending` starts on
    let carry = ""; // the end of the last chunk after its last newline: an incomplete line
    try {
        for (;;) {
            const n = fs.readSync(fd, buffer, 0, CHUNK_BYTES, null);
            let text = carry + (n > 0 ? decoder.write(buffer.subarray(0, n)) : decoder.end());
            if (n > 0) {
                // Separators are whole lines: keep an incomplete last line for the next chunk.
                const cut = text.lastIndexOf("\n") + 1;
                carry = text.slice(cut);
                text = text.slice(0, cut);
            } else carry = "";
            let start = 0;
            SEPARATOR.lastIndex = 0;
            for (let m = SEPARATOR.exec(text); m; m = SEPARATOR.exec(text)) {
                const doc = pending + text.slice(start, m.index);
                if (doc.length > 0) yield { text: doc, line };
                line += countLines(doc, 0, doc.length);
                pending = "";
                start = m.index + 3;
            }
            pending += text.slice(start);
            if (n === 0) break;
        }
        if (pending.length > 0) yield { text: pending, line };
    } finally {
        fs.closeSync(fd);
    }
}

/**
 * Every Kubernetes object of the files under `target`. Parsed document by document with
 * js-yaml (YAML 1.2 core schema: no timestamps or other implicit types, so values stay as
 * kubectl wrote them): a 50 MB export is read in seconds, and only the objects are kept.
 */
export function readManifests(target: string, environment: string): ResourceView[] {
    const out: ResourceView[] = [];
    const read = files(target);
    for (const file of read) {
        refuseKustomization(file);
        for (const doc of documentsOf(file)) {
            refuseUnrendered(file, doc.text, doc.line);
            let obj: any;
            try {
                obj = load(doc.text, { schema: CORE_SCHEMA, filename: file });
            } catch (e) {
                if (!(e instanceof YAMLException)) throw e;
                throw new ManifestError(
                    `${file}:${doc.line + (e.mark?.line ?? 0)}: ${e.reason || e.message.split("\n")[0]}`,
                );
            }
            if (!obj) continue;
            try {
                checkExpansion(obj, `${file}:${doc.line}`);
            } catch (e) {
                if (e instanceof ExpansionError) throw new ManifestError(e.message);
                throw e;
            }
            if (typeof obj !== "object" || Array.isArray(obj))
                throw new ManifestError(
                    `${file}:${doc.line}: a document that is not a mapping (Kubernetes objects are mappings with apiVersion and kind)`,
                );
            const items =
                obj.kind === "List" || Array.isArray(obj.items) ? (obj.items ?? []) : [obj];
            const line = doc.line;
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
                    origin: "manifests",
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
    return environmentIdentity({
        environment,
        source,
        hosts: [...hosts],
        namespace: [...namespaces][0] ?? "",
        databaseName: name,
        databaseUser: user,
        // Only what the manifests say: no location is assumed when they name no server.
        databaseLocation: location,
    });
}
