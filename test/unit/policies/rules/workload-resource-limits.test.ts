import * as assert from "node:assert/strict";
import { container, DEPLOYMENT, onlyViolation, withEdit } from "../../../support/policy-fixtures";

describe("workload-resource-limits", () => {
    it("reports an advisory finding", () => {
        const v = onlyViolation(
            withEdit("keybuzz-client", DEPLOYMENT, (p) => delete container(p).resources.limits),
        );
        assert.equal(v.policy, "workload-resource-limits");
        assert.equal(v.level, "advisory");
        assert.ok(v.message.includes("lacks CPU/memory requests or limits"), v.message);
    });
});
