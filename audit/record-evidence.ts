/**
 * After a passing audit, records for every image digest it audited the evidence that the
 * digest was verified in the audited environment (promotion/evidence.ts), which the next
 * environment's promotion requires. A failing audit records nothing.
 */
import { digestOf, splitImage } from "../image/reference";
import { recordVerifiedIn } from "../promotion/evidence";
import { RegistryClient } from "../registry/client";
import { AuditResult } from "./run";
import { AuditTarget } from "./target";

export interface EvidenceRecord {
    readonly service: string;
    readonly image: string;
    readonly digest: string;
}

export interface RegistryAccess {
    readonly scheme: "http" | "https";
    readonly username: string;
    readonly password: string;
}

export async function recordEvidence(
    target: AuditTarget,
    result: AuditResult,
    access: RegistryAccess,
): Promise<EvidenceRecord[]> {
    if (result.verdict !== "pass") return [];
    const out: EvidenceRecord[] = [];
    for (const [service, t] of Object.entries(target.services)) {
        if (!t?.expectedImage || !digestOf(t.expectedImage)) continue;
        const ref = splitImage(t.expectedImage);
        const client = new RegistryClient({
            registry: ref.registry,
            scheme: access.scheme,
            credentials: { username: access.username, password: access.password },
        });
        try {
            await recordVerifiedIn(client, ref.repository, ref.digest, target.environment);
        } finally {
            await client.close();
        }
        out.push({ service, image: t.expectedImage, digest: ref.digest });
    }
    return out;
}
