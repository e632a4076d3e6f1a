/** Resources of a stack as the program registers them, under Pulumi mocks (no engine). */
import * as path from "node:path";
import { StackConfig, validateStackConfig, ConfigError } from "../../config/validate";
import { EnvironmentIdentity } from "../../config/identity";
import { readStackFile } from "../../config/stack-file";
import { SecretValue } from "../../config/secret";
import { digestOf } from "../../image/reference";
import { runUnderMocks, StackOutputs, valueOf } from "../../lib/mock-run";
import { promotionSettings } from "../../promotion/settings";
import { deployPlatform } from "../../program";
import { ResourceView } from "../model";

export interface StackResources {
    readonly config: StackConfig;
    readonly resources: ResourceView[];
    /** credentialFingerprints output; generated credentials are mock values here. */
    readonly fingerprints: Record<string, string>;
    /** True when the stack's secrets were decrypted (fingerprints of configured credentials are real). */
    readonly decrypted: boolean;
}

/**
 * A stack that promotes in the engine reads its source stack's `images` output through a
 * StackReference; without the engine, that output is what the source stack file says its
 * services run (`services.<svc>.image`), so the check sees the images the promotion would bring.
 */
function sourceStackOutputs(file: string, config: StackConfig): StackOutputs {
    if (!config.promotion) return {};
    const sourceFile = path.join(
        path.dirname(file),
        `Pulumi.${promotionSettings(config).sourceStage}.yaml`,
    );
    let raw: Record<string, unknown>;
    try {
        raw = readStackFile(sourceFile);
    } catch (e) {
        throw new ConfigError(config.stack, file, [
            {
                path: "promotion.sourceStack",
                problem: `names ${config.promotion.sourceStack}, whose stack file cannot be read (${(e as Error).message.split(";")[0]})`,
                fix: `check the stack name; policy:check reads the source stack's images from ${path.basename(sourceFile)}`,
            },
        ]);
    }
    const services = (raw.services ?? {}) as Record<string, { image?: unknown }>;
    const images = Object.fromEntries(
        Object.entries(services)
            .filter(([, s]) => typeof s?.image === "string")
            .map(([name, s]) => [name, s.image as string]),
    );
    // Promotion is by digest: a source running an image by tag cannot be promoted (the engine
    // would refuse it too); say which service, before the program runs.
    const byTag = Object.entries(images).filter(([, image]) => !digestOf(image));
    if (byTag.length)
        throw new ConfigError(
            config.stack,
            file,
            byTag.map(([svc, image]) => ({
                path: "promotion.sourceStack",
                problem: `the source stack ${config.promotion!.sourceStack} runs ${svc} as "${image}", which has no @sha256 digest: promotion is by digest`,
                fix: `pin ${svc}'s image by digest in ${path.basename(sourceFile)} (DEV's stack exports images by digest)`,
            })),
        );
    return { [config.promotion.sourceStack]: { images } };
}

/** Credentials the program generates: only the deployed state holds their real values. */
export const GENERATED_CREDENTIALS = ["databasePassword", "nextauthSecret"];

export async function stackResources(
    file: string,
    stack: string,
    others: readonly EnvironmentIdentity[],
    passphrase: string | undefined,
): Promise<StackResources> {
    const raw = readStackFile(file, passphrase);
    const decrypted = passphrase !== undefined;
    // Without the passphrase, stand-ins unique to this stack and key: they never match another stack.
    for (const [k, v] of Object.entries(raw))
        if (v instanceof SecretValue && v.value === undefined)
            raw[k] = new SecretValue(k, `encrypted:${stack}:${k}`);
    const result = validateStackConfig(stack, raw, others);
    if (!result.ok) throw new ConfigError(stack, file, result.issues);
    const { resources, result: outputs } = await runUnderMocks(
        stack,
        () => deployPlatform(result.config),
        sourceStackOutputs(file, result.config),
    );
    const views: ResourceView[] = resources
        .filter((r) => r.custom && r.type.startsWith("kubernetes:"))
        .map((r) => ({
            type: r.type,
            name: r.inputs?.metadata?.name ?? r.name,
            urn: r.urn,
            props: r.inputs,
            source: { file },
        }));
    const fingerprints: Record<string, string> = {};
    for (const [k, v] of Object.entries(outputs.credentialFingerprints)) {
        if (!GENERATED_CREDENTIALS.includes(k)) fingerprints[k] = await valueOf(v);
    }
    return { config: result.config, resources: views, fingerprints, decrypted };
}
