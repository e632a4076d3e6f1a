import * as assert from "node:assert/strict";
import {
    checkProd,
    container,
    DEPLOYMENT,
    onlyViolation,
    prodConfig,
    withEdit,
} from "../../../support/policy-fixtures";

describe("prod-images-by-digest", () => {
    it("flags a mutable tag", () => {
        const v = onlyViolation(
            withEdit(
                "keybuzz-client",
                DEPLOYMENT,
                (p) =>
                    (container(p).image = "ghcr.io/keybuzzio/keybuzz-client:v0.5.3-signup-public"),
            ),
        );
        assert.equal(v.policy, "prod-images-by-digest");
        assert.equal(v.level, "mandatory");
        assert.match(
            v.message,
            /runs ghcr\.io\/keybuzzio\/keybuzz-client:v0\.5\.3-signup-public by a mutable tag in environment prod/,
        );
    });
    it("is off where the environment does not require it", () => {
        assert.equal(
            checkProd(
                withEdit(
                    "keybuzz-client",
                    DEPLOYMENT,
                    (p) => (container(p).image = "ghcr.io/keybuzzio/keybuzz-client:v1"),
                ),
                prodConfig({ requireDigest: false }),
            ).violations.length,
            0,
        );
    });
});
