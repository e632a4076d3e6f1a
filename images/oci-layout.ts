/**
 * Writes a one-layer OCI image layout (image-layout spec 1.0) without Docker, byte for byte
 * the same from the same files: tar entries in path order with mtime 0, owner and mode as
 * given, gzip without a timestamp, JSON with sorted keys. Same input → same digest, which is
 * what lets a test prove a build reproducible and the local stack pin what it builds.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { gzipSync } from "node:zlib";
import { pack } from "tar-stream";

export interface LayerEntry {
    /** Path inside the image, without a leading slash. */
    readonly path: string;
    readonly type: "file" | "directory" | "symlink";
    readonly mode: number;
    readonly uid?: number;
    readonly gid?: number;
    /** file: the bytes; symlink: the target. */
    readonly content?: Buffer;
    readonly linkTarget?: string;
}

export interface ImageConfig {
    readonly entrypoint: readonly string[];
    readonly env: readonly string[];
    readonly user?: string;
    readonly exposedPort?: number;
    readonly labels?: Record<string, string>;
}

export interface WrittenImage {
    readonly layout: string;
    readonly manifestDigest: string;
    readonly layerBytes: number;
}

const sha256 = (b: Buffer) => `sha256:${createHash("sha256").update(b).digest("hex")}`;

/** JSON with object keys sorted, so the bytes (and the digest) never depend on insertion order. */
export function canonicalJson(value: unknown): Buffer {
    const sort = (v: unknown): unknown =>
        Array.isArray(v)
            ? v.map(sort)
            : v && typeof v === "object"
              ? Object.fromEntries(
                    Object.keys(v as object)
                        .sort()
                        .map((k) => [k, sort((v as Record<string, unknown>)[k])]),
                )
              : v;
    return Buffer.from(JSON.stringify(sort(value)));
}

export async function layerTar(entries: readonly LayerEntry[]): Promise<Buffer> {
    const seen = new Set<string>();
    for (const e of entries) {
        if (e.path.startsWith("/") || e.path.split("/").includes(".."))
            throw new Error(`image entry ${e.path}: must be a relative path without ".."`);
        if (seen.has(e.path)) throw new Error(`image entry ${e.path}: listed twice`);
        seen.add(e.path);
    }
    const p = pack();
    const chunks: Buffer[] = [];
    const done = (async () => {
        for await (const c of p) chunks.push(c as Buffer);
    })();
    for (const e of [...entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
        const header = {
            name: e.type === "directory" ? `${e.path}/` : e.path,
            mode: e.mode,
            uid: e.uid ?? 0,
            gid: e.gid ?? 0,
            uname: "",
            gname: "",
            mtime: new Date(0),
        };
        await new Promise<void>((resolve, reject) => {
            const cb = (err?: Error | null) => (err ? reject(err) : resolve());
            if (e.type === "file")
                p.entry({ ...header, type: "file" }, e.content ?? Buffer.alloc(0), cb);
            else if (e.type === "symlink")
                p.entry({ ...header, type: "symlink", linkname: e.linkTarget }, cb);
            else p.entry({ ...header, type: "directory" }, cb);
        });
    }
    p.finalize();
    await done;
    return Buffer.concat(chunks);
}

/** Writes the layout into `dir` (replaced) and returns the manifest's digest. */
export async function writeImageLayout(
    dir: string,
    tag: string,
    entries: readonly LayerEntry[],
    config: ImageConfig,
): Promise<WrittenImage> {
    fs.rmSync(dir, { recursive: true, force: true });
    const blobs = path.join(dir, "blobs", "sha256");
    fs.mkdirSync(blobs, { recursive: true });
    const put = (b: Buffer) => {
        const digest = sha256(b);
        fs.writeFileSync(path.join(blobs, digest.slice("sha256:".length)), b);
        return { digest, size: b.length };
    };
    const tar = await layerTar(entries);
    const tarDigest = sha256(tar);
    // Level 6 (zlib's default), no name and mtime 0 in the header: the same bytes every time
    // for the same Node.js (whose bundled zlib is pinned with it).
    // Compressing is most of a build's time (the PostgreSQL layer: ~40 s): the compressed bytes
    // are kept by the uncompressed layer's digest, which determines them.
    const cached = path.join(path.dirname(dir), ".gzip-cache", `${tarDigest.slice(7)}.gz`);
    let gz: Buffer;
    if (fs.existsSync(cached)) gz = fs.readFileSync(cached);
    else {
        gz = gzipSync(tar, { level: 6 });
        fs.mkdirSync(path.dirname(cached), { recursive: true });
        fs.writeFileSync(`${cached}.tmp`, gz);
        fs.renameSync(`${cached}.tmp`, cached);
    }
    const layer = put(gz);
    const imageConfig = put(
        canonicalJson({
            architecture: "amd64",
            os: "linux",
            config: {
                Entrypoint: config.entrypoint,
                Env: config.env,
                WorkingDir: "/",
                ...(config.user ? { User: config.user } : {}),
                ...(config.exposedPort
                    ? { ExposedPorts: { [`${config.exposedPort}/tcp`]: {} } }
                    : {}),
                ...(config.labels ? { Labels: config.labels } : {}),
            },
            rootfs: { type: "layers", diff_ids: [tarDigest] },
        }),
    );
    const manifest = put(
        canonicalJson({
            schemaVersion: 2,
            mediaType: "application/vnd.oci.image.manifest.v1+json",
            config: { mediaType: "application/vnd.oci.image.config.v1+json", ...imageConfig },
            layers: [{ mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", ...layer }],
        }),
    );
    fs.writeFileSync(
        path.join(dir, "index.json"),
        canonicalJson({
            schemaVersion: 2,
            manifests: [
                {
                    mediaType: "application/vnd.oci.image.manifest.v1+json",
                    ...manifest,
                    annotations: { "org.opencontainers.image.ref.name": tag },
                },
            ],
        }),
    );
    fs.writeFileSync(path.join(dir, "oci-layout"), canonicalJson({ imageLayoutVersion: "1.0.0" }));
    return { layout: dir, manifestDigest: manifest.digest, layerBytes: layer.size };
}
