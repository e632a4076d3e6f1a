/** Resources of a stack as the program registers them, under Pulumi mocks (no engine). */
import { StackConfig, validateStackConfig, ConfigError } from "../../config/validate";
import { EnvironmentIdentity } from "../../config/identity";
import { readStackFile } from "../../config/stack-file";
import { SecretValue } from "../../config/secret";
import { runUnderMocks, valueOf } from "../../lib/mock-run";
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
    const { resources, result: outputs } = await runUnderMocks(stack, () =>
        deployPlatform(result.config),
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
