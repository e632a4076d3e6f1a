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
    let changed = false;
    for (const tag of [c.tags.immutable, c.tags.moving]) {
        const r = await promoteTag(client, {
            sourceRepository: c.sourceRepository,
            digest: c.digest,
            targetRepository: c.targetRepository,
            targetTag: tag,
        });
        changed ||= r.changed;
    }
    return { changed };
}
