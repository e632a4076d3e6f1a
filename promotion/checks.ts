/**
 * What must hold before a digest may be tagged for an environment, decided before any write
 * and worded once: the CLI's plan and the engine's `RegistryTag.check` both call this, so
 * `npm run promote` and `pulumi up` can never disagree on what is promotable.
 */
import { EnvironmentIdentity } from "../config/identity";
import { isDigest } from "../image/reference";
import { RegistryClient } from "../registry/client";
import { Evidence, verifiedIn } from "./evidence";
import { LayerScan, scanImage } from "./layer-scan";

export interface CheckSubject {
    readonly service: string;
    readonly sourceRepository: string;
    readonly digest: string;
}

export interface CheckContext {
    /** The environment promoted into. */
    readonly environment: string;
    /** The stage whose evidence is required (dev for prod). */
    readonly sourceStage: string;
    readonly requireEvidence: boolean;
    /** The other environments' identities: a layer naming one of their hosts is refused. */
    readonly others: readonly EnvironmentIdentity[];
}

export interface CheckResult {
    /** Undefined when evidence is not required. */
    readonly evidence?: Evidence;
    /** Undefined when the scan did not run (evidence missing, or not required). */
    readonly layerScan?: LayerScan;
    /** Why the digest may not be promoted; undefined when it may. */
    readonly refusal?: string;
}

export async function checkPromotable(
    client: RegistryClient,
    s: CheckSubject,
    ctx: CheckContext,
): Promise<CheckResult> {
    if (!isDigest(s.digest))
        return {
            refusal: `${s.service}: "${s.digest}" is not a sha256 digest; promotion is by digest only`,
        };
    if (!ctx.requireEvidence) return {};
    const evidence = await verifiedIn(client, s.sourceRepository, s.digest, ctx.sourceStage);
    if (!evidence.verified) {
        return {
            evidence,
            refusal: `${s.service} ${s.digest} was not verified in ${ctx.sourceStage}: no tag ${evidence.tag} in ${client.registry}/${s.sourceRepository}; run \`npm run audit -- --stack ${ctx.sourceStage} --record-gate\` on this digest first`,
        };
    }
    const layerScan = await scanImage(
        client,
        s.sourceRepository,
        s.digest,
        ctx.environment,
        ctx.others,
    );
    const found = layerScan.foreignHosts;
    if (found.length === 0) return { evidence, layerScan };
    const f = found[0];
    return {
        evidence,
        layerScan,
        refusal: `${s.service} ${s.digest} contains ${found.length === 1 ? "a" : found.length} ${f.owner} host${found.length === 1 ? "" : "s"}: ${f.file} names ${f.host}; rebuild the image so it reads its backend URL at runtime (README, client image contract)`,
    };
}
