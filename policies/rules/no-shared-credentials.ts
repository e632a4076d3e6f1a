import { FINGERPRINT_ANNOTATION } from "../../lib/fingerprint-annotation";
import { databaseMentions } from "../database-urls";
import { Finding, finding, PolicyRule, ResourceView } from "../model";
import { credentialValues } from "../sources/credential-values";

function fingerprintsOf(r: ResourceView): Record<string, string> | undefined {
    const text = r.props?.metadata?.annotations?.[FINGERPRINT_ANNOTATION];
    if (typeof text !== "string") return undefined;
    try {
        return JSON.parse(text) as Record<string, string>;
    } catch {
        return undefined;
    }
}

export const noSharedCredentials: PolicyRule = {
    name: "no-shared-credentials",
    description:
        "Checks that no credential, DB user, database name or database (host and name) of this environment is also another environment's, comparing keyed fingerprints, never values.",
    enforcementLevel: "mandatory",
    configKeys: [
        "environment",
        "otherEnvironments",
        "otherFingerprints",
        "fingerprintEnvironments",
        "otherCredentialValues",
    ],
    check(resources, config) {
        const findings: Finding[] = [];
        const notVerified = [];
        const kind = (r: ResourceView) => r.type.split(":")[2];
        for (const r of resources) {
            for (const m of databaseMentions(r)) {
                for (const other of config.otherEnvironments) {
                    const location =
                        m.host && m.database
                            ? `${m.host}:${m.port ?? 5432}/${m.database}`
                            : undefined;
                    const shared: string[] = [];
                    if (m.user && m.user === other.databaseUser) shared.push(`DB user ${m.user}`);
                    if (location && location === other.databaseLocation)
                        shared.push(`database ${location}`);
                    // A name alone is compared only when the server is not said: the same name
                    // on another server is another database.
                    else if (!m.host && m.database && m.database === other.databaseName)
                        shared.push(`database name ${m.database}`);
                    if (shared.length === 0) continue;
                    findings.push(
                        finding(
                            this,
                            r,
                            m.property,
                            `${kind(r)} ${r.name} (${m.property}) uses ${shared.join(" and ")}, which is ${other.environment}'s (${other.source}); environment ${config.environment} must have its own.`,
                            {
                                stack: `give ${config.environment} its own database and role (keybuzz-platform:database.name/user in Pulumi.${config.environment}.yaml) and point this value at them`,
                                manifests: `create a database and role of ${config.environment}'s own and point this value at them; never reuse another environment's`,
                            },
                        ),
                    );
                }
            }
            // Plain manifests compared with --compare: every credential value, by keyed hash.
            if (config.otherCredentialValues)
                for (const v of credentialValues(r))
                    for (const [env, theirs] of Object.entries(config.otherCredentialValues)) {
                        const where = theirs[v.fingerprint];
                        if (!where || env === config.environment) continue;
                        findings.push(
                            finding(
                                this,
                                r,
                                v.property,
                                `${kind(r)} ${r.name} (${v.property}) holds the same value as ${env}'s ${where} (compared by keyed hash; the value is not shown); environments never share credentials.`,
                                `give ${config.environment} a value of its own in ${kind(r)} ${r.name} and rotate ${env}'s too: a value both hold has been exposed to both`,
                            ),
                        );
                    }
            const fps = fingerprintsOf(r);
            if (!fps) continue;
            for (const [credential, fp] of Object.entries(fps)) {
                for (const [env, theirs] of Object.entries(config.otherFingerprints)) {
                    if (env === config.environment) continue;
                    const same = Object.entries(theirs).find(([, v]) => v === fp);
                    if (!same) continue;
                    findings.push(
                        finding(
                            this,
                            r,
                            `metadata.annotations.${FINGERPRINT_ANNOTATION}.${credential}`,
                            `${kind(r)} ${r.name} holds credential ${credential} equal to ${env}'s ${same[0]} (same fingerprint ${fp.slice(0, 24)}…); environments never share credentials.`,
                            `generate a new value for ${config.environment} and rotate it (pulumi config set --secret … --stack ${config.environment})`,
                        ),
                    );
                }
            }
        }
        for (const env of config.fingerprintEnvironments) {
            if (env !== config.environment && !(env in config.otherFingerprints)) {
                notVerified.push({
                    policy: this.name,
                    reason: `credential fingerprints of ${env} were not available (pass them through policy config otherFingerprints, from \`pulumi stack output credentialFingerprints --stack ${env}\`); shared secrets with ${env} were not compared`,
                });
            }
        }
        if (
            !config.otherCredentialValues &&
            !resources.some((r) => r.type === "kubernetes:core/v1:Secret" && fingerprintsOf(r))
        ) {
            if (resources.some((r) => r.type === "kubernetes:core/v1:Secret")) {
                notVerified.push({
                    policy: this.name,
                    reason: `no Secret carries a ${FINGERPRINT_ANNOTATION} annotation (not deployed by this program); secret values were not compared across environments`,
                });
            }
        }
        return { findings, notVerified };
    },
};
