/**
 * The tags a promotion writes in the target repository, named in one place so the CLI and
 * the engine always write the same ones: an immutable tag recording the source tag and digest
 * (`prod-v1.2.3-0123456789ab`), then the environment's moving tag (`prod`).
 */
export interface PromotionTags {
    readonly immutable: string;
    readonly moving: string;
}

export function immutableTagFor(
    movingTag: string,
    sourceTag: string | undefined,
    digest: string,
): string {
    const from = (sourceTag ?? "digest").replace(/[^A-Za-z0-9_.-]/g, "-").slice(0, 80);
    return `${movingTag}-${from}-${digest.slice(7, 19)}`;
}

export function promotionTags(
    movingTag: string,
    sourceTag: string | undefined,
    digest: string,
): PromotionTags {
    return { immutable: immutableTagFor(movingTag, sourceTag, digest), moving: movingTag };
}
