/** Every rule of the pack, in report order. */
import { PolicyRule } from "../model";
import { allowedRegistries } from "./allowed-registries";
import { databaseIsolated } from "./database-isolated";
import { noCrossEnvironmentReferences } from "./no-cross-environment-references";
import { noPlaintextSecrets } from "./no-plaintext-secrets";
import { noSharedCredentials } from "./no-shared-credentials";
import { prodImagesByDigest } from "./prod-images-by-digest";
import { prodImagesPromoted } from "./prod-images-promoted";
import { prodPodDisruptionBudget } from "./prod-pod-disruption-budget";
import { workloadNonRoot } from "./workload-non-root";
import { workloadProbes } from "./workload-probes";
import { workloadResourceLimits } from "./workload-resource-limits";

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
