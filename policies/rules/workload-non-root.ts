/** Advisory: a container running as root turns an application bug into a node compromise. */
import { containersOf } from "../kubernetes";
import { Finding, finding, PolicyRule } from "../model";

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
            for (const c of cs)
                if (!podNonRoot && c.container.securityContext?.runAsNonRoot !== true) {
                    findings.push(
                        finding(
                            this,
                            r,
                            `${c.path}.securityContext`,
                            `${r.type.split(":")[2]} ${r.name} container ${c.container.name} may run as root.`,
                            "set securityContext.runAsNonRoot: true",
                        ),
                    );
                }
        }
        return { findings, notVerified: [] };
    },
};
