import * as pulumi from "@pulumi/pulumi";
import type { EnvironmentIdentity } from "../config/identity";
import { candidateFor } from "../promotion/candidate";
import { PromotionSettings } from "../promotion/settings";
import { RegistryTag } from "./registry-tag";

export interface PromotionArgs {
    /** How this stack promotes (promotion/settings.ts): the same values `npm run promote` uses. */
    readonly settings: PromotionSettings;
    /** Services to promote. */
    readonly services: readonly string[];
    /**
     * Images the source stack runs, by service (`registry/repo[:tag]@sha256:…`): from a
     * StackReference to the source stack's `images` output.
     */
    readonly sourceImages: pulumi.Input<Record<string, string>>;
    /** Per service, a digest to roll back to (an earlier ledger entry); wins over the source. */
    readonly rollbackTo?: Readonly<Record<string, string>>;
    readonly registry: { readonly username: string; readonly password: pulumi.Input<string> };
    readonly others: readonly EnvironmentIdentity[];
}

export interface PromotedImage {
    readonly image: string;
    readonly digest: string;
    readonly sourceImage: string;
    readonly immutableTag: string;
}

/**
 * Promotion of the images the source stage runs and verified to this environment: per service
 * the immutable tag then the moving tag (promotion/tags.ts, as the CLI writes them), both by
 * digest and checked by promotion/checks.ts in `check`, so a refusal shows in the preview;
 * the Deployments get `image@sha256:…`.
 */
export class Promotion extends pulumi.ComponentResource {
    public readonly images: pulumi.Output<Record<string, string>>;
    public readonly promoted: pulumi.Output<Record<string, PromotedImage>>;

    constructor(name: string, args: PromotionArgs, opts?: pulumi.ComponentResourceOptions) {
        super("keybuzz:promotion:Promotion", name, {}, opts);
        const s = args.settings;
        const promoted: Record<string, pulumi.Output<PromotedImage>> = {};
        for (const service of args.services) {
            const candidate = pulumi.output(args.sourceImages).apply((imgs) => {
                const ref = imgs?.[service];
                if (!ref)
                    throw new Error(
                        `the source stack ${s.sourceStack} exports no image for ${service} (output images.${service})`,
                    );
                const rollback = args.rollbackTo?.[service];
                // A rollback re-promotes an earlier digest of the same repository.
                return candidateFor(
                    service,
                    rollback ? ref.replace(/@sha256:[a-f0-9]{64}$/, `@${rollback}`) : ref,
                    s,
                );
            });
            const common = {
                registry: candidate.registry,
                scheme: s.registryScheme,
                username: args.registry.username,
                password: args.registry.password,
                service,
                sourceRepository: candidate.sourceRepository,
                digest: candidate.digest,
                targetRepository: candidate.targetRepository,
                requireEvidence: s.requireEvidence,
                sourceStage: s.sourceStage,
                environment: s.environment,
                others: [...args.others],
            };
            const immutable = new RegistryTag(
                `${name}-${service}-immutable`,
                { ...common, tag: candidate.tags.immutable },
                { parent: this },
            );
            const moving = new RegistryTag(
                `${name}-${service}-${s.movingTag}`,
                { ...common, tag: candidate.tags.moving },
                { parent: this, dependsOn: [immutable] },
            );
            promoted[service] = pulumi.all([candidate, moving.id]).apply(([c]) => ({
                image: c.targetImage,
                digest: c.digest,
                sourceImage: c.sourceImage,
                immutableTag: c.tags.immutable,
            }));
        }
        this.promoted = pulumi.all(promoted);
        this.images = this.promoted.apply((p) =>
            Object.fromEntries(Object.entries(p).map(([k, v]) => [k, v.image])),
        );
        this.registerOutputs({ images: this.images, promoted: this.promoted });
    }
}
