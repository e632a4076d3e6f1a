import * as assert from "node:assert/strict";
import {
    checkProd,
    compliantProd,
    container,
    DEPLOYMENT,
    onlyViolation,
    prodConfig,
    withEdit,
} from "../../../support/policy-fixtures";

describe("prod-images-promoted", () => {
    it("flags a digest the promotion did not record", () => {
        const other = "sha256:" + "b".repeat(64);
        const v = onlyViolation(
            withEdit(
                "keybuzz-client",
                DEPLOYMENT,
                (p) => (container(p).image = `ghcr.io/keybuzzio/keybuzz-client@${other}`),
            ),
        );
        assert.equal(v.policy, "prod-images-promoted");
        assert.match(v.message, new RegExp(`runs ${other}, which no promotion recorded`));
    });
    it("says not verified without a ledger", () => {
        const r = checkProd(compliantProd(), prodConfig({ promotedDigests: undefined }));
        assert.deepEqual(r.violations, []);
        assert.match(r.notVerified[0].reason, /promotion ledger was not available/);
    });
});
