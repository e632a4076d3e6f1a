/** Advisory hygiene rules: probes, limits, non-root, PDBs, registries. Small enough to share a file. */
import { imagesOf } from "../images";
import { containersOf, isWorkload } from "../kubernetes";
import { Finding, finding, PolicyRule } from "../model";

export const workloadProbes: PolicyRule = {
    name: "workload-probes",
    description: "Checks that every container of a workload has readiness and liveness probes.",
    enforcementLevel: "advisory",
    configKeys: [],
    check(resources) {
        const findings: Finding[] = [];
        for (const r of resources) for (const c of containersOf(r)) {
            if (c.path.includes("initContainers")) continue;
            const missing = ["readinessProbe", "livenessProbe"].filter((p) => !c.container[p]);
            if (missing.length) findings.push(finding(this, r, c.path, `${r.type.split(":")[2]} ${r.name} container ${c.container.name} has no ${missing.join(" or ")}.`, "add probes on a health path (services.<svc>.readinessPath/livenessPath)"));
        }
        return { findings, notVerified: [] };
    },
};

export const workloadResourceLimits: PolicyRule = {
    name: "workload-resource-limits",
    description: "Checks that every container sets CPU and memory requests and limits.",
    enforcementLevel: "advisory",
    configKeys: [],
    check(resources) {
        const findings: Finding[] = [];
        for (const r of resources) for (const c of containersOf(r)) {
            const res = c.container.resources ?? {};
            if (!res.limits?.cpu || !res.limits?.memory || !res.requests?.cpu || !res.requests?.memory) {
                findings.push(finding(this, r, `${c.path}.resources`, `${r.type.split(":")[2]} ${r.name} container ${c.container.name} lacks CPU/memory requests or limits.`, "set services.<svc>.resources"));
            }
        }
        return { findings, notVerified: [] };
    },
};

export const workloadNonRoot: PolicyRule = {
    name: "workload-non-root",
    description: "Checks that every workload runs as a non-root user.",
    enforcementLevel: "advisory",
    configKeys: [],
    check(resources) {
        const findings: Finding[] = [];
        for (const r of resources) {
            const cs = containersOf(r);
            if (cs.length === 0) continue;
            const podNonRoot = cs[0].pod?.securityContext?.runAsNonRoot === true;
            for (const c of cs) if (!podNonRoot && c.container.securityContext?.runAsNonRoot !== true) {
                findings.push(finding(this, r, `${c.path}.securityContext`, `${r.type.split(":")[2]} ${r.name} container ${c.container.name} may run as root.`, "set securityContext.runAsNonRoot: true"));
            }
        }
        return { findings, notVerified: [] };
    },
};

export const prodPodDisruptionBudget: PolicyRule = {
    name: "prod-pod-disruption-budget",
    description: "Checks that, where required (requirePdb), every Deployment with more than one replica has a PodDisruptionBudget selecting its pods.",
    enforcementLevel: "advisory",
    configKeys: ["requirePdb"],
    check(resources, config) {
        const findings: Finding[] = [];
        if (!config.requirePdb) return { findings, notVerified: [] };
        const pdbs = resources.filter((r) => r.type === "kubernetes:policy/v1:PodDisruptionBudget").map((p) => p.props?.spec?.selector?.matchLabels ?? {});
        for (const r of resources.filter((x) => x.type === "kubernetes:apps/v1:Deployment")) {
            const labels = r.props?.spec?.template?.metadata?.labels ?? {};
            const covered = pdbs.some((sel: Record<string, string>) => Object.keys(sel).length > 0 && Object.entries(sel).every(([k, v]) => labels[k] === v));
            if (!covered) findings.push(finding(this, r, "spec", `Deployment ${r.name} has no PodDisruptionBudget in environment ${config.environment}.`, "run at least 2 replicas; the WebService component then adds a PDB"));
        }
        return { findings, notVerified: [] };
    },
};

export const allowedRegistries: PolicyRule = {
    name: "allowed-registries",
    description: "Checks that every image comes from an allowed registry (allowedRegistries).",
    enforcementLevel: "advisory",
    configKeys: ["allowedRegistries"],
    check(resources, config) {
        const findings: Finding[] = [];
        for (const r of resources) if (isWorkload(r)) for (const img of imagesOf(r)) {
            if (config.allowedRegistries.length && !config.allowedRegistries.includes(img.registry)) {
                findings.push(finding(this, r, img.property, `${r.type.split(":")[2]} ${r.name} pulls ${img.image} from ${img.registry}, not an allowed registry (${config.allowedRegistries.join(", ")}).`, "mirror the image into an allowed registry"));
            }
        }
        return { findings, notVerified: [] };
    },
};
