/**
 * Gate evidence in the registry itself, where DEV's pipeline writes it and PROD's promotion
 * reads it: a tag named after the verified digest (`verified-sha256-<hex>`) in the source
 * repository, pointing at that digest. Named by the digest, it never moves; older verified
 * digests stay promotable for rollback.
 */
import { RegistryClient } from "../registry/client";
import { promoteTag } from "../registry/promote";

export function gateTag(digest: string): string {
    return `verified-${digest.replace(":", "-")}`;
}

export async function isVerified(client: RegistryClient, repository: string, digest: string): Promise<boolean> {
    const head = await client.headManifest(repository, gateTag(digest));
    return head?.digest === digest;
}

/** Written by `npm run audit -- --record-gate` after DEV's audit passes. */
export async function recordVerified(client: RegistryClient, repository: string, digest: string): Promise<void> {
    await promoteTag(client, { sourceRepository: repository, digest, targetRepository: repository, targetTag: gateTag(digest) });
}
