/** SARIF 2.1.0 for code scanning: one rule per policy, one result per violation. */
import { ViolationReport } from "../evaluate";

export function renderSarif(report: ViolationReport): object {
    const ruleIndex = new Map(report.policies.map((p, i) => [p.name, i]));
    return {
        $schema: "https://json.schemastore.org/sarif-2.1.0.json",
        version: "2.1.0",
        runs: [
            {
                tool: {
                    driver: {
                        name: report.tool.name,
                        version: report.tool.version,
                        informationUri: "https://github.com/keybuzzio/keybuzz-platform",
                        rules: report.policies.map((p) => ({
                            id: p.name,
                            name: p.name,
                            shortDescription: { text: p.description },
                            defaultConfiguration: {
                                level: p.enforcementLevel === "mandatory" ? "error" : "warning",
                            },
                        })),
                    },
                },
                results: report.violations.map((v) => ({
                    ruleId: v.policy,
                    ruleIndex: ruleIndex.get(v.policy) ?? 0,
                    level: v.level === "mandatory" ? "error" : "warning",
                    message: { text: `${v.message} Fix: ${v.fix}` },
                    locations: [
                        {
                            physicalLocation: {
                                artifactLocation: { uri: v.source?.file ?? "Pulumi.yaml" },
                                ...(v.source?.line ? { region: { startLine: v.source.line } } : {}),
                            },
                            logicalLocations: [
                                {
                                    name: v.resource.name,
                                    fullyQualifiedName: `${v.resource.urn}#${v.property}`,
                                    kind: "resource",
                                },
                            ],
                        },
                    ],
                    partialFingerprints: {
                        "keybuzzViolation/v1": `${v.policy}|${v.resource.urn}|${v.property}`,
                    },
                    properties: {
                        resourceType: v.resource.type,
                        property: v.property,
                        occurrences: v.occurrences,
                    },
                })),
                properties: { notVerified: report.notVerified, summary: report.summary },
            },
        ],
    };
}
