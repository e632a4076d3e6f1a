/**
 * A registry tag pointing at a digest, as a Pulumi dynamic resource. `check` refuses a digest
 * that was not verified in the source stage or whose layers name another environment's hosts, so the
 * refusal shows in `pulumi preview`; `diff` shows the digest moving old → new; create/update
 * run the verify-after-write promotion; delete leaves the tag in place (the distribution API
 * cannot delete one tag without deleting the manifest every other tag shares).
 */
import * as pulumi from "@pulumi/pulumi";
import type { EnvironmentIdentity } from "../config/identity";
import { checkPromotable } from "../promotion/checks";
import { RegistryClient } from "../registry/client";
import { promoteTag } from "../registry/promote";

export interface RegistryTagInputs {
    registry: string;
    scheme: "http" | "https";
    username: string;
    password: string;
    /** The service, for messages. */
    service: string;
    sourceRepository: string;
    digest: string;
    targetRepository: string;
    tag: string;
    /** Require the source stage's evidence and a clean layer scan before the tag may point at the digest. */
    requireEvidence: boolean;
    /** The stage whose evidence is required (dev for prod). */
    sourceStage: string;
    environment: string;
    others: EnvironmentIdentity[];
}

function clientFor(i: RegistryTagInputs): RegistryClient {
    return new RegistryClient({
        registry: i.registry,
        scheme: i.scheme,
        credentials: { username: i.username, password: i.password },
    });
}

/** The promotion checks (promotion/checks.ts, the CLI's too), as `check` failures the preview shows. */
export async function checkFailures(
    i: RegistryTagInputs,
): Promise<Array<{ property: string; reason: string }>> {
    const client = clientFor(i);
    try {
        const r = await checkPromotable(
            client,
            { service: i.service, sourceRepository: i.sourceRepository, digest: i.digest },
            {
                environment: i.environment,
                sourceStage: i.sourceStage,
                requireEvidence: i.requireEvidence,
                others: i.others,
            },
        );
        return r.refusal ? [{ property: "digest", reason: r.refusal }] : [];
    } catch (e) {
        // A check that could not run is a refusal the preview shows, with the registry's own explanation.
        return [
            {
                property: "digest",
                reason: `could not verify ${i.sourceRepository}@${i.digest}: ${typeof (e as { message?: unknown })?.message === "string" ? (e as Error).message : JSON.stringify(e)}`,
            },
        ];
    } finally {
        await client.close();
    }
}

export const registryTagProvider: pulumi.dynamic.ResourceProvider = {
    async check(_olds: RegistryTagInputs, news: RegistryTagInputs) {
        return { inputs: news, failures: await checkFailures(news) };
    },
    async diff(_id: string, olds: RegistryTagInputs, news: RegistryTagInputs) {
        const replaces =
            olds.registry !== news.registry ||
            olds.targetRepository !== news.targetRepository ||
            olds.tag !== news.tag
                ? ["tag"]
                : [];
        return {
            changes: olds.digest !== news.digest || replaces.length > 0,
            replaces,
            deleteBeforeReplace: false,
        };
    },
    async create(inputs: RegistryTagInputs) {
        const client = clientFor(inputs);
        try {
            const r = await promoteTag(client, {
                sourceRepository: inputs.sourceRepository,
                digest: inputs.digest,
                targetRepository: inputs.targetRepository,
                targetTag: inputs.tag,
            });
            return {
                id: `${inputs.registry}/${inputs.targetRepository}:${inputs.tag}`,
                outs: { ...inputs, previousDigest: r.previousDigest ?? "" },
            };
        } finally {
            await client.close();
        }
    },
    async update(_id: string, olds: RegistryTagInputs, news: RegistryTagInputs) {
        const client = clientFor(news);
        try {
            await promoteTag(client, {
                sourceRepository: news.sourceRepository,
                digest: news.digest,
                targetRepository: news.targetRepository,
                targetTag: news.tag,
            });
            return { outs: { ...news, previousDigest: olds.digest } };
        } finally {
            await client.close();
        }
    },
    async delete() {
        // Intentionally leaves the tag: see the file comment.
    },
};

export interface RegistryTagArgs {
    readonly registry: pulumi.Input<string>;
    readonly scheme: pulumi.Input<"http" | "https">;
    readonly username: pulumi.Input<string>;
    /** Secret: the registry password/token. */
    readonly password: pulumi.Input<string>;
    readonly sourceRepository: pulumi.Input<string>;
    readonly digest: pulumi.Input<string>;
    readonly targetRepository: pulumi.Input<string>;
    readonly tag: pulumi.Input<string>;
    readonly service: pulumi.Input<string>;
    readonly requireEvidence: pulumi.Input<boolean>;
    readonly sourceStage: pulumi.Input<string>;
    readonly environment: pulumi.Input<string>;
    readonly others: pulumi.Input<EnvironmentIdentity[]>;
}

export class RegistryTag extends pulumi.dynamic.Resource {
    public readonly digest!: pulumi.Output<string>;
    public readonly previousDigest!: pulumi.Output<string>;

    constructor(name: string, args: RegistryTagArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            registryTagProvider,
            name,
            { ...args, password: pulumi.secret(args.password), previousDigest: undefined },
            { ...opts, additionalSecretOutputs: ["password"] },
            "keybuzz",
            "RegistryTag",
        );
    }
}
