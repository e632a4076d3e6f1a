import * as pulumi from "@pulumi/pulumi";
import type { EnvironmentIdentity } from "../config/identity";
import { immutableTagFor } from "../promotion/promote-service";
import { splitImage } from "../registry/reference";
import { RegistryTag } from "./registry-tag";

export interface PromotionArgs {
    /** The target environment (prod). */
    readonly environment: string;
    /** Services to promote. */
    readonly services: readonly string[];
    /**
     * Images the source stack runs, by service (`registry/repo[:tag]@sha256:…`): from a
     * StackReference to DEV's `images` output.
     */
    readonly sourceImages: pulumi.Input<Record<string, string>>;
    /** Per service, a digest to roll back to (an earlier ledger entry); wins over the source. */
    readonly rollbackTo?: Readonly<Record<string, string>>;
    /** Moving tag of the target environment. Default "prod". */
    readonly movingTag?: string;
    /** Repository suffix for the target environment's copies. Default "" (same repository). */
    readonly targetRepositorySuffix?: string;
    readonly registry: { readonly scheme: "http" | "https"; readonly username: string; readonly password: pulumi.Input<string> };
    /** Require DEV's gate tag and a clean layer scan. Default true. */
    readonly requireGate?: boolean;
    readonly others: readonly EnvironmentIdentity[];
}

export interface PromotedImage {
    readonly image: string;
    readonly digest: string;
    readonly sourceImage: string;
    readonly immutableTag: string;
}


/**
 * Promotion of the images DEV runs and verified to this environment: per service an
 * immutable tag recording the source tag and a moving tag, both by digest, visible in the
 * preview as a digest change; the Deployments get `image@sha256:…`.
 */
export class Promotion extends pulumi.ComponentResource {
    public readonly images: pulumi.Output<Record<string, string>>;
    public readonly promoted: pulumi.Output<Record<string, PromotedImage>>;

    constructor(name: string, args: PromotionArgs, opts?: pulumi.ComponentResourceOptions) {
        super("keybuzz:promotion:Promotion", name, {}, opts);
        const movingTag = args.movingTag ?? "prod";
        const promoted: Record<string, pulumi.Output<PromotedImage>> = {};
        for (const service of args.services) {
            const source = pulumi.output(args.sourceImages).apply((imgs) => {
                const ref = imgs?.[service];
                if (!ref) throw new Error(`the source stack exports no image for ${service} (output images.${service})`);
                const s = splitImage(ref);
                const digest = args.rollbackTo?.[service] ?? s.digest;
                return { ...s, digest, ref, targetRepository: s.repository + (args.targetRepositorySuffix ?? "") };
            });
            const common = {
                registry: source.registry,
                scheme: args.registry.scheme,
                username: args.registry.username,
                password: args.registry.password,
                sourceRepository: source.repository,
                digest: source.digest,
                targetRepository: source.targetRepository,
                requireGate: args.requireGate ?? true,
                environment: args.environment,
                others: [...args.others],
            };
            const immutableTag = source.apply((s) => immutableTagFor(movingTag, s.tag, s.digest));
            const immutable = new RegistryTag(`${name}-${service}-immutable`, { ...common, tag: immutableTag }, { parent: this });
            const moving = new RegistryTag(`${name}-${service}-${movingTag}`, { ...common, tag: movingTag }, { parent: this, dependsOn: [immutable] });
            promoted[service] = pulumi.all([source, immutableTag, moving.id]).apply(([s, tag]) => ({
                image: `${s.registry}/${s.targetRepository}@${s.digest}`,
                digest: s.digest,
                sourceImage: s.ref,
                immutableTag: tag,
            }));
        }
        this.promoted = pulumi.all(promoted);
        this.images = this.promoted.apply((p) => Object.fromEntries(Object.entries(p).map(([k, v]) => [k, v.image])));
        this.registerOutputs({ images: this.images, promoted: this.promoted });
    }
}
