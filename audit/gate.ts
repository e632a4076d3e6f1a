/**
 * After a passing audit, records the gate for every image digest it audited: the registry
 * gate tag (promotion/gate.ts) that PROD's promotion requires. A failing audit records nothing.
 */
import { parseImageReference } from "../config/schema";
import { recordVerified } from "../promotion/gate";
import { RegistryClient } from "../registry/client";
import { splitImage } from "../registry/reference";
import { AuditResult } from "./run";
import { AuditTarget } from "./target";

export interface GateRecord {
    readonly service: string;
    readonly image: string;
    readonly digest: string;
}

export interface RegistryAccess {
    readonly scheme: "http" | "https";
    readonly username: string;
    readonly password: string;
}

export async function recordGates(target: AuditTarget, result: AuditResult, access: RegistryAccess): Promise<GateRecord[]> {
    if (result.verdict !== "pass") return [];
    const out: GateRecord[] = [];
    for (const [service, t] of Object.entries(target.services)) {
        if (!t?.expectedImage || !parseImageReference(t.expectedImage)?.digest) continue;
        const ref = splitImage(t.expectedImage);
        const client = new RegistryClient({ registry: ref.registry, scheme: access.scheme, credentials: { username: access.username, password: access.password } });
        try {
            await recordVerified(client, ref.repository, ref.digest);
        } finally {
            await client.close();
        }
        out.push({ service, image: t.expectedImage, digest: ref.digest });
    }
    return out;
}
