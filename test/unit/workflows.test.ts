import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { ROOT } from "../support/stacks";

const workflows = fs.readdirSync(path.join(ROOT, ".github/workflows")).map((f) => ({
    file: f,
    doc: parse(fs.readFileSync(path.join(ROOT, ".github/workflows", f), "utf8")),
}));
const scripts = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"))
    .scripts as Record<string, string>;

function runs(doc: any): string[] {
    return Object.values<any>(doc.jobs).flatMap((j) =>
        (j.steps ?? []).map((s: any) => s.run).filter(Boolean),
    );
}

describe("CI workflows (parsed; they cannot run here)", () => {
    it("call only npm scripts that exist in package.json", () => {
        for (const { file, doc } of workflows) {
            for (const run of runs(doc)) {
                for (const m of run.matchAll(/npm (?:run(?: -s)? ([\w:-]+)|(test))\b/g)) {
                    const name = m[1] ?? m[2];
                    assert.ok(
                        name in scripts,
                        `${file}: npm run ${name} is not a package.json script`,
                    );
                }
            }
        }
    });

    it("use a shared backend from a secret, never the in-repo file backend", () => {
        for (const { file, doc } of workflows) {
            assert.equal(doc.env?.PULUMI_BACKEND_URL, "${{ secrets.PULUMI_BACKEND_URL }}", file);
            assert.ok(!JSON.stringify(doc).includes("file://"), `${file} uses a file backend`);
        }
    });

    it("deploy PROD only from main, audit after the update, and roll back on failure", () => {
        const deploy = workflows.find((w) => w.file === "deploy-prod.yml")!.doc;
        assert.deepEqual(deploy.on.push.branches, ["main"]);
        const steps = deploy.jobs.deploy.steps.map((s: any) => s.run ?? s.uses);
        const up = steps.findIndex((s: string) => /npm run up -- --stack prod/.test(s));
        const audit = steps.findIndex((s: string) => /npm run audit -- --stack prod/.test(s));
        const rollback = deploy.jobs.deploy.steps.findIndex((s: any) =>
            /npm run promote -- rollback --stack prod/.test(s.run ?? ""),
        );
        assert.ok(up >= 0 && audit > up && rollback > audit, "up → audit → rollback order");
        assert.equal(deploy.jobs.deploy.steps[rollback].if, "failure()");
    });

    it("post the Markdown report as a PR comment and the SARIF as code scanning", () => {
        const pr = workflows.find((w) => w.file === "pull-request.yml")!.doc;
        const uses = pr.jobs.check.steps.map(
            (s: any) => `${s.uses ?? ""} ${JSON.stringify(s.with ?? {})}`,
        );
        assert.ok(
            uses.some(
                (u: string) => u.includes("sticky-pull-request-comment") && u.includes(".md"),
            ),
        );
        assert.ok(uses.some((u: string) => u.includes("upload-sarif") && u.includes(".sarif")));
    });
});
