import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { evaluate } from "../../policies/evaluate";
import { renderSarif } from "../../policies/report/sarif";
import { compliantProd, container, prodConfig, withEdit } from "../support/policy-fixtures";
import { ROOT } from "../support/stacks";

// The official SARIF 2.1.0 JSON schema, as Microsoft's SARIF SDK ships it (@microsoft/jest-sarif).
const schema = JSON.parse(
    fs.readFileSync(
        path.join(ROOT, "node_modules/@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json"),
        "utf8",
    ),
);

describe("SARIF output", () => {
    // CommonJS default exports: required rather than imported, as the rest of the suite is CommonJS.
    const Ajv = require("ajv-draft-04").default;
    const addFormats = require("ajv-formats").default;
    // The schema has a pattern that is invalid with the u flag (an unescaped "]"): match as browsers do.
    const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
    addFormats(ajv);
    const validate = ajv.compile(schema);

    it("validates against the SARIF 2.1.0 schema, with and without violations", () => {
        const failing = withEdit(
            "keybuzz-client",
            "kubernetes:apps/v1:Deployment",
            (p) => (container(p).image = "ghcr.io/keybuzzio/keybuzz-client:v0.5.3-signup-public"),
        );
        for (const resources of [compliantProd(), failing]) {
            const sarif = renderSarif(
                evaluate(resources, prodConfig(), {
                    kind: "stack",
                    name: "prod",
                    environment: "prod",
                }),
            );
            assert.ok(validate(sarif), JSON.stringify(validate.errors, null, 1));
        }
    });
});
