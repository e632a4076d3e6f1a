import * as assert from "node:assert/strict";
import { evaluate } from "../../../policies/evaluate";
import { PackConfig, ResourceView } from "../../../policies/model";
import { FORMATS, render } from "../../../policies/render";
import {
    compliantProd,
    container,
    envVar,
    prodConfig,
    withEdit,
} from "../../support/policy-fixtures";

const check = (resources: ResourceView[], config: PackConfig = prodConfig()) =>
    evaluate(resources, config, { kind: "stack", name: "prod", environment: "prod" });

describe("policy reports never print a credential and never pass untrusted markup through", () => {
    it("a Secret value that names another environment's host is reported by location, in no format by value", () => {
        const password = "something.backend-dev.keybuzz.io";
        const report = check(
            withEdit(
                "keybuzz-client-auth",
                "kubernetes:core/v1:Secret",
                (p) => (p.stringData.EMAIL_SERVER_PASSWORD = password),
            ),
        );
        const v = report.violations.find((x) => x.policy === "no-cross-environment-references");
        assert.ok(v, "the reference was not found");
        assert.match(v.message, /not shown: it may be a credential/);
        for (const format of FORMATS)
            assert.ok(
                !render(report, format).includes(password),
                `${format} prints the secret value`,
            );
    });

    it("an env var under a credential-like name is not printed either; an ordinary one is, cut to 120 characters", () => {
        const secretish = check(
            withEdit("keybuzz-client", "kubernetes:apps/v1:Deployment", (p) =>
                container(p).env.push({ name: "SMTP_PASS", value: "zz.backend-dev.keybuzz.io" }),
            ),
        );
        assert.ok(!JSON.stringify(secretish).includes("zz.backend-dev.keybuzz.io"));
        const long = "https://backend-dev.keybuzz.io/" + "a".repeat(400);
        const plain = check(
            withEdit(
                "keybuzz-client",
                "kubernetes:apps/v1:Deployment",
                (p) => (envVar(p, "NEXT_PUBLIC_BACKEND_URL").value = long),
            ),
        );
        const v = plain.violations.find((x) => x.policy === "no-cross-environment-references")!;
        assert.match(v.message, /refers to backend-dev\.keybuzz\.io, a dev value/);
        assert.ok(v.message.length < 400, v.message);
    });

    it("Markdown escapes HTML from the input, and text shows terminal escapes instead of obeying them", () => {
        const report = check(compliantProd());
        (report.violations as unknown as object[]).push({
            ...report.violations[0],
            policy: "x",
            level: "mandatory",
            resource: { type: "t", name: "</details><script>alert(1)</script>", urn: "u" },
            property: "p",
            message: "evil \u001b[2J\u001b[31mred",
            fix: "f",
            occurrences: 1,
        } as any);
        const md = render(report, "md");
        assert.ok(!md.includes("<script>") && !md.includes("</details><script>"), md);
        assert.match(md, /&lt;\/details&gt;&lt;script&gt;/);
        const text = render(report, "text");
        assert.ok(!text.includes("\u001b"), "an ANSI escape reached the terminal");
        assert.match(text, /evil \\u001b\[2J/);
    });
});

describe("credential-like names", () => {
    it("knows *_PASS and *_PWD, and tells a token from a setting about tokens", () => {
        const { SECRET_NAME } =
            require("../../../lib/credential-heuristics") as typeof import("../../../lib/credential-heuristics");
        for (const name of [
            "MYSQL_PWD",
            "SMTP_PASS",
            "DB_PASS",
            "PASSWD",
            "GITHUB_TOKEN",
            "API_KEY",
            "JWT_SECRET",
        ])
            assert.match(name, SECRET_NAME, name);
        for (const name of [
            "TOKEN_EXPIRY_SECONDS",
            "TOKEN_TTL",
            "ACCESS_TOKEN_URL",
            "PASSENGER_COUNT",
            "NODE_ENV",
        ])
            assert.doesNotMatch(name, SECRET_NAME, name);
    });
});
