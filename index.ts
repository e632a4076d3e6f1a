/**
 * Entry point of `pulumi up|preview --stack <env>`: validate the whole stack config first
 * (no resource is registered from invalid config), then deploy the environment.
 */
import * as pulumi from "@pulumi/pulumi";
import { loadStackConfig } from "./config/load";
import { otherIdentities } from "./config/stack-file";
import { deployPlatform } from "./program";

const others = otherIdentities(process.cwd(), pulumi.getStack());
const platform = deployPlatform(loadStackConfig(pulumi.getStack(), others), others);

export const environment = platform.environment;
export const namespace = platform.namespace;
export const urls = platform.urls;
export const backendUrl = platform.backendUrl;
export const images = platform.images;
export const databaseSecretName = platform.databaseSecretName;
export const databaseUrl = platform.databaseUrl;
export const identity = platform.identity;
export const credentialFingerprints = platform.credentialFingerprints;
export const promotions = platform.promotions;
