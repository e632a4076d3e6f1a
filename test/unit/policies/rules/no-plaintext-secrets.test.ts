import * as assert from "node:assert/strict";
import { auditLeakedNextauthSecret } from "../../../support/stacks";
import {
    checkProd,
    container,
    DEPLOYMENT,
    envVar,
    onlyViolation,
    SECRET,
    withEdit,
} from "../../../support/policy-fixtures";

describe("no-plaintext-secrets", () => {
    it("flags NEXTAUTH_SECRET as a literal env var without printing it", () => {
        const v = onlyViolation(
            withEdit(
                "keybuzz-client",
                DEPLOYMENT,
                (p) => (
                    (envVar(p, "NEXTAUTH_SECRET").valueFrom = undefined),
                    (envVar(p, "NEXTAUTH_SECRET").value = "some-literal-value")
                ),
            ),
        );
        assert.equal(v.policy, "no-plaintext-secrets");
        assert.equal(
            v.message,
            "Deployment keybuzz-client (env NEXTAUTH_SECRET) holds a credential in plaintext: its name says it is a credential. The value is not shown.",
        );
        assert.ok(!JSON.stringify(v).includes("some-literal-value"));
    });
    it("flags the audit's leaked NEXTAUTH_SECRET as known-leaked", () => {
        const leaked = auditLeakedNextauthSecret();
        const r = checkProd(
            withEdit(
                "keybuzz-client",
                DEPLOYMENT,
                (p) => (
                    delete envVar(p, "NEXTAUTH_SECRET").valueFrom,
                    (envVar(p, "NEXTAUTH_SECRET").value = leaked)
                ),
            ),
        );
        assert.equal(r.violations.length, 1);
        assert.match(r.violations[0].message, /its value is known-leaked \(PH28\.1 audit report/);
        assert.ok(!JSON.stringify(r).includes(leaked));
    });
    it("flags the leaked value even inside a Secret", () => {
        const v = onlyViolation(
            withEdit(
                "keybuzz-client-auth",
                SECRET,
                (p) => (p.stringData.NEXTAUTH_SECRET = auditLeakedNextauthSecret()),
            ),
        );
        assert.match(v.message, /holds a known-leaked credential/);
    });
    it("flags a URL carrying credentials", () => {
        const v = onlyViolation(
            withEdit("keybuzz-client", DEPLOYMENT, (p) =>
                container(p).env.push({
                    name: "CACHE_URL",
                    value: "redis://user:s3cr3t@cache.keybuzz.io:6379",
                }),
            ),
        );
        assert.match(v.message, /it is a URL carrying credentials/);
        assert.ok(!v.message.includes("s3cr3t"));
    });
    it("flags a random-looking literal", () => {
        const v = onlyViolation(
            withEdit("keybuzz-client", DEPLOYMENT, (p) =>
                container(p).env.push({
                    name: "SIGNING",
                    value: "Zq8vLw2XbT9mKp4RfY7sNc1HdJ6gAe3U",
                }),
            ),
        );
        assert.match(v.message, /its value looks like a random key/);
    });
});
