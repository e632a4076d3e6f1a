import * as assert from "node:assert/strict";
import {
    compliantProd,
    container,
    DEPLOYMENT,
    envVar,
    onlyViolation,
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
    it("flags a ConfigMap naming dev's database", () => {
        const rs = compliantProd();
        rs.push({
            type: "kubernetes:core/v1:ConfigMap",
            name: "settings",
            urn: "urn:x::settings",
            props: { metadata: { name: "settings" }, data: { DB_NAME_HINT: "keybuzz_dev" } },
        });
        const v = onlyViolation(rs);
        assert.equal(v.policy, "no-cross-environment-references");
        assert.equal(v.property, "data.DB_NAME_HINT");
    });
});
