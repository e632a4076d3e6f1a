import * as assert from "node:assert/strict";
import { evaluate } from "../../../policies/evaluate";
import { ResourceView } from "../../../policies/model";
import { compliantProd, DEPLOYMENT, prodConfig, withEdit } from "../../support/policy-fixtures";

const target = { kind: "manifests" as const, name: "export.yaml", environment: "prod" };
const asManifests = (rs: ResourceView[]): ResourceView[] =>
    rs.map((r) => ({ ...r, origin: "manifests" as const }));

describe("evaluate (policies/evaluate.ts)", () => {
    it("gives a stack's resources fixes in config keys and commands, a manifest's fixes in the manifest", () => {
        const resources = withEdit("keybuzz-client", DEPLOYMENT, (p) => {
            const c = p.spec.template.spec.containers[0];
            c.image = "ghcr.io/keybuzzio/keybuzz-client:latest";
            delete c.resources;
            delete c.readinessProbe;
        });
        const fixes = (rs: ResourceView[]) =>
            Object.fromEntries(
                evaluate(rs, prodConfig(), target).violations.map((v) => [v.policy, v.fix]),
            );
        const stack = fixes(resources);
        const manifests = fixes(asManifests(resources));
        assert.match(stack["prod-images-by-digest"], /npm run promote/);
        assert.match(manifests["prod-images-by-digest"], /@sha256:<digest>/);
        assert.match(stack["workload-resource-limits"], /services\.<svc>\.resources/);
        assert.match(
            manifests["workload-resource-limits"],
            /resources\.requests and resources\.limits/,
        );
        for (const fix of Object.values(manifests))
            assert.doesNotMatch(fix, /pulumi config|keybuzz-platform:|npm run|services\./, fix);
    });

    it("lists the kinds it cannot interpret instead of passing them silently", () => {
        const monitor: ResourceView = {
            type: "kubernetes:monitoring.coreos.com/v1:ServiceMonitor",
            name: "api",
            urn: "urn:k8s:prod::x::ServiceMonitor::api",
            props: { apiVersion: "monitoring.coreos.com/v1", kind: "ServiceMonitor", spec: {} },
            origin: "manifests",
        };
        const rollout: ResourceView = {
            ...monitor,
            type: "kubernetes:argoproj.io/v1alpha1:Rollout",
            props: {
                apiVersion: "argoproj.io/v1alpha1",
                kind: "Rollout",
                spec: { template: { spec: { containers: [{ name: "a", image: "x:1" }] } } },
            },
        };
        const report = evaluate(
            [...asManifests(compliantProd()), monitor, { ...monitor, name: "client" }, rollout],
            prodConfig(),
            target,
        );
        const listed = report.notVerified.filter((n) => /cannot interpret/.test(n.reason));
        assert.equal(listed.length, 1);
        assert.match(listed[0].reason, /\(monitoring\.coreos\.com\/v1 ServiceMonitor ×2\)/);
        // A kind with a pod template is interpreted: its image by tag is a violation.
        assert.ok(
            report.violations.some(
                (v) => v.policy === "prod-images-by-digest" && v.resource.type.includes("Rollout"),
            ),
        );
        // The program's own resources are never listed.
        assert.equal(
            evaluate([{ ...monitor, origin: undefined }], prodConfig(), target).notVerified.filter(
                (n) => /cannot interpret/.test(n.reason),
            ).length,
            0,
        );
    });
});
