import { hostsIn } from "../../config/host-names";
import { findOwner, IdentityKind } from "../../config/identity";
import { vocabularyOf } from "../config-schema";
import { walkStrings } from "../kubernetes";
import { Finding, finding, PolicyRule } from "../model";
import { describePath, ignored, readablePath } from "../paths";
import { bounded, mayBeCredential } from "../shown-value";

// Secret reference names and images have rules of their own (database-isolated, the image rules).
const OWNED_ELSEWHERE =
    /(secretKeyRef\.name|secretRef\.name|secret\.secretName|imagePullSecrets\[\d+\]\.name|\.image)$/;
const IDENTIFIER = /^[a-z0-9][a-z0-9_-]*$/;
// A database is its server, port and name together: the same name on another server is
// another database, so a bare database name is not compared.
const MATCHED_KINDS: readonly IdentityKind[] = ["host", "namespace", "database user", "database"];

export const noCrossEnvironmentReferences: PolicyRule = {
    name: "no-cross-environment-references",
    description:
        "Checks that no property (env vars, ConfigMap data, Ingress hosts, URLs inside strings) refers to another environment's hosts, namespaces, databases or DB users.",
    enforcementLevel: "mandatory",
    configKeys: ["environment", "otherEnvironments", "environmentWords"],
    check(resources, config) {
        const findings: Finding[] = [];
        for (const r of resources) {
            const seen = new Set<string>();
            walkStrings(r.props, "", (path, text) => {
                if (ignored(path) || OWNED_ELSEWHERE.test(path)) return;
                // In a Secret only host names are compared: a whole value there may be a credential.
                // A whole identifier (a namespace, a DB user) counts only when another environment
                // declares it: a label `tier: test`, a volume `dev` or `VERSION=dev` name nothing.
                const whole =
                    r.type !== "kubernetes:core/v1:Secret" && IDENTIFIER.test(text) ? [text] : [];
                const candidates = [
                    ...hostsIn(text).map((value) => ({ value, markers: true })),
                    ...whole.map((value) => ({ value, markers: false })),
                ];
                for (const { value, markers } of candidates) {
                    const clash = findOwner(value, config.environment, config.otherEnvironments, {
                        markers,
                        kinds: MATCHED_KINDS,
                        vocabulary: vocabularyOf(config),
                    });
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
                            {
                                stack: `use ${config.environment}'s own value; derive URLs from the stack's own hosts (services.*.hosts) instead of writing them by hand`,
                                manifests: `point this value at ${config.environment}'s own host, namespace or database (in an overlay, patch it per environment instead of copying the other environment's value)`,
                            },
                        ),
                    );
                }
            });
        }
        return { findings, notVerified: [] };
    },
};
