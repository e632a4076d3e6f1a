import * as assert from "node:assert/strict";
import { DEPLOYMENT, envVar, onlyViolation, withEdit } from "../../../support/policy-fixtures";

describe("database-isolated", () => {
    it("flags a Deployment reading dev's Secret", () => {
        const v = onlyViolation(
            withEdit(
                "keybuzz-client",
                DEPLOYMENT,
                (p) =>
                    (envVar(p, "DATABASE_URL").valueFrom.secretKeyRef.name =
                        "keybuzz-database-dev"),
            ),
        );
        assert.equal(v.policy, "database-isolated");
        assert.match(v.message, /reads Secret keybuzz-database-dev, which belongs to dev/);
    });
    it("flags a Deployment reading a Secret the environment does not define", () => {
        const v = onlyViolation(
            withEdit(
                "keybuzz-client",
                DEPLOYMENT,
                (p) => (envVar(p, "DATABASE_URL").valueFrom.secretKeyRef.name = "shared-database"),
            ),
        );
        assert.match(
            v.message,
            /reads Secret shared-database, which environment prod does not define/,
        );
    });
});
