/**
 * Evidence that a digest was verified in a stage, kept in the registry where the stage's
 * pipeline writes it and the next stage's promotion reads it: a tag in the source repository,
 * named by the stage and the digest, pointing at that digest
 * (`verified-in-dev-sha256-<hex>`). Named by the digest, it never moves, so earlier verified
 * digests stay promotable for a rollback.
 *
 * Transition: before the stage was part of the name, DEV's audit wrote
 * `verified-sha256-<hex>`. That tag is still read as evidence from DEV (the only stage that
 * ever wrote it), so no existing evidence is lost; nothing writes it any more.
 */
import { RegistryClient } from "../registry/client";
import { promoteTag } from "../registry/promote";

const LEGACY_STAGE = "dev";

/** The tag that records "`digest` was verified in `stage`". */
export function verifiedInTag(stage: string, digest: string): string {
    return `verified-in-${stage}-${digest.replace(":", "-")}`;
}

/** The tag DEV's audit wrote before evidence named its stage; read, never written. */
export function legacyVerifiedTag(digest: string): string {
    return `verified-${digest.replace(":", "-")}`;
}

export interface Evidence {
    readonly stage: string;
    readonly verified: boolean;
    /** The tag that holds the evidence (when verified), or the one that would (when not). */
    readonly tag: string;
}

/** Whether `digest` in `repository` carries the evidence of having been verified in `stage`. */
export async function verifiedIn(
    client: RegistryClient,
    repository: string,
    digest: string,
    stage: string,
): Promise<Evidence> {
    const tag = verifiedInTag(stage, digest);
    if ((await client.headManifest(repository, tag))?.digest === digest)
        return { stage, verified: true, tag };
    if (stage === LEGACY_STAGE) {
        const legacy = legacyVerifiedTag(digest);
        if ((await client.headManifest(repository, legacy))?.digest === digest)
            return { stage, verified: true, tag: legacy };
    }
    return { stage, verified: false, tag };
}

/** Written by `npm run audit -- --record-gate` after the stage's audit passes. */
export async function recordVerifiedIn(
    client: RegistryClient,
    repository: string,
    digest: string,
    stage: string,
): Promise<void> {
    await promoteTag(client, {
        sourceRepository: repository,
        digest,
        targetRepository: repository,
        targetTag: verifiedInTag(stage, digest),
    });
}
