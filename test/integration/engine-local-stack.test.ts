import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { passphraseDecrypter } from "../../config/passphrase";
import { pulumiIn } from "../support/run";
import { ROOT } from "../support/stacks";

const pulumi = (state: string, args: string[]) => pulumiIn(ROOT, state, args);

function filesUnder(dir: string): string[] {
    return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => path.join(d.parentPath, d.name));
}

describe("the local stack under the real engine: preview, up, re-up, export, rendered manifests", function () {
    this.timeout(300_000);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "keybuzz-local-"));
    const state = path.join(tmp, "state");
    const rendered = path.join(tmp, "rendered");
    const configFile = path.join(tmp, "Pulumi.local.yaml");
    const configured: string[] = [];
    before(() => {
        fs.mkdirSync(state);
        const text = fs.readFileSync(path.join(ROOT, "Pulumi.local.yaml"), "utf8");
        fs.writeFileSync(configFile, text.replace("renderToDirectory: rendered/local", `renderToDirectory: ${rendered}`));
        const doc = parse(text);
        const d = passphraseDecrypter(doc.encryptionsalt, "keybuzz-demo-passphrase");
        for (const v of Object.values<any>(doc.config)) if (v && typeof v === "object" && "secure" in v) configured.push(d.decrypt(v.secure));
        assert.equal(pulumi(state, ["stack", "init", "local", "--non-interactive"]).code, 0);
    });
    after(() => {
        pulumi(state, ["destroy", "--yes", "--stack", "local", "--config-file", configFile]);
        fs.rmSync(tmp, { recursive: true, force: true });
    });

    it("previews, then creates every resource and renders the manifests", () => {
        const preview = pulumi(state, ["preview", "--json", "--stack", "local", "--config-file", configFile]);
        assert.equal(preview.code, 0, preview.stderr);
        const steps = JSON.parse(preview.stdout).steps.filter((s: any) => s.op === "create").map((s: any) => s.urn.split("::")[2].split("$").pop());
        for (const type of ["kubernetes:core/v1:Namespace", "kubernetes:apps/v1:Deployment", "kubernetes:apps/v1:StatefulSet", "kubernetes:networking.k8s.io/v1:Ingress", "random:index/randomPassword:RandomPassword"]) {
            assert.ok(steps.includes(type), `no ${type} in the preview`);
        }
        const up = pulumi(state, ["up", "--yes", "--skip-preview", "--stack", "local", "--config-file", configFile]);
        assert.equal(up.code, 0, up.stdout + up.stderr);
        assert.ok(!/download/i.test(up.stdout + up.stderr), "a plugin download was attempted");
        const files = filesUnder(rendered).map((f) => path.basename(f));
        assert.ok(files.includes("apps_v1-deployment-keybuzz-local-keybuzz-client.yaml"), files.join(" "));
        assert.equal(files.filter((f) => f.startsWith("v1-secret-")).length, 4);
    });

    it("reports no changes on a second run", () => {
        const again = pulumi(state, ["preview", "--expect-no-changes", "--stack", "local", "--config-file", configFile]);
        assert.equal(again.code, 0, again.stdout + again.stderr);
    });

    it("keeps every configured and generated secret out of the state export and the rendered manifests", () => {
        const withSecrets = pulumi(state, ["stack", "export", "--show-secrets", "--stack", "local"]);
        const generated = JSON.parse(withSecrets.stdout).deployment.resources.filter((r: any) => r.type === "random:index/randomPassword:RandomPassword").map((r: any) => r.outputs.result)
            // An export with --show-secrets keeps the secret envelope, with the value as JSON text.
            .map((v: any) => (v && typeof v === "object" && "plaintext" in v ? JSON.parse(v.plaintext) : v));
        assert.equal(generated.length, 2);
        const secrets = [...configured, ...generated];
        assert.ok(secrets.every((s) => typeof s === "string" && s.length >= 20), "secret values were not all found");
        const exported = pulumi(state, ["stack", "export", "--stack", "local"]).stdout;
        const manifests = filesUnder(rendered).map((f) => fs.readFileSync(f, "utf8")).join("\n");
        for (const s of secrets) {
            assert.ok(!exported.includes(s), "a secret value is in the state export");
            assert.ok(!manifests.includes(s), "a secret value is in the rendered manifests");
        }
        assert.match(manifests, /NEXTAUTH_SECRET: "\[not rendered: the value is in the stack's encrypted state\]"/);
    });
});
