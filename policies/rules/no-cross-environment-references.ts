import { findOwner, hostsIn } from "../../config/identity";
import { walkStrings } from "../kubernetes";
import { Finding, finding, PolicyRule } from "../model";
import { describePath, ignored, readablePath } from "../paths";
import { bounded, mayBeCredential } from "../shown-value";

// Secret reference names and images have rules of their own (database-isolated, the image rules).
const OWNED_ELSEWHERE =
    /(secretKeyRef\.name|secretRef\.name|secret\.secretName|imagePullSecrets\[\d+\]\.name|\.image)$/;
const IDENTIFIER = /^[a-z0-9][a-z0-9_-]*$/;

export const noCrossEnvironmentReferences: PolicyRule = {
    name: "no-cross-environment-references",
    description:
        "Checks that no property (env vars, ConfigMap data, Ingress hosts, URLs inside strings) refers to another environment's hosts, namespaces, databases or DB users.",
    enforcementLevel: "mandatory",
    configKeys: ["environment", "otherEnvironments"],
    check(resources, config) {
        const findings: Finding[] = [];
        for (const r of resources) {
            const seen = new Set<string>();
            walkStrings(r.props, "", (path, text) => {
                if (ignored(path) || OWNED_ELSEWHERE.test(path)) return;
                // In a Secret only host names are compared: a whole value there may be a credential.
                const whole =
                    r.type !== "kubernetes:core/v1:Secret" && IDENTIFIER.test(text) ? [text] : [];
                const candidates = [...hostsIn(text), ...whole];
                for (const value of candidates) {
                    const clash = findOwner(value, config.environment, config.otherEnvironments);
                    if (!clash) continue;
                    const property = readablePath(r.props, path);
                    if (seen.has(`${property}|${value}`)) continue;
                    seen.add(`${property}|${value}`);
                    const kind = r.type.split(":")[2];
                    // The matched text may be (part of) a credential: say where, never what.
                    const what = mayBeCredential(r.type, property, text)
                        ? `a ${clash.owner} host or identifier (the value is not shown: it may be a credential)`
                        : `${bounded(value)}, a ${clash.owner} value (${bounded(clash.evidence)})`;
                    findings.push(
                        finding(
                            this,
                            r,
                            property,
                            `${kind} ${r.name} (${describePath(property)}) refers to ${what}, in environment ${config.environment}.`,
                            `use ${config.environment}'s own value; derive URLs from the stack's own hosts (services.*.hosts) instead of writing them by hand`,
                        ),
                    );
                }
            });
        }
        return { findings, notVerified: [] };
    },
};
