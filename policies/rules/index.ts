/** Every rule of the pack, in report order. */
import { PolicyRule } from "../model";
import { databaseIsolated } from "./database-isolated";
import { allowedRegistries, prodPodDisruptionBudget, workloadNonRoot, workloadProbes, workloadResourceLimits } from "./hygiene";
import { noCrossEnvironmentReferences } from "./no-cross-environment-references";
import { noPlaintextSecrets } from "./no-plaintext-secrets";
import { noSharedCredentials } from "./no-shared-credentials";
import { prodImagesByDigest } from "./prod-images-by-digest";
import { prodImagesPromoted } from "./prod-images-promoted";

export const RULES: readonly PolicyRule[] = [
    noSharedCredentials,
    noCrossEnvironmentReferences,
    noPlaintextSecrets,
    prodImagesByDigest,
    prodImagesPromoted,
    databaseIsolated,
    workloadProbes,
    workloadResourceLimits,
    workloadNonRoot,
    prodPodDisruptionBudget,
    allowedRegistries,
];
