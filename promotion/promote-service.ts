/**
 * Promotion of one service: decide (no writes) whether DEV's digest may go to PROD, then
 * apply it. A refusal (gate not met, another environment's host inside the image) is
 * decided before any write, so a refused promotion changes nothing.
 */
import { EnvironmentIdentity } from "../config/identity";
import { RegistryClient } from "../registry/client";
import { promoteTag } from "../registry/promote";
import { gateTag, isVerified } from "./gate";
import { ForeignHost, scanImage } from "./layer-scan";

export interface ServicePromotion {
    readonly service: string;
    /** Where DEV's image lives, and the digest DEV runs (never a tag: promotion is by digest). */
    readonly sourceRepository: string;
    readonly digest: string;
    /** DEV's tag for the record (the immutable PROD tag names it). */
    readonly sourceTag?: string;
    readonly targetRepository: string;
    /** The moving tag of the target environment, e.g. "prod". */
    readonly movingTag: string;
    /** Target environment and the others' identities (for the layer scan). */
    readonly environment: string;
    readonly others: readonly EnvironmentIdentity[];
}

export interface PromotionDecision {
    readonly service: string;
    readonly digest: string;
    readonly currentDigest?: string;
    readonly gateTag: string;
    readonly gateVerified: boolean;
    readonly foreignHosts: readonly ForeignHost[];
    readonly immutableTag: string;
    /** Why the promotion is refused; undefined when it may proceed. */
    readonly refusal?: string;
    readonly changes: boolean;
}

export function immutableTagFor(movingTag: string, sourceTag: string | undefined, digest: string): string {
    const from = (sourceTag ?? "digest").replace(/[^A-Za-z0-9_.-]/g, "-").slice(0, 80);
    return `${movingTag}-${from}-${digest.slice(7, 19)}`;
}

export async function decide(client: RegistryClient, p: ServicePromotion): Promise<PromotionDecision> {
    const current = await client.headManifest(p.targetRepository, p.movingTag);
    const gateVerified = await isVerified(client, p.sourceRepository, p.digest);
    const foreignHosts = gateVerified ? await scanImage(client, p.sourceRepository, p.digest, p.environment, p.others) : [];
    let refusal: string | undefined;
    if (!gateVerified) {
        refusal = `${p.service} ${p.digest} has not passed DEV's checks: no gate tag ${gateTag(p.digest)} in ${client.registry}/${p.sourceRepository}; run the DEV audit with --record-gate on this digest first`;
    } else if (foreignHosts.length > 0) {
        const f = foreignHosts[0];
        refusal = `${p.service} ${p.digest} contains ${foreignHosts.length === 1 ? "a" : foreignHosts.length} ${f.owner} host${foreignHosts.length === 1 ? "" : "s"}: ${f.file} names ${f.host}; rebuild the image so it reads its backend URL at runtime (README, client image contract)`;
    }
    return {
        service: p.service,
        digest: p.digest,
        currentDigest: current?.digest,
        gateTag: gateTag(p.digest),
        gateVerified,
        foreignHosts,
        immutableTag: immutableTagFor(p.movingTag, p.sourceTag, p.digest),
        refusal,
        changes: current?.digest !== p.digest,
    };
}

/** Writes the immutable tag, then the moving tag, each verified after the write. */
export async function apply(client: RegistryClient, p: ServicePromotion, d: PromotionDecision): Promise<{ changed: boolean }> {
    if (d.refusal) throw new Error(`refused: ${d.refusal}`);
    const immutable = await promoteTag(client, { sourceRepository: p.sourceRepository, digest: p.digest, targetRepository: p.targetRepository, targetTag: d.immutableTag });
    const moving = await promoteTag(client, { sourceRepository: p.sourceRepository, digest: p.digest, targetRepository: p.targetRepository, targetTag: p.movingTag });
    return { changed: immutable.changed || moving.changed };
}
