import * as assert from "node:assert/strict";
import { RULES } from "../../../../policies/rules";
import { checkProd, compliantProd } from "../../../support/policy-fixtures";

describe("the pack (policies/rules/index.ts)", () => {
    it("pass on the compliant prod environment, with nothing left unverified", () => {
        const r = checkProd(compliantProd());
        assert.deepEqual(r.violations, []);
        assert.deepEqual(r.notVerified, []);
        assert.equal(r.summary.verdict, "pass");
    });

    it("every rule has a kebab-case name and a description starting 'Checks that'", () => {
        for (const rule of RULES) {
            assert.match(rule.name, /^[a-z]+(-[a-z]+)*$/);
            assert.match(rule.description, /^Checks that\b/);
        }
    });
});
