/**
 * Builds the pack's config for one environment: its strictness from policies/config/<env>.json,
 * the other environments' identities and fingerprints from the evidence at hand.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { z } from "zod";
import { ENVIRONMENTS } from "../config/environments";
import { EnvironmentIdentity } from "../config/identity";
import { PackConfig, strictnessSchema } from "./config-schema";
import { RULES } from "./rules";
import { InputFileError, jsonErrorWithoutContent, readInputFile } from "../lib/input-file";

export function readStrictness(
    projectDir: string,
    environment: string,
): z.infer<typeof strictnessSchema> {
    const file = path.join(projectDir, "policies", "config", `${environment}.json`);
    let text: string;
    try {
        text = readInputFile(file, "policy config", 1 << 20);
    } catch (e) {
        if (e instanceof InputFileError && !/no such file/.test(e.message)) throw e;
        throw new Error(
            `no policy config for environment ${environment}: create ${path.relative(projectDir, file)} (see policies/config/prod.json)`,
        );
    }
    let json: unknown;
    try {
        json = JSON.parse(text);
    } catch (e) {
        throw new Error(`policy config ${file}: ${jsonErrorWithoutContent(e)}`);
    }
    const parsed = strictnessSchema.safeParse(json);
    if (!parsed.success)
        throw new Error(
            `${file}: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
        );
    return parsed.data;
}

export function packConfig(
    projectDir: string,
    environment: string,
    otherEnvironments: readonly EnvironmentIdentity[],
    otherFingerprints: Record<string, Record<string, string>>,
    promotedDigests?: readonly string[],
): PackConfig {
    return {
        environment,
        otherEnvironments,
        otherFingerprints,
        fingerprintEnvironments: ENVIRONMENTS.filter((e) => !e.throwAway).map((e) => e.name),
        promotedDigests,
        ...readStrictness(projectDir, environment),
    };
}

/** Policy config for `pulumi preview --policy-pack-config`: each policy reads its own keys. */
export function crossGuardConfig(full: PackConfig): Record<string, Record<string, unknown>> {
    // Run-keyed credential hashes stay in this process: never written into a config file.
    const config: PackConfig = { ...full, otherCredentialValues: undefined };
    const out: Record<string, Record<string, unknown>> = {};
    for (const rule of RULES) {
        const keys: (keyof PackConfig)[] = ["environment", ...rule.configKeys];
        out[rule.name] = Object.fromEntries(
            keys.filter((k) => config[k] !== undefined).map((k) => [k, config[k]]),
        );
    }
    out["evidence-available"] = Object.fromEntries(
        Object.entries(config).filter(([, v]) => v !== undefined),
    );
    return out;
}
