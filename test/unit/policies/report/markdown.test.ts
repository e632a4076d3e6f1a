import * as assert from "node:assert/strict";
import { ViolationReport } from "../../../../policies/evaluate";
import { renderMarkdown } from "../../../../policies/report/markdown";
import {
    checkProd,
    compliantProd,
    container,
    DEPLOYMENT,
    withEdit,
} from "../../../support/policy-fixtures";

describe("Markdown report (policies/report/markdown.ts)", () => {
    it("leads with the verdict and counts, then one row per violation with its fix", () => {
        const report = checkProd(
            withEdit(
                "keybuzz-client",
                DEPLOYMENT,
                (p) => (container(p).image = "ghcr.io/keybuzzio/keybuzz-client:v1"),
            ),
        );
        const md = renderMarkdown(report);
        assert.match(
            md.split("\n")[0],
            /^## ❌ Policy check: stack `prod` \(environment prod\) — FAIL$/,
        );
        assert.ok(md.includes("prod-images-by-digest"));
        assert.ok(md.includes("ghcr.io/keybuzzio/keybuzz-client:v1"));
    });

    it("shows HTML and table syntax from the input as text", () => {
        const base = checkProd(compliantProd());
        const hostile: ViolationReport = {
            ...base,
            summary: { ...base.summary, verdict: "fail", mandatory: 1 },
            violations: [
                {
                    policy: "x",
                    level: "mandatory",
                    resource: { type: "t", name: "</details><script>alert(1)</script>", urn: "u" },
                    property: "a|b",
                    message: "m",
                    fix: "f",
                    occurrences: 1,
                },
            ],
        };
        const md = renderMarkdown(hostile);
        assert.ok(!md.includes("<script>"));
        assert.ok(md.includes("&lt;script&gt;") && md.includes("a\\|b"));
    });

    it("stays under the limit by folding the tail, saying how much was folded", () => {
        const base = checkProd(compliantProd());
        const many: ViolationReport = {
            ...base,
            violations: Array.from({ length: 2000 }, (_, i) => ({
                policy: "no-plaintext-secrets",
                level: "mandatory" as const,
                resource: { type: "kubernetes:core/v1:ConfigMap", name: `cm-${i}`, urn: `u${i}` },
                property: "data.X",
                message: "m".repeat(80),
                fix: "f".repeat(80),
                occurrences: 1,
            })),
        };
        const md = renderMarkdown(many, 20_000);
        assert.ok(md.length <= 20_000, String(md.length));
        assert.match(md, /\d+ more violation rows omitted to fit a PR comment/);
    });
});
