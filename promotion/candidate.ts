/** One service's image proposed for an environment: what the checks and the tag writes act on. */
import { imageByDigest, splitImage } from "../image/reference";
import { PromotionSettings } from "./settings";
import { promotionTags, PromotionTags } from "./tags";

export interface Candidate {
    readonly service: string;
    /** The reference it came from (DEV's output or a ledger entry), for the record. */
    readonly sourceImage: string;
    readonly registry: string;
    readonly sourceRepository: string;
    readonly sourceTag?: string;
    /** Always a digest: promotion is by digest. */
    readonly digest: string;
    readonly targetRepository: string;
    readonly tags: PromotionTags;
    /** The promoted image, by digest, as the stack file pins it. */
    readonly targetImage: string;
}

/** Throws (naming the reference) when the image has no digest. */
export function candidateFor(
    service: string,
    sourceImage: string,
    settings: PromotionSettings,
): Candidate {
    const s = splitImage(sourceImage);
    const targetRepository = s.repository + settings.targetRepositorySuffix;
    return {
        service,
        sourceImage,
        registry: s.registry,
        sourceRepository: s.repository,
        sourceTag: s.tag,
        digest: s.digest,
        targetRepository,
        tags: promotionTags(settings.movingTag, s.tag, s.digest),
        targetImage: imageByDigest(s.registry, targetRepository, s.digest),
    };
}
