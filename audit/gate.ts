/**
 * Gate evidence: a passing DEV audit records, per image digest it audited, that the digest
 * was verified. One immutable JSON record per digest, so older verified digests stay
 * promotable for rollback. Stored in a directory here; a registry-backed store (a tag per
 * verified digest, visible to both stacks) belongs to the promotion work.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { AuditResult } from "./run";
import { AuditTarget } from "./target";

export interface GateRecord {
    readonly digest: string;
    readonly service: string;
    readonly image: string;
    readonly environment: string;
    readonly verifiedAt: string;
    readonly endpointsPassed: number;
    readonly separationPassed: number;
}

export function recordGates(dir: string, target: AuditTarget, result: AuditResult): GateRecord[] {
    if (result.verdict !== "pass") return [];
    fs.mkdirSync(dir, { recursive: true });
    const out: GateRecord[] = [];
    for (const [service, t] of Object.entries(target.services)) {
        const digest = /@(sha256:[a-f0-9]{64})$/.exec(t?.expectedImage ?? "")?.[1];
        if (!t || !digest) continue;
        const record: GateRecord = {
            digest,
            service,
            image: t.expectedImage!,
            environment: result.environment,
            verifiedAt: new Date().toISOString(),
            endpointsPassed: result.checks.filter((c) => c.service === service && c.verdict === "pass").length,
            separationPassed: result.separation.filter((s) => s.service === service && s.verdict === "pass").length,
        };
        const file = path.join(dir, `${digest.replace(":", "-")}.json`);
        // Immutable: the first verification of a digest stands; later passes do not rewrite it.
        if (!fs.existsSync(file)) fs.writeFileSync(file, JSON.stringify(record, null, 2) + "\n", { flag: "wx" });
        out.push(JSON.parse(fs.readFileSync(file, "utf8")));
    }
    return out;
}
