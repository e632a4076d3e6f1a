/**
 * Streams an image's layers from the registry and scans their files for other environments'
 * hosts. Next.js inlines NEXT_PUBLIC_BACKEND_URL into the client bundle at build time, so a
 * DEV-built client image can carry backend-dev into PROD whatever the Deployment says.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { EnvironmentIdentity, findOwner } from "../config/identity";
import { RegistryClient } from "../registry/client";
import { RegistryError } from "../registry/errors";
import { isIndex } from "../registry/media-types";
import { HostMention } from "./layer-files";
import { scanLayer } from "./layer-scan-pool";

export interface ForeignHost {
    readonly file: string;
    readonly host: string;
    readonly owner: string;
    readonly layer: string;
}

/**
 * What produced a cached layer verdict. Bump it whenever which files are scanned or which hosts
 * are found changes (promotion/layer-files.ts, config/host-names.ts): older verdicts are then
 * ignored. A faster way to find the same hosts needs no bump.
 */
export const SCANNER_VERSION = "layer-scan/4";
// Above this many host mentions in one layer nothing is cached (the layer is scanned each time).
const MAX_CACHED_MENTIONS = 20_000;

/** A layer as a manifest lists it. */
interface LayerRef {
    readonly digest: string;
    readonly mediaType?: string;
    /** Bytes of the blob as the manifest says (compressed). */
    readonly size?: number;
}

/** Every host-like string in the scanned files of one layer, once per file. */
async function layerMentions(
    client: RegistryClient,
    repository: string,
    layer: LayerRef,
): Promise<HostMention[]> {
    return scanLayer(
        await client.blobStream(repository, layer.digest),
        layer.mediaType ?? "",
        layer.size,
    );
}

/**
 * A layer read that breaks mid-stream (a reset, a truncated body) is read again from the
 * start, a bounded number of times: opening the blob is already retried by the client, but
 * a stream that dies half way is not a registry answer the client can retry.
 */
async function layerMentionsWithRetries(
    client: RegistryClient,
    repository: string,
    layer: LayerRef,
    attempts = 4,
): Promise<HostMention[]> {
    for (let attempt = 1; ; attempt++) {
        try {
            return await layerMentions(client, repository, layer);
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
    layer: LayerRef,
): Promise<HostMention[]> {
    const digest = layer.digest;
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
    const mentions = await layerMentionsWithRetries(client, repository, layer);
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
    const children = await Promise.all(
        manifests.map(async (md: string) =>
            md === digest
                ? doc
                : JSON.parse((await client.getManifest(repository, md)).bytes.toString("utf8")),
        ),
    );
    const layerList: LayerRef[] = children.flatMap((child) => child.layers ?? []);
    layers = layerList.length;
    // Every layer at once: the pool scans as many side by side as there are cores.
    const mentions = await Promise.all(
        layerList.map((layer) => cachedLayerMentions(client, repository, layer)),
    );
    layerList.forEach((layer, i) => {
        for (const m of mentions[i]) {
            const clash = findOwner(m.host, environment, others);
            if (clash)
                foreignHosts.push({
                    file: m.file,
                    host: m.host,
                    owner: clash.owner,
                    layer: layer.digest,
                });
        }
    });
    return { scanner: SCANNER_VERSION, layers, foreignHosts };
}
