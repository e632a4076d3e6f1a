import * as assert from "node:assert/strict";
import {
    checkProd,
    compliantProd,
    onlyViolation,
    prodConfig,
    SECRET,
    withEdit,
} from "../../../support/policy-fixtures";

describe("no-shared-credentials", () => {
    it("flags the dev DB user in a prod Secret", () => {
        const v = onlyViolation(
            withEdit("keybuzz-database", SECRET, (p) => (p.stringData.PGUSER = "keybuzz_api_dev")),
        );
        assert.equal(v.policy, "no-shared-credentials");
        assert.equal(v.level, "mandatory");
        assert.equal(
            v.message,
            "Secret keybuzz-database (stringData.PGUSER) uses DB user keybuzz_api_dev, which is dev's (Pulumi.dev.yaml); environment prod must have its own.",
        );
    });
    it("flags a DATABASE_URL on dev's database", () => {
        const v = onlyViolation(
            withEdit(
                "keybuzz-database",
                SECRET,
                (p) =>
                    (p.stringData.DATABASE_URL =
                        "postgresql://keybuzz_api_prod:pw@10.0.0.10:5432/keybuzz_dev"),
            ),
        );
        assert.match(v.message, /uses database 10\.0\.0\.10:5432\/keybuzz_dev, which is dev's/);
        assert.ok(!v.message.includes(":pw@"));
    });
    it("flags a credential whose fingerprint equals one of dev's, without showing the value", () => {
        const v = onlyViolation(
            withEdit(
                "keybuzz-client-auth",
                SECRET,
                (p) =>
                    (p.metadata.annotations["keybuzz.io/fingerprints"] = JSON.stringify({
                        NEXTAUTH_SECRET: "hmac-sha256:" + "d".repeat(64),
                    })),
            ),
        );
        assert.equal(v.policy, "no-shared-credentials");
        assert.match(v.message, /holds credential NEXTAUTH_SECRET equal to dev's nextauthSecret/);
        assert.ok(!v.message.includes("prod-only-generated-value"));
    });
    it("reports dev's fingerprints as not verified when they are missing", () => {
        const r = checkProd(compliantProd(), prodConfig({ otherFingerprints: {} }));
        assert.deepEqual(r.violations, []);
        assert.equal(r.notVerified.length, 1);
        assert.match(r.notVerified[0].reason, /credential fingerprints of dev were not available/);
    });
});
