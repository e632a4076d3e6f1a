/**
 * The plan for one service: where the environment's tags point now, whether they move, and
 * every check the move must pass. Writes nothing.
 *
 * A service whose moving and immutable tags already resolve to the candidate digest is a
 * no-op: two HEADs, no evidence or layer read. Nothing will be written, and the checks ran
 * when those tags were written (the ledger entry holds their result).
 */
import { RegistryClient } from "../registry/client";
import { Candidate } from "./candidate";
import { checkPromotable, CheckContext, CheckResult } from "./checks";

export interface ServicePlan {
    readonly candidate: Candidate;
    /** What the moving tag resolves to now; undefined when it does not exist. */
    readonly currentDigest?: string;
    /** Both tags already point at the digest: nothing to write, checks not re-run. */
    readonly inPlace: boolean;
    /** Undefined when `inPlace`. */
    readonly checks?: CheckResult;
    readonly refusal?: string;
    /** Set when the candidate re-promotes an earlier ledger entry. */
    readonly rollbackOf?: number;
}

export async function planService(
    client: RegistryClient,
    candidate: Candidate,
    ctx: CheckContext,
    rollbackOf?: number,
): Promise<ServicePlan> {
    const current = await client.headManifest(candidate.targetRepository, candidate.tags.moving);
    if (current?.digest === candidate.digest) {
        const immutable = await client.headManifest(
            candidate.targetRepository,
            candidate.tags.immutable,
        );
        if (immutable?.digest === candidate.digest)
            return { candidate, currentDigest: current.digest, inPlace: true, rollbackOf };
    }
    const checks = await checkPromotable(client, candidate, ctx);
    return {
        candidate,
        currentDigest: current?.digest,
        inPlace: false,
        checks,
        refusal: checks.refusal,
        rollbackOf,
    };
}

/** The moving tag changes digest (what a person calls "the promotion"). */
export function moves(plan: ServicePlan): boolean {
    return plan.currentDigest !== plan.candidate.digest;
}
