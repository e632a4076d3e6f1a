/**
 * Streams an image's layers from the registry and scans their files for other environments'
 * hosts. Next.js inlines NEXT_PUBLIC_BACKEND_URL into the client bundle at build time, so a
 * DEV-built client image can carry backend-dev into PROD whatever the Deployment says.
 */
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { extract } from "tar-stream";
import { EnvironmentIdentity, findOwner, hostsIn } from "../config/identity";
import { RegistryClient } from "../registry/client";
import { RegistryError } from "../registry/errors";
import { isIndex } from "../registry/media-types";

export interface ForeignHost {
    readonly file: string;
    readonly host: string;
    readonly owner: string;
    readonly layer: string;
}

// Text a host could hide in; binaries and huge files are skipped (bounded work per layer).
const SCANNED = /\.(js|mjs|cjs|json|html|txt|env|map|css|ya?ml|conf)$|(^|\/)\.env/;
const MAX_FILE_BYTES = 32 << 20;

async function scanLayer(client: RegistryClient, repository: string, digest: string, mediaType: string, environment: string, others: readonly EnvironmentIdentity[], found: ForeignHost[]): Promise<void> {
    const tar = extract();
    tar.on("entry", (header, stream, next) => {
        const name = header.name.replace(/^\.\//, "");
        if (header.type !== "file" || !SCANNED.test(name) || (header.size ?? 0) > MAX_FILE_BYTES) {
            stream.on("end", next);
            stream.resume();
            return;
        }
        let tail = "";
        const seen = new Set<string>();
        stream.on("data", (data: unknown) => {
            const chunk = data as Buffer;
            // Keep the end of the previous chunk so a host split across chunks is still seen.
            const text = tail + chunk.toString("latin1");
            for (const host of hostsIn(text)) {
                const clash = findOwner(host, environment, others);
                if (clash && !seen.has(host)) {
                    seen.add(host);
                    found.push({ file: name, host, owner: clash.owner, layer: digest });
                }
            }
            tail = text.slice(-256);
        });
        stream.on("end", next);
    });
    const body = Readable.from(await client.blobStream(repository, digest));
    const gz = /gzip/.test(mediaType) || mediaType.endsWith("tar.gzip");
    await (gz ? pipeline(body, createGunzip(), tar) : pipeline(body, tar));
}

/**
 * A layer read that breaks mid-stream (a reset, a truncated body) is read again from the
 * start, a bounded number of times: opening the blob is already retried by the client, but
 * a stream that dies half way is not a registry answer the client can retry.
 */
async function scanLayerWithRetries(client: RegistryClient, repository: string, digest: string, mediaType: string, environment: string, others: readonly EnvironmentIdentity[], found: ForeignHost[], attempts = 4): Promise<void> {
    for (let attempt = 1; ; attempt++) {
        const here: ForeignHost[] = [];
        try {
            await scanLayer(client, repository, digest, mediaType, environment, others, here);
            found.push(...here);
            return;
        } catch (e) {
            if (e instanceof RegistryError || attempt >= attempts) throw e;
            // A broken stream: connection errors, premature close, a gzip/tar cut short.
            await new Promise((r) => setTimeout(r, 50 * attempt));
        }
    }
}

/** Every other-environment host found in any file of any layer of `digest` (all platforms). */
export async function scanImage(client: RegistryClient, repository: string, digest: string, environment: string, others: readonly EnvironmentIdentity[]): Promise<ForeignHost[]> {
    const found: ForeignHost[] = [];
    const m = await client.getManifest(repository, digest);
    const doc = JSON.parse(m.bytes.toString("utf8"));
    const manifests = isIndex(m.mediaType) || Array.isArray(doc.manifests) ? (doc.manifests ?? []).map((c: any) => c.digest) : [digest];
    for (const md of manifests) {
        const child = md === digest ? doc : JSON.parse((await client.getManifest(repository, md)).bytes.toString("utf8"));
        for (const layer of child.layers ?? []) await scanLayerWithRetries(client, repository, layer.digest, layer.mediaType ?? "", environment, others, found);
    }
    return found;
}
