/**
 * A registry tag pointing at a digest, as a Pulumi dynamic resource. `check` refuses a digest
 * that has not passed DEV's checks or whose layers name another environment's hosts, so the
 * refusal shows in `pulumi preview`; `diff` shows the digest moving old → new; create/update
 * run the verify-after-write promotion; delete leaves the tag in place (the distribution API
 * cannot delete one tag without deleting the manifest every other tag shares).
 */
import * as pulumi from "@pulumi/pulumi";
import type { EnvironmentIdentity } from "../config/identity";
import { RegistryClient } from "../registry/client";
import { promoteTag } from "../registry/promote";
import { isVerified, gateTag } from "../promotion/gate";
import { scanImage } from "../promotion/layer-scan";

export interface RegistryTagInputs {
    registry: string;
    scheme: "http" | "https";
    username: string;
    password: string;
    sourceRepository: string;
    digest: string;
    targetRepository: string;
    tag: string;
    /** Require the gate tag and a clean layer scan before the tag may point at the digest. */
    requireGate: boolean;
    environment: string;
    others: EnvironmentIdentity[];
}

function clientFor(i: RegistryTagInputs): RegistryClient {
    return new RegistryClient({ registry: i.registry, scheme: i.scheme, credentials: { username: i.username, password: i.password } });
}

/** The checks a promotion must pass; failures name the input and what to do. */
export async function gateFailures(i: RegistryTagInputs): Promise<Array<{ property: string; reason: string }>> {
    if (!/^sha256:[a-f0-9]{64}$/.test(i.digest ?? "")) return [{ property: "digest", reason: `"${i.digest}" is not a sha256 digest; promotion is by digest only` }];
    if (!i.requireGate) return [];
    const client = clientFor(i);
    try {
        return await gateChecks(client, i);
    } catch (e) {
        // A failed check is a refusal the preview shows, with the registry's own explanation.
        return [{ property: "digest", reason: `could not verify ${i.sourceRepository}@${i.digest}: ${typeof (e as { message?: unknown })?.message === "string" ? (e as Error).message : JSON.stringify(e)}` }];
    } finally {
        await client.close();
    }
}

async function gateChecks(client: RegistryClient, i: RegistryTagInputs): Promise<Array<{ property: string; reason: string }>> {
    if (!(await isVerified(client, i.sourceRepository, i.digest))) {
        return [{ property: "digest", reason: `${i.sourceRepository}@${i.digest} has not passed DEV's checks (no ${gateTag(i.digest)} tag); run the DEV audit with --record-gate first` }];
    }
    const foreign = await scanImage(client, i.sourceRepository, i.digest, i.environment, i.others);
    if (foreign.length) return [{ property: "digest", reason: `${i.sourceRepository}@${i.digest}: ${foreign[0].file} names ${foreign[0].host}, a ${foreign[0].owner} host` }];
    return [];
}

export const registryTagProvider: pulumi.dynamic.ResourceProvider = {
    async check(_olds: RegistryTagInputs, news: RegistryTagInputs) {
        return { inputs: news, failures: await gateFailures(news) };
    },
    async diff(_id: string, olds: RegistryTagInputs, news: RegistryTagInputs) {
        const replaces = olds.registry !== news.registry || olds.targetRepository !== news.targetRepository || olds.tag !== news.tag ? ["tag"] : [];
        return { changes: olds.digest !== news.digest || replaces.length > 0, replaces, deleteBeforeReplace: false };
    },
    async create(inputs: RegistryTagInputs) {
        const client = clientFor(inputs);
        try {
            const r = await promoteTag(client, { sourceRepository: inputs.sourceRepository, digest: inputs.digest, targetRepository: inputs.targetRepository, targetTag: inputs.tag });
            return { id: `${inputs.registry}/${inputs.targetRepository}:${inputs.tag}`, outs: { ...inputs, previousDigest: r.previousDigest ?? "" } };
        } finally {
            await client.close();
        }
    },
    async update(_id: string, olds: RegistryTagInputs, news: RegistryTagInputs) {
        const client = clientFor(news);
        try {
            await promoteTag(client, { sourceRepository: news.sourceRepository, digest: news.digest, targetRepository: news.targetRepository, targetTag: news.tag });
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
    readonly requireGate: pulumi.Input<boolean>;
    readonly environment: pulumi.Input<string>;
    readonly others: pulumi.Input<EnvironmentIdentity[]>;
}

export class RegistryTag extends pulumi.dynamic.Resource {
    public readonly digest!: pulumi.Output<string>;
    public readonly previousDigest!: pulumi.Output<string>;

    constructor(name: string, args: RegistryTagArgs, opts?: pulumi.CustomResourceOptions) {
        super(registryTagProvider, name, { ...args, password: pulumi.secret(args.password), previousDigest: undefined }, { ...opts, additionalSecretOutputs: ["password"] }, "keybuzz", "RegistryTag");
    }
}
