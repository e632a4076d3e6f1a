/** Advisory: a container without probes is restarted blind and gets traffic before it is ready. */
import { containersOf } from "../kubernetes";
import { Finding, finding, PolicyRule } from "../model";

export const workloadProbes: PolicyRule = {
    name: "workload-probes",
    description: "Checks that every container of a workload has readiness and liveness probes.",
    enforcementLevel: "advisory",
    configKeys: [],
    check(resources) {
        const findings: Finding[] = [];
        for (const r of resources)
            for (const c of containersOf(r)) {
                if (c.path.includes("initContainers")) continue;
                const missing = ["readinessProbe", "livenessProbe"].filter((p) => !c.container[p]);
                if (missing.length)
                    findings.push(
                        finding(
                            this,
                            r,
                            c.path,
                            `${r.type.split(":")[2]} ${r.name} container ${c.container.name} has no ${missing.join(" or ")}.`,
                            {
                                stack: "add probes on a health path (services.<svc>.readinessPath/livenessPath)",
                                manifests:
                                    "add readinessProbe and livenessProbe (e.g. httpGet on a health path) to the container",
                            },
                        ),
                    );
            }
        return { findings, notVerified: [] };
    },
};
