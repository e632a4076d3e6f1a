import * as assert from "node:assert/strict";
import { DEPLOYMENT, onlyViolation, withEdit } from "../../../support/policy-fixtures";

describe("prod-pod-disruption-budget", () => {
    it("reports an advisory finding", () => {
        const v = onlyViolation(
            withEdit(
                "keybuzz-client",
                DEPLOYMENT,
                (p) => (p.spec.template.metadata.labels["app.kubernetes.io/instance"] = "other"),
            ),
        );
        assert.equal(v.policy, "prod-pod-disruption-budget");
        assert.equal(v.level, "advisory");
        assert.ok(v.message.includes("has no PodDisruptionBudget"), v.message);
    });
});
