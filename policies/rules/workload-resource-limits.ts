/** Advisory: a container without requests and limits can starve its neighbours on the node. */
import { containersOf } from "../kubernetes";
import { Finding, finding, PolicyRule } from "../model";

export const workloadResourceLimits: PolicyRule = {
    name: "workload-resource-limits",
    description: "Checks that every container sets CPU and memory requests and limits.",
    enforcementLevel: "advisory",
    configKeys: [],
    check(resources) {
        const findings: Finding[] = [];
        for (const r of resources)
            for (const c of containersOf(r)) {
                const res = c.container.resources ?? {};
                if (
                    !res.limits?.cpu ||
                    !res.limits?.memory ||
                    !res.requests?.cpu ||
                    !res.requests?.memory
                ) {
                    findings.push(
                        finding(
                            this,
                            r,
                            `${c.path}.resources`,
                            `${r.type.split(":")[2]} ${r.name} container ${c.container.name} lacks CPU/memory requests or limits.`,
                            {
                                stack: "set services.<svc>.resources",
                                manifests:
                                    "set resources.requests and resources.limits (cpu, memory) on the container",
                            },
                        ),
                    );
                }
            }
        return { findings, notVerified: [] };
    },
};
