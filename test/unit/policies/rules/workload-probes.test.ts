import * as assert from "node:assert/strict";
import {
    checkProd,
    container,
    DEPLOYMENT,
    onlyViolation,
    withEdit,
} from "../../../support/policy-fixtures";

describe("workload-probes", () => {
    it("reports an advisory finding", () => {
        const v = onlyViolation(
            withEdit("keybuzz-client", DEPLOYMENT, (p) => delete container(p).livenessProbe),
        );
        assert.equal(v.policy, "workload-probes");
        assert.equal(v.level, "advisory");
        assert.ok(v.message.includes("has no livenessProbe"), v.message);
    });

    it("advisory findings alone do not fail the check", () => {
        assert.equal(
            checkProd(
                withEdit("keybuzz-client", DEPLOYMENT, (p) => delete container(p).livenessProbe),
            ).summary.verdict,
            "pass",
        );
    });
});
