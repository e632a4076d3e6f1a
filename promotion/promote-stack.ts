/**
 * A promotion of one stack, whole: which image each service should run (the source stage's
 * digests, or for a rollback earlier ledger entries), a plan per service with every check,
 * and, only when no service is refused, the tag writes, the ledger entries (with each check's
 * actual result) and the stack file pinned by digest. `npm run promote` is flags and output
 * around this; the engine's `Promotion` component uses the same settings, candidates and checks.
 */
import * as path from "node:path";
import { EnvironmentIdentity } from "../config/identity";
import { ServiceName } from "../config/schema";
import { RegistryClient } from "../registry/client";
import { Credentials } from "../registry/auth";
import { checkProjectFileWritable } from "../lib/safe-write";
import { applyPlan } from "./apply";
import { Candidate, candidateFor } from "./candidate";
import { appendEntries, Ledger, LedgerEntry, ledgerPath, readLedger } from "./ledger";
import { moves, planService, ServicePlan } from "./plan";
import { findEntry, previousEntry } from "./rollback";
import { PromotionSettings } from "./settings";
import { pinImages } from "./stack-pin";

/** Bad input: nothing was read from or written to a registry. */
export class PromotionInputError extends Error {}

export interface StackPromotion {
    readonly action: "plan" | "apply" | "rollback";
    /** Project folder holding Pulumi.<stack>.yaml and ledger/. */
    readonly root: string;
    readonly stack: string;
    readonly stackFile: string;
    readonly settings: PromotionSettings;
    readonly others: readonly EnvironmentIdentity[];
    readonly services: readonly ServiceName[];
    /** The services were named on the command line (a missing rollback target is then an error). */
    readonly servicesNamed: boolean;
    /** plan/apply: the source stage's images by service (`registry/repo[:tag]@sha256:…`). */
    readonly source?: {
        readonly images: Readonly<Record<string, string>>;
        /** Where they were read, for messages. */ readonly from: string;
    };
    /** rollback: ledger id or digest; default the entry before the current one. */
    readonly to?: string;
    readonly credentials: Credentials;
    /** Who promotes, for the ledger. */
    readonly by: string;
    /** Called once every check passed, before the first write. */
    readonly onWritesBegin?: () => void;
}

export interface StackPromotionResult {
    readonly action: StackPromotion["action"];
    readonly stack: string;
    readonly written: boolean;
    readonly plans: readonly ServicePlan[];
    readonly ledgerEntries: readonly Omit<LedgerEntry, "id">[];
}

interface Wanted {
    readonly service: string;
    readonly image: string;
    readonly rollbackOf?: number;
}

function wantedImages(p: StackPromotion, ledger: Ledger, ledgerFile: string): Wanted[] {
    const wanted: Wanted[] = [];
    if (p.action === "rollback") {
        for (const service of p.services) {
            const entry = p.to ? findEntry(ledger, service, p.to) : previousEntry(ledger, service);
            if (!entry) {
                if (p.servicesNamed)
                    throw new PromotionInputError(
                        `no ledger entry ${p.to ? `"${p.to}" ` : "before the current one "}for ${service} in ${path.relative(p.root, ledgerFile)}`,
                    );
                continue;
            }
            wanted.push({ service, image: entry.sourceImage, rollbackOf: entry.id });
        }
        if (wanted.length === 0)
            throw new PromotionInputError(
                `nothing to roll back to in ${path.relative(p.root, ledgerFile)}`,
            );
        return wanted;
    }
    for (const service of p.services) {
        const image = p.source?.images[service];
        if (typeof image !== "string")
            throw new PromotionInputError(
                `${p.source?.from ?? `stack ${p.settings.sourceStack}`} names no image for ${service}: give each service's image by digest (registry/repository:tag@sha256:…)`,
            );
        wanted.push({ service, image });
    }
    return wanted;
}

function ledgerEntry(plan: ServicePlan, p: StackPromotion): Omit<LedgerEntry, "id"> {
    const c = plan.candidate;
    const { evidence, layerScan } = plan.checks ?? {};
    return {
        service: c.service,
        sourceStack: p.settings.sourceStack,
        sourceImage: c.sourceImage,
        ...(c.sourceTag ? { sourceTag: c.sourceTag } : {}),
        digest: c.digest,
        targetImage: c.targetImage,
        immutableTag: c.tags.immutable,
        promotedAt: new Date().toISOString(),
        by: p.by,
        ...(evidence?.verified ? { gate: { tag: evidence.tag, verified: true as const } } : {}),
        ...(layerScan
            ? {
                  layerScan: {
                      filesWithForeignHosts: layerScan.foreignHosts.length,
                      layers: layerScan.layers,
                      scanner: layerScan.scanner,
                  },
              }
            : {}),
        ...(plan.rollbackOf ? { rollbackOf: plan.rollbackOf } : {}),
    };
}

export async function promoteStack(p: StackPromotion): Promise<StackPromotionResult> {
    const ledgerFile = ledgerPath(p.root, p.stack);
    const ledger = readLedger(ledgerFile, p.stack);
    const wanted = wantedImages(p, ledger, ledgerFile);
    // Every reference is checked before the first registry request.
    const candidates: Array<{ candidate: Candidate; rollbackOf?: number }> = wanted.map((w) => {
        try {
            return {
                candidate: candidateFor(w.service, w.image, p.settings),
                rollbackOf: w.rollbackOf,
            };
        } catch (e) {
            throw new PromotionInputError(`${w.service}: ${(e as Error).message}`);
        }
    });

    const clients = new Map<string, RegistryClient>();
    const clientFor = (registry: string) => {
        let c = clients.get(registry);
        if (!c)
            clients.set(
                registry,
                (c = new RegistryClient({
                    registry,
                    scheme: p.settings.registryScheme,
                    credentials: p.credentials,
                })),
            );
        return c;
    };
    const ctx = {
        environment: p.settings.environment,
        sourceStage: p.settings.sourceStage,
        requireEvidence: p.settings.requireEvidence,
        others: p.others,
    };
    try {
        // Services are independent: planned side by side (each plan is a few requests).
        const plans = await Promise.all(
            candidates.map((c) =>
                planService(clientFor(c.candidate.registry), c.candidate, ctx, c.rollbackOf),
            ),
        );
        const write = p.action !== "plan" && plans.every((s) => !s.refusal);
        const entries: Array<Omit<LedgerEntry, "id">> = [];
        if (write) {
            // Every file this promotion will write is checked before the first tag moves.
            for (const f of [ledgerFile, p.stackFile]) {
                try {
                    checkProjectFileWritable(p.root, f);
                } catch (e) {
                    throw new PromotionInputError((e as Error).message + "; nothing was written");
                }
            }
            p.onWritesBegin?.();
            for (const plan of plans) {
                await applyPlan(clientFor(plan.candidate.registry), plan);
                if (moves(plan) || plan.rollbackOf) entries.push(ledgerEntry(plan, p));
            }
            if (entries.length) appendEntries(ledgerFile, ledger, entries);
            pinImages(
                p.stackFile,
                Object.fromEntries(
                    plans.map((s) => [s.candidate.service, s.candidate.targetImage]),
                ),
                p.root,
            );
        }
        return { action: p.action, stack: p.stack, written: write, plans, ledgerEntries: entries };
    } finally {
        await Promise.all([...clients.values()].map((c) => c.close()));
    }
}
