import * as assert from "node:assert/strict";
import {
    container,
    DEPLOYMENT,
    DIGEST,
    onlyViolation,
    withEdit,
} from "../../../support/policy-fixtures";

describe("allowed-registries", () => {
    it("reports an advisory finding", () => {
        const v = onlyViolation(
            withEdit(
                "keybuzz-client",
                DEPLOYMENT,
                (p) => (container(p).image = `docker.io/keybuzzio/keybuzz-client@${DIGEST}`),
            ),
        );
        assert.equal(v.policy, "allowed-registries");
        assert.equal(v.level, "advisory");
        assert.ok(v.message.includes("not an allowed registry"), v.message);
    });
});
