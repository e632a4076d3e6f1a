/**
 * Points a target tag at a source digest, copying nothing but the manifest bytes:
 * HEAD the target (no-op when it already points there), GET the source manifest by digest
 * (bytes verified), make sure every blob and child manifest exists in the target repository
 * (cross-repository mount), PUT the same bytes, then HEAD again and fail unless the tag now
 * resolves to the source digest. The tag can only ever be left unchanged or equal to the source.
 */
import { isDigest } from "../image/reference";
import { RegistryClient } from "./client";
import { RegistryError } from "./errors";
import { isIndex } from "./media-types";

export interface TagPromotion {
    /** Repository holding the verified image, e.g. keybuzzio/keybuzz-api. */
    readonly sourceRepository: string;
    readonly digest: string;
    readonly targetRepository: string;
    readonly targetTag: string;
}

export interface TagPromotionResult {
    readonly changed: boolean;
    readonly previousDigest?: string;
    readonly digest: string;
}

export async function promoteTag(
    client: RegistryClient,
    p: TagPromotion,
): Promise<TagPromotionResult> {
    if (!isDigest(p.digest))
        throw new Error(`promotion of ${p.sourceRepository}: ${p.digest} is not a sha256 digest`);
    const image = `${client.registry}/${p.targetRepository}:${p.targetTag}`;
    const before = await client.headManifest(p.targetRepository, p.targetTag);
    if (before?.digest === p.digest)
        return { changed: false, previousDigest: before.digest, digest: p.digest };

    const manifest = await client.getManifest(p.sourceRepository, p.digest);
    if (p.sourceRepository !== p.targetRepository)
        await ensureContent(
            client,
            p.sourceRepository,
            p.targetRepository,
            manifest.bytes,
            manifest.mediaType,
        );
    await client.putManifest(p.targetRepository, p.targetTag, manifest);

    const after = await client.headManifest(p.targetRepository, p.targetTag);
    if (after?.digest !== p.digest) {
        throw new RegistryError(
            "VERIFY_FAILED",
            0,
            image,
            `after writing, the tag resolves to ${after?.digest ?? "nothing"}, not ${p.digest}; promotion not confirmed`,
        );
    }
    return { changed: true, previousDigest: before?.digest, digest: p.digest };
}

/** Everything a manifest refers to must exist in the target repository before the PUT. */
async function ensureContent(
    client: RegistryClient,
    from: string,
    to: string,
    bytes: Buffer,
    mediaType: string,
): Promise<void> {
    const doc = JSON.parse(bytes.toString("utf8"));
    if (isIndex(mediaType) || Array.isArray(doc.manifests)) {
        // Children (one per platform) and a manifest's blobs are independent of each other:
        // checked and copied side by side, each child's content before the child itself.
        await settledAll(
            (doc.manifests ?? []).map(async (child: { digest: string }) => {
                if (await client.headManifest(to, child.digest)) return;
                const m = await client.getManifest(from, child.digest);
                await ensureContent(client, from, to, m.bytes, m.mediaType);
                await client.putManifest(to, child.digest, m);
            }),
        );
        return;
    }
    await settledAll(
        [doc.config, ...(doc.layers ?? [])]
            .filter(Boolean)
            .map(async (blob: { digest: string }) => {
                if (await client.blobExists(to, blob.digest)) return;
                if (!(await client.mountBlob(to, blob.digest, from))) {
                    throw new RegistryError(
                        "BLOB_UNKNOWN",
                        0,
                        `${client.registry}/${to}@${blob.digest}`,
                        `the registry would not mount it from ${from}`,
                    );
                }
            }),
    );
}

/** Waits for every one, then fails with the first failure: nothing is left running behind an error. */
async function settledAll(work: Promise<void>[]): Promise<void> {
    const done = await Promise.allSettled(work);
    const failed = done.find((d): d is PromiseRejectedResult => d.status === "rejected");
    if (failed) throw failed.reason;
}
