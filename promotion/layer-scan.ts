/**
 * Streams an image's layers from the registry and scans their files for other environments'
 * hosts. Next.js inlines NEXT_PUBLIC_BACKEND_URL into the client bundle at build time, so a
 * DEV-built client image can carry backend-dev into PROD whatever the Deployment says.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
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
const GUNZIP_CHUNK_BYTES = 1 << 20;
/**
 * What produced a cached layer verdict. Bump it whenever SCANNED, MAX_FILE_BYTES or how
 * hosts are found (config/identity hostsIn) changes: older verdicts are then ignored.
 */
export const SCANNER_VERSION = "layer-scan/2";
// Above this many host mentions in one layer nothing is cached (the layer is scanned each time).
const MAX_CACHED_MENTIONS = 20_000;

interface HostMention {
    readonly file: string;
    readonly host: string;
}

/** Every host-like string in the scanned files of one layer, once per file. */
async function layerMentions(
    client: RegistryClient,
    repository: string,
    digest: string,
    mediaType: string,
): Promise<HostMention[]> {
    const found: HostMention[] = [];
    const tar = extract();
    tar.on("entry", (header, stream, next) => {
        const name = header.name.replace(/^\.\//, "");
        if (header.type !== "file" || !SCANNED.test(name) || (header.size ?? 0) > MAX_FILE_BYTES) {
            stream.on("end", next);
            stream.resume();
            return;
        }
        let tail = Buffer.alloc(0);
        const seen = new Set<string>();
        stream.on("data", (data: unknown) => {
            const chunk = data as Buffer;
            // Keep the end of the previous chunk so a host split across chunks is still seen.
            // Joined as bytes, then decoded once: a string joined with + is a rope whose
            // characters V8 reads several times slower than a flat string's.
            const bytes = tail.length ? Buffer.concat([tail, chunk]) : chunk;
            for (const host of hostsIn(bytes.toString("latin1"))) {
                if (!seen.has(host)) {
                    seen.add(host);
                    found.push({ file: name, host });
                }
            }
            tail = Buffer.from(bytes.subarray(Math.max(0, bytes.length - 256)));
        });
        stream.on("end", next);
    });
    const body = Readable.from(await client.blobStream(repository, digest));
    const gz = /gzip/.test(mediaType) || mediaType.endsWith("tar.gzip");
    // Large output chunks: with zlib's default 16 KB, per-chunk stream overhead, not
    // inflation, bounded the scan (57 MB/s against 300 MB/s for gzip -dc on the same layer).
    await (gz
        ? pipeline(body, createGunzip({ chunkSize: GUNZIP_CHUNK_BYTES }), tar)
        : pipeline(body, tar));
    return found;
}

/**
 * A layer read that breaks mid-stream (a reset, a truncated body) is read again from the
 * start, a bounded number of times: opening the blob is already retried by the client, but
 * a stream that dies half way is not a registry answer the client can retry.
 */
async function layerMentionsWithRetries(
    client: RegistryClient,
    repository: string,
    digest: string,
    mediaType: string,
    attempts = 4,
): Promise<HostMention[]> {
    for (let attempt = 1; ; attempt++) {
        try {
            return await layerMentions(client, repository, digest, mediaType);
        } catch (e) {
            if (e instanceof RegistryError || attempt >= attempts) throw e;
            await new Promise((r) => setTimeout(r, 50 * attempt));
        }
    }
}

/**
 * Layers are content-addressed and immutable: what a layer mentions is cached by its digest
 * (with the scanner version that found it), so a re-promotion or a rollback of known layers
 * reads no blob. Which mentions belong to another environment is decided at every use, as
 * environments change. The cache lives beside the toolchain (KEYBUZZ_CACHE_DIR).
 */
function cacheFile(digest: string): string | undefined {
    const m = /^sha256:([a-f0-9]{64})$/.exec(digest);
    if (!m) return undefined;
    const base =
        process.env.KEYBUZZ_CACHE_DIR ?? path.join(os.homedir(), ".cache", "keybuzz-platform");
    return path.join(base, "layer-scan", `${m[1]}.json`);
}

async function cachedLayerMentions(
    client: RegistryClient,
    repository: string,
    digest: string,
    mediaType: string,
): Promise<HostMention[]> {
    const file = cacheFile(digest);
    if (file) {
        try {
            const cached = JSON.parse(fs.readFileSync(file, "utf8"));
            if (
                cached.scanner === SCANNER_VERSION &&
                cached.layer === digest &&
                Array.isArray(cached.mentions)
            )
                return cached.mentions;
        } catch {
            // absent or unreadable: scan
        }
    }
    const mentions = await layerMentionsWithRetries(client, repository, digest, mediaType);
    if (file && mentions.length <= MAX_CACHED_MENTIONS) {
        try {
            fs.mkdirSync(path.dirname(file), { recursive: true });
            const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
            fs.writeFileSync(
                tmp,
                JSON.stringify({
                    scanner: SCANNER_VERSION,
                    layer: digest,
                    scannedAt: new Date().toISOString(),
                    mentions,
                }),
                { flag: "wx" },
            );
            fs.renameSync(tmp, file);
        } catch {
            // a cache that cannot be written only costs the next scan
        }
    }
    return mentions;
}

export interface LayerScan {
    /** Which scanner produced the verdict (cached verdicts carry it too). */
    readonly scanner: string;
    /** Layers looked at, over every platform of an index. */
    readonly layers: number;
    /** Files naming a host of another environment; empty when the image is clean. */
    readonly foreignHosts: readonly ForeignHost[];
}

/** Every other-environment host found in any file of any layer of `digest` (all platforms). */
export async function scanImage(
    client: RegistryClient,
    repository: string,
    digest: string,
    environment: string,
    others: readonly EnvironmentIdentity[],
): Promise<LayerScan> {
    const foreignHosts: ForeignHost[] = [];
    let layers = 0;
    const m = await client.getManifest(repository, digest);
    const doc = JSON.parse(m.bytes.toString("utf8"));
    const manifests =
        isIndex(m.mediaType) || Array.isArray(doc.manifests)
            ? (doc.manifests ?? []).map((c: any) => c.digest)
            : [digest];
    for (const md of manifests) {
        const child =
            md === digest
                ? doc
                : JSON.parse((await client.getManifest(repository, md)).bytes.toString("utf8"));
        for (const layer of child.layers ?? []) {
            layers++;
            for (const m of await cachedLayerMentions(
                client,
                repository,
                layer.digest,
                layer.mediaType ?? "",
            )) {
                const clash = findOwner(m.host, environment, others);
                if (clash)
                    foreignHosts.push({
                        file: m.file,
                        host: m.host,
                        owner: clash.owner,
                        layer: layer.digest,
                    });
            }
        }
    }
    return { scanner: SCANNER_VERSION, layers, foreignHosts };
}
