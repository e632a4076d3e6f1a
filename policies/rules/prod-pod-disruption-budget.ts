/** Advisory: without a PodDisruptionBudget a node drain may take every replica at once. */
import { Finding, finding, PolicyRule } from "../model";

export const prodPodDisruptionBudget: PolicyRule = {
    name: "prod-pod-disruption-budget",
    description:
        "Checks that, where required (requirePdb), every Deployment with more than one replica has a PodDisruptionBudget selecting its pods.",
    enforcementLevel: "advisory",
    configKeys: ["requirePdb"],
    check(resources, config) {
        const findings: Finding[] = [];
        if (!config.requirePdb) return { findings, notVerified: [] };
        const pdbs = resources
            .filter((r) => r.type === "kubernetes:policy/v1:PodDisruptionBudget")
            .map((p) => p.props?.spec?.selector?.matchLabels ?? {});
        for (const r of resources.filter((x) => x.type === "kubernetes:apps/v1:Deployment")) {
            const labels = r.props?.spec?.template?.metadata?.labels ?? {};
            const covered = pdbs.some(
                (sel: Record<string, string>) =>
                    Object.keys(sel).length > 0 &&
                    Object.entries(sel).every(([k, v]) => labels[k] === v),
            );
            if (!covered)
                findings.push(
                    finding(
                        this,
                        r,
                        "spec",
                        `Deployment ${r.name} has no PodDisruptionBudget in environment ${config.environment}.`,
                        {
                            stack: "run at least 2 replicas; the WebService component then adds a PDB",
                            manifests:
                                "add a PodDisruptionBudget (policy/v1) whose selector matches this Deployment's pod labels",
                        },
                    ),
                );
        }
        return { findings, notVerified: [] };
    },
};
