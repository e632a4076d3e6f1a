import * as assert from "node:assert/strict";
import { DEPLOYMENT, onlyViolation, withEdit } from "../../../support/policy-fixtures";

describe("workload-non-root", () => {
    it("reports an advisory finding", () => {
        const v = onlyViolation(
            withEdit(
                "keybuzz-client",
                DEPLOYMENT,
                (p) => delete p.spec.template.spec.securityContext,
            ),
        );
        assert.equal(v.policy, "workload-non-root");
        assert.equal(v.level, "advisory");
        assert.ok(v.message.includes("may run as root"), v.message);
    });
});
