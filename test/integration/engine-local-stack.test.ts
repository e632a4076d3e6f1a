import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { passphraseDecrypter } from "../../config/passphrase";
import { privateCluster } from "../support/local-cluster";
import { npmRun, pulumiIn } from "../support/run";
import { ROOT } from "../support/stacks";

/**
 * The README's first command, as a script or CI runs it (no terminal): `npm run up` deploys
 * the local stack into the local cluster, to the end without a prompt. Its own backend and
 * its own cluster, so a developer's local stack (state and running objects, after their own
 * `npm run up`) is left alone.
 */
describe("npm run up: the local stack deployed into the local cluster, without a terminal", function () {
    this.timeout(600_000);
    const state = fs.mkdtempSync(path.join(os.tmpdir(), "keybuzz-local-"));
    let cluster: ReturnType<typeof privateCluster>;
    let env: NodeJS.ProcessEnv = {};
    const kubectl = (args: string[]) => cluster.kubectl(args);
    const kubectlJson = (args: string[]) => cluster.kubectlJson(args);
    const configured: string[] = [];
    const outputs: string[] = [];
    before(() => {
        cluster = privateCluster(path.join(state, "cluster"));
        env = { PULUMI_BACKEND_URL: `file://${state}`, ...cluster.env };
        const doc = parse(fs.readFileSync(path.join(ROOT, "Pulumi.local.yaml"), "utf8"));
        const d = passphraseDecrypter(doc.encryptionsalt, "keybuzz-demo-passphrase");
        for (const v of Object.values<any>(doc.config))
            if (v && typeof v === "object" && "secure" in v) configured.push(d.decrypt(v.secure));
    });
    after(() => {
        npmRun("destroy", [], env);
        cluster?.down();
        fs.rmSync(state, { recursive: true, force: true });
    });

    it("creates every resource, waits for the rollouts, and ends by saying how to look", () => {
        const up = npmRun("up", [], env);
        outputs.push(up.stdout, up.stderr);
        assert.equal(up.code, 0, up.stdout + up.stderr);
        assert.ok(!/download/i.test(up.stdout + up.stderr), "a plugin download was attempted");
        assert.match(up.stdout, /\+ 3\d created/);
        const hint = up.stdout.trim().split("\n").pop()!;
        assert.match(
            hint,
            /^ {2}kubectl --kubeconfig \/\S+\/kubeconfig get all,ingress,secret,networkpolicy,pdb -n keybuzz-local$/,
        );
        for (const app of ["api", "client", "website"])
            assert.equal(
                kubectlJson(["get", "deployment", `keybuzz-${app}`, "-n", "keybuzz-local"]).status
                    .readyReplicas,
                1,
            );
        // The in-cluster database, on a volume from the cluster's fake provisioner.
        assert.equal(
            kubectlJson(["get", "statefulset", "postgres", "-n", "keybuzz-local"]).status
                .readyReplicas,
            1,
        );
        assert.equal(
            kubectlJson(["get", "pvc", "data-postgres-0", "-n", "keybuzz-local"]).status.phase,
            "Bound",
        );
    });

    it("a second run changes nothing", () => {
        const again = npmRun("preview", ["--expect-no-changes"], env);
        outputs.push(again.stdout, again.stderr);
        assert.equal(again.code, 0, again.stdout + again.stderr);
    });

    it("keeps every configured and generated secret out of the output, the state export and the live objects other than Secrets", () => {
        const full = JSON.parse(
            pulumiIn(ROOT, state, ["stack", "export", "--show-secrets", "--stack", "local"]).stdout,
        );
        const generated = full.deployment.resources
            .filter((r: any) => r.type === "random:index/randomPassword:RandomPassword")
            .map((r: any) => r.outputs.result)
            .map((v: any) =>
                v && typeof v === "object" && "plaintext" in v ? JSON.parse(v.plaintext) : v,
            );
        assert.equal(generated.length, 2);
        const secrets = [...configured, ...generated];
        assert.ok(
            secrets.every((s) => typeof s === "string" && s.length >= 20),
            "secret values were not all found",
        );
        const exported = pulumiIn(ROOT, state, ["stack", "export", "--stack", "local"]).stdout;
        const live = kubectl([
            "get",
            "all,configmap,ingress,networkpolicy,pdb,serviceaccount,pvc",
            "-n",
            "keybuzz-local",
            "-o",
            "yaml",
        ]).stdout;
        assert.ok(live.includes("keybuzz-api"));
        for (const s of secrets) {
            assert.ok(!exported.includes(s), "a secret value is in the state export");
            assert.ok(!live.includes(s), "a secret value is in a live object other than a Secret");
            assert.ok(!outputs.join("\n").includes(s), "a secret value is in the command output");
        }
    });

    it("npm run destroy removes it, without a prompt", () => {
        const destroy = npmRun("destroy", [], env);
        assert.equal(destroy.code, 0, destroy.stdout + destroy.stderr);
        assert.equal(kubectl(["get", "namespace", "keybuzz-local"]).code, 1);
    });
});
