import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { npmRun } from "../support/run";

/** policy:check --manifests: checking nothing is never a pass, and nested folders are read. */
describe("policy:check --manifests on inputs that hold no objects, or not yet", function () {
    this.timeout(120_000);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "keybuzz-manifest-inputs-"));
    const write = (rel: string, text: string) => {
        fs.mkdirSync(path.dirname(path.join(tmp, rel)), { recursive: true });
        fs.writeFileSync(path.join(tmp, rel), text);
        return path.join(tmp, rel);
    };
    const check = (target: string) =>
        npmRun("policy:check", ["--manifests", target, "--env", "prod", "--format", "json"]);
    after(() => fs.rmSync(tmp, { recursive: true, force: true }));

    it("an empty folder, an empty file and a comments-only file are exit 2 naming the input, not a pass", () => {
        fs.mkdirSync(path.join(tmp, "empty"));
        for (const target of [
            path.join(tmp, "empty"),
            write("blank.yaml", ""),
            write("comments.yaml", "# nothing here\n---\n"),
        ]) {
            const r = check(target);
            assert.equal(r.code, 2, `${target}: ${r.stdout}`);
            assert.match(
                r.stderr,
                new RegExp(
                    `${path.basename(target).replace(".", "\\.")} holds no Kubernetes object`,
                ),
            );
        }
    });

    it("an unrendered kustomize overlay or Helm template is refused with how to render it", () => {
        const kust = write(
            "overlay/kustomization.yaml",
            "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [../base]\n",
        );
        const helm = write(
            "chart/templates/cm.yaml",
            'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ include "app.fullname" . }}\n',
        );
        for (const [target, what] of [
            [path.dirname(kust), /is a kustomization/],
            [path.dirname(helm), /cm\.yaml:4 holds template syntax/],
        ] as const) {
            const r = check(target);
            assert.equal(r.code, 2, r.stdout);
            assert.match(r.stderr, what);
            assert.match(
                r.stderr,
                /render it first \(`kubectl kustomize <dir> > rendered\.yaml`, `helm template <chart> > rendered\.yaml`\)/,
            );
        }
    });

    it("reads YAML in nested folders, and an alerting rule's {{ $labels }} is data, not a template", () => {
        write(
            "live/apps/prod/deploy.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api, namespace: keybuzz-prod}\nspec:\n  template:\n    spec:\n      containers: [{name: api, image: ghcr.io/keybuzzio/keybuzz-api:v1}]\n",
        );
        write(
            "live/monitoring/alerts.yaml",
            'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: alerts, namespace: keybuzz-prod}\ndata:\n  rule: "summary: {{ $labels.instance }} is down"\n',
        );
        const r = check(path.join(tmp, "live"));
        const report = JSON.parse(r.stdout);
        assert.equal(report.summary.resources, 2);
        assert.ok(
            report.violations.some(
                (v: any) => v.policy === "prod-images-by-digest" && v.resource.name === "api",
            ),
            r.stdout,
        );
    });

    it("checks every pod template, whatever the kind or apiVersion: legacy kinds and kinds it has never seen", () => {
        const pod = (indent: string) =>
            `${indent}containers:\n${indent}- name: app\n${indent}  image: ghcr.io/keybuzzio/keybuzz-api:v0.4.24\n${indent}  env:\n${indent}  - name: DB_PASSWORD\n${indent}    value: "Zx81-literal-password-in-a-manifest"\n`;
        const objects = [
            ["apps/v1", "ReplicaSet", `spec:\n  template:\n    spec:\n${pod("      ")}`],
            ["v1", "ReplicationController", `spec:\n  template:\n    spec:\n${pod("      ")}`],
            ["extensions/v1beta1", "Deployment", `spec:\n  template:\n    spec:\n${pod("      ")}`],
            ["apps/v1beta2", "StatefulSet", `spec:\n  template:\n    spec:\n${pod("      ")}`],
            [
                "batch/v1beta1",
                "CronJob",
                `spec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n${pod("          ")}`,
            ],
            ["argoproj.io/v1alpha1", "Rollout", `spec:\n  template:\n    spec:\n${pod("      ")}`],
            ["v1", "PodTemplate", `template:\n  spec:\n${pod("    ")}`],
        ];
        const file = write(
            "legacy/all.yaml",
            objects
                .map(
                    ([apiVersion, kind, body], i) =>
                        `apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata: {name: w${i}, namespace: keybuzz-prod}\n${body}`,
                )
                .join("---\n"),
        );
        const report = JSON.parse(check(file).stdout);
        for (let i = 0; i < objects.length; i++) {
            const mine = report.violations
                .filter((v: any) => v.resource.name === `w${i}`)
                .map((v: any) => v.policy);
            assert.ok(
                mine.includes("no-plaintext-secrets"),
                `${objects[i][1]} (${objects[i][0]}): ${mine.join(", ")}`,
            );
            assert.ok(
                mine.includes("prod-images-by-digest"),
                `${objects[i][1]} (${objects[i][0]}): ${mine.join(", ")}`,
            );
        }
        assert.ok(
            !JSON.stringify(report).includes("Zx81-literal-password-in-a-manifest"),
            "the password is printed",
        );
    });
});
