import * as assert from "node:assert/strict";
import {
    checkProd,
    compliantProd,
    container,
    DEPLOYMENT,
    envVar,
    onlyViolation,
    prodConfig,
    withEdit,
} from "../../../support/policy-fixtures";

describe("no-cross-environment-references", () => {
    it("flags the prod client pointing at the dev backend, naming the env var and host", () => {
        const v = onlyViolation(
            withEdit(
                "keybuzz-client",
                DEPLOYMENT,
                (p) =>
                    (envVar(p, "NEXT_PUBLIC_BACKEND_URL").value = "https://backend-dev.keybuzz.io"),
            ),
        );
        assert.equal(v.policy, "no-cross-environment-references");
        assert.equal(v.level, "mandatory");
        assert.equal(v.property, "spec.template.spec.containers[0].env.NEXT_PUBLIC_BACKEND_URL");
        assert.equal(
            v.message,
            "Deployment keybuzz-client (env NEXT_PUBLIC_BACKEND_URL) refers to backend-dev.keybuzz.io, a dev value (declared by Pulumi.dev.yaml), in environment prod.",
        );
    });
    it("flags an Ingress host of dev", () => {
        const v = onlyViolation(
            withEdit(
                "keybuzz-client",
                "kubernetes:networking.k8s.io/v1:Ingress",
                (p) => (p.spec.rules[0].host = "client-dev.keybuzz.io"),
            ),
        );
        assert.equal(v.property, "spec.rules[0].host");
        assert.match(v.message, /refers to client-dev\.keybuzz\.io, a dev value/);
    });
    it("flags a dev-marked host no stack declares", () => {
        const v = onlyViolation(
            withEdit("keybuzz-client", DEPLOYMENT, (p) =>
                container(p).env.push({
                    name: "WEBHOOK_URL",
                    value: "https://hooks-dev.keybuzz.io/x",
                }),
            ),
        );
        assert.match(
            v.message,
            /refers to hooks-dev\.keybuzz\.io, a dev value \(the word "dev" marks dev values\)/,
        );
    });
    const configMap = (data: Record<string, string>) => {
        const rs = compliantProd();
        rs.push({
            type: "kubernetes:core/v1:ConfigMap",
            name: "settings",
            urn: "urn:x::settings",
            props: { metadata: { name: "settings" }, data },
        });
        return rs;
    };
    it("flags a ConfigMap naming dev's DB user or namespace (identity, declared by dev's stack)", () => {
        const v = onlyViolation(configMap({ DB_USER_HINT: "keybuzz_api_dev" }));
        assert.equal(v.policy, "no-cross-environment-references");
        assert.equal(v.property, "data.DB_USER_HINT");
        assert.match(
            onlyViolation(configMap({ WORKER_NAMESPACE: "keybuzz-dev" })).message,
            /keybuzz-dev, a dev value \(declared by Pulumi\.dev\.yaml\)/,
        );
    });
    it("flags a service of dev's namespace reached in-cluster, though no marker word is needed", () => {
        const v = onlyViolation(
            configMap({ CACHE: "redis://cache.keybuzz-dev.svc.cluster.local:6379" }),
        );
        assert.match(
            v.message,
            /cache\.keybuzz-dev\.svc\.cluster\.local, a dev value \(its namespace keybuzz-dev is declared by Pulumi\.dev\.yaml\)/,
        );
    });
    it("raises nothing for ordinary words: cluster-internal names, a .dev domain, labels, volume names, versions, the same DB name on another server", () => {
        const r = checkProd(
            configMap({
                API: "http://api.keybuzz-prod.svc.cluster.local:3000",
                DOCS: "https://keybuzz.dev/docs",
                TIER: "test",
                VOLUME: "dev",
                VERSION: "dev",
                PROJECT: "keybuzz-ci",
                DATABASE_URL: "postgresql://reporting@10.9.9.9:5432/keybuzz_dev",
            }),
        );
        assert.deepEqual(
            r.violations.map((v) => v.message),
            [],
        );
    });
    it("knows the environments of the policy config's vocabulary (staging, qa, uat in prod.json)", () => {
        const v = onlyViolation(
            configMap({ PAYMENTS: "https://payments-staging.keybuzz.io" }),
            prodConfig({ environmentWords: { staging: ["staging"] } }),
        );
        assert.match(v.message, /a staging value \(the word "staging" marks staging values\)/);
    });
});
