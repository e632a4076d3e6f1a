/**
 * How a stack promotes, read from its validated config once, for both the CLI and the
 * engine: where its images come from, which tags it writes, what must be proven first.
 */
import { findEnvironment } from "../config/environments";
import { CONFIG_NAMESPACE } from "../config/schema";
import { StackConfig } from "../config/validate";

export interface PromotionSettings {
    /** The environment promoted into. */
    readonly environment: string;
    /** Stack whose `images` output is promoted (may be qualified: org/project/stack). */
    readonly sourceStack: string;
    /** The stage whose verification the evidence must show (the source stack's name). */
    readonly sourceStage: string;
    readonly movingTag: string;
    readonly targetRepositorySuffix: string;
    readonly registryScheme: "http" | "https";
    /** Refuse digests without the source stage's evidence or with another environment's host in a layer. */
    readonly requireEvidence: boolean;
    /** True when the engine promotes (the stack sets `promotion`); false when `npm run promote` pins images. */
    readonly inEngine: boolean;
}

export class PromotionSettingsError extends Error {}

export function promotionSettings(config: StackConfig): PromotionSettings {
    const p = config.promotion;
    const sourceStack = p?.sourceStack ?? findEnvironment(config.environment)?.promotesFrom;
    if (!sourceStack) {
        throw new PromotionSettingsError(
            `stack ${config.stack} (environment ${config.environment}) has no source to promote from: set ${CONFIG_NAMESPACE}:promotion.sourceStack in Pulumi.${config.stack}.yaml`,
        );
    }
    return {
        environment: config.environment,
        sourceStack,
        sourceStage: sourceStack.split("/").pop()!,
        movingTag: p?.movingTag ?? config.environment,
        targetRepositorySuffix: p?.targetRepositorySuffix ?? "",
        registryScheme: p?.registryScheme ?? "https",
        requireEvidence: p?.requireGate ?? true,
        inEngine: p !== undefined,
    };
}
