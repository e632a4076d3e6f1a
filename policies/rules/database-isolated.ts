import { findOwner } from "../../config/identity";
import { containersOf } from "../kubernetes";
import { Finding, finding, PolicyRule } from "../model";

/** Every Secret a workload reads: env secretKeyRef, envFrom secretRef, secret volumes. */
function secretRefs(
    pod: any,
    path: string,
    containers: Array<{ path: string; container: any }>,
): Array<{ property: string; name: string }> {
    const out: Array<{ property: string; name: string }> = [];
    for (const c of containers) {
        for (const e of c.container.env ?? []) {
            const name = e?.valueFrom?.secretKeyRef?.name;
            if (typeof name === "string") out.push({ property: `${c.path}.env.${e.name}`, name });
        }
        (c.container.envFrom ?? []).forEach(
            (f: any, i: number) =>
                typeof f?.secretRef?.name === "string" &&
                out.push({ property: `${c.path}.envFrom[${i}]`, name: f.secretRef.name }),
        );
    }
    (pod?.volumes ?? []).forEach(
        (v: any, i: number) =>
            typeof v?.secret?.secretName === "string" &&
            out.push({ property: `${path}.volumes[${i}]`, name: v.secret.secretName }),
    );
    return out;
}

export const databaseIsolated: PolicyRule = {
    name: "database-isolated",
    description:
        "Checks that workloads read only their own environment's Secrets: no reference to a Secret named for, or living in, another environment, and none to a Secret the environment does not define.",
    enforcementLevel: "mandatory",
    configKeys: ["environment", "otherEnvironments"],
    check(resources, config) {
        const findings: Finding[] = [];
        const defined = new Set(
            resources
                .filter((r) => r.type === "kubernetes:core/v1:Secret")
                .map((r) => r.props?.metadata?.name)
                .filter(Boolean),
        );
        const knowsSecrets = defined.size > 0;
        for (const r of resources) {
            const containers = containersOf(r);
            if (containers.length === 0) continue;
            const kind = r.type.split(":")[2];
            const podPath = containers[0].path.replace(/\.(init)?[cC]ontainers\[\d+\]$/, "");
            for (const ref of secretRefs(containers[0].pod, podPath, containers)) {
                const clash = findOwner(ref.name, config.environment, config.otherEnvironments);
                if (clash) {
                    findings.push(
                        finding(
                            this,
                            r,
                            ref.property,
                            `${kind} ${r.name} (${ref.property}) reads Secret ${ref.name}, which belongs to ${clash.owner} (${clash.evidence}).`,
                            {
                                stack: `reference ${config.environment}'s own Secret (the program names them keybuzz-database, keybuzz-client-auth)`,
                                manifests: `reference a Secret of ${config.environment}'s own, defined in its namespace with its own values`,
                            },
                        ),
                    );
                } else if (knowsSecrets && !defined.has(ref.name)) {
                    findings.push(
                        finding(
                            this,
                            r,
                            ref.property,
                            `${kind} ${r.name} (${ref.property}) reads Secret ${ref.name}, which environment ${config.environment} does not define.`,
                            "define the Secret in this environment (its own values) or correct the reference",
                        ),
                    );
                }
            }
        }
        return { findings, notVerified: [] };
    },
};
