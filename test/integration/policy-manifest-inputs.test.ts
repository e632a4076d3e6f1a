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
    const check = (target: string) => npmRun("policy:check", ["--manifests", target, "--env", "prod", "--format", "json"]);
    after(() => fs.rmSync(tmp, { recursive: true, force: true }));

    it("an empty folder, an empty file and a comments-only file are exit 2 naming the input, not a pass", () => {
        fs.mkdirSync(path.join(tmp, "empty"));
        for (const target of [path.join(tmp, "empty"), write("blank.yaml", ""), write("comments.yaml", "# nothing here\n---\n")]) {
            const r = check(target);
            assert.equal(r.code, 2, `${target}: ${r.stdout}`);
            assert.match(r.stderr, new RegExp(`${path.basename(target).replace(".", "\\.")} holds no Kubernetes object`));
        }
    });

    it("an unrendered kustomize overlay or Helm template is refused with how to render it", () => {
        const kust = write("overlay/kustomization.yaml", "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [../base]\n");
        const helm = write("chart/templates/cm.yaml", 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ include "app.fullname" . }}\n');
        for (const [target, what] of [[path.dirname(kust), /is a kustomization/], [path.dirname(helm), /cm\.yaml:4 holds template syntax/]] as const) {
            const r = check(target);
            assert.equal(r.code, 2, r.stdout);
            assert.match(r.stderr, what);
            assert.match(r.stderr, /render it first \(`kubectl kustomize <dir> > rendered\.yaml`, `helm template <chart> > rendered\.yaml`\)/);
        }
    });

    it("reads YAML in nested folders, and an alerting rule's {{ $labels }} is data, not a template", () => {
        write("live/apps/prod/deploy.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api, namespace: keybuzz-prod}\nspec:\n  template:\n    spec:\n      containers: [{name: api, image: ghcr.io/keybuzzio/keybuzz-api:v1}]\n");
        write("live/monitoring/alerts.yaml", 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: alerts, namespace: keybuzz-prod}\ndata:\n  rule: "summary: {{ $labels.instance }} is down"\n');
        const r = check(path.join(tmp, "live"));
        const report = JSON.parse(r.stdout);
        assert.equal(report.summary.resources, 2);
        assert.ok(report.violations.some((v: any) => v.policy === "prod-images-by-digest" && v.resource.name === "api"), r.stdout);
    });
});
