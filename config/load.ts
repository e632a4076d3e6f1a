/**
 * The one place the Pulumi program reads its config. Everything is read, validated at once,
 * and handed to components as plain typed values; components never read pulumi.Config.
 */
import * as pulumi from "@pulumi/pulumi";
import { EnvironmentIdentity } from "./identity";
import { CONFIG_NAMESPACE } from "./schema";
import { SecretValue } from "./secret";
import { otherIdentities } from "./stack-file";
import { ConfigError, StackConfig, validateStackConfig } from "./validate";

// Pulumi passes object and boolean config values as JSON text; plain strings stay strings
// (so an id such as "0123" is never turned into a number).
function decode(text: string): unknown {
    if (/^\s*[[{]/.test(text) || text === "true" || text === "false") {
        try {
            return JSON.parse(text);
        } catch {
            return text;
        }
    }
    return text;
}

/** Keys the engine decrypted for us. The SDK keeps them in this variable; it has no typed accessor. */
function secretKeys(): Set<string> {
    try {
        return new Set(JSON.parse(process.env["PULUMI_CONFIG_SECRET_KEYS"] ?? "[]") as string[]);
    } catch {
        return new Set();
    }
}

/** The project's config as the engine hands it to the program, secrets as SecretValue. */
export function readEngineConfig(): Record<string, unknown> {
    const secrets = secretKeys();
    const raw: Record<string, unknown> = {};
    for (const [fullKey, text] of Object.entries(pulumi.runtime.allConfig())) {
        const prefix = `${CONFIG_NAMESPACE}:`;
        if (!fullKey.startsWith(prefix)) continue;
        const key = fullKey.slice(prefix.length);
        raw[key] = secrets.has(fullKey) ? new SecretValue(key, text) : decode(text);
    }
    return raw;
}

/**
 * Validates the current stack's config against the other environments' identities and
 * throws one ConfigError listing every problem. Call it before registering any resource.
 */
export function loadStackConfig(
    stack: string = pulumi.getStack(),
    others: readonly EnvironmentIdentity[] = otherIdentities(process.cwd(), stack),
    raw: Record<string, unknown> = readEngineConfig(),
): StackConfig {
    const result = validateStackConfig(stack, raw, others);
    if (!result.ok) throw new ConfigError(stack, `Pulumi.${stack}.yaml`, result.issues);
    return result.config;
}
