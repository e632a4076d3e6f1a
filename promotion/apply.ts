/**
 * Carries out a service's plan: the immutable tag, then the moving tag, each verified after
 * the write (registry/promote.ts). Refuses a refused plan; whoever applies must have planned
 * every service first so a refusal anywhere writes nothing anywhere.
 */
import { RegistryClient } from "../registry/client";
import { promoteTag } from "../registry/promote";
import { ServicePlan } from "./plan";

export async function applyPlan(
    client: RegistryClient,
    plan: ServicePlan,
): Promise<{ changed: boolean }> {
    if (plan.refusal) throw new Error(`refused: ${plan.refusal}`);
    if (plan.inPlace) return { changed: false };
    const c = plan.candidate;
    const to = { digest: c.digest, targetRepository: c.targetRepository };
    const immutable = await promoteTag(client, {
        ...to,
        sourceRepository: c.sourceRepository,
        targetTag: c.tags.immutable,
    });
    // The immutable tag's write put every blob and child manifest in the target repository
    // (verified after the write): the moving tag is a tag of what is already there.
    const moving = await promoteTag(client, {
        ...to,
        sourceRepository: c.targetRepository,
        targetTag: c.tags.moving,
    });
    return { changed: immutable.changed || moving.changed };
}
