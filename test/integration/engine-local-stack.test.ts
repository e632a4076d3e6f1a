import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { passphraseDecrypter } from "../../config/passphrase";
import { kubectl, kubectlJson, localCluster } from "../support/local-cluster";
import { npmRun, pulumiIn } from "../support/run";
import { ROOT } from "../support/stacks";

/**
 * The README's first command, as a script or CI runs it (no terminal): `npm run up` deploys
 * the local stack into the local cluster, to the end without a prompt: real pods from the
 * images this repository builds. Its own backend, and its own copy of the stack file with a
 * namespace of its own (--config-file), so a developer's local stack (state and running
 * objects, after their own `npm run up`) is left alone in the same cluster.
 */
describe("npm run up: the local stack deployed into the local cluster, without a terminal", function () {
    this.timeout(600_000);
    const state = fs.mkdtempSync(path.join(os.tmpdir(), "keybuzz-local-"));
    const NS = "keybuzz-local-e2e";
    const stackFile = path.join(state, "Pulumi.local.yaml");
    let env: NodeJS.ProcessEnv = {};
    const args = ["--config-file", stackFile];
    const configured: string[] = [];
    const outputs: string[] = [];
    before(() => {
        localCluster();
        env = { PULUMI_BACKEND_URL: `file://${state}` };
        const text = fs.readFileSync(path.join(ROOT, "Pulumi.local.yaml"), "utf8");
        fs.writeFileSync(
            stackFile,
            text.replace(/^( +keybuzz-platform:namespace:) keybuzz-local$/m, `$1 ${NS}`),
        );
        const doc = parse(text);
        const d = passphraseDecrypter(doc.encryptionsalt, "keybuzz-demo-passphrase");
        for (const v of Object.values<any>(doc.config))
            if (v && typeof v === "object" && "secure" in v) configured.push(d.decrypt(v.secure));
    });
    after(() => {
        npmRun("destroy", args, env);
        fs.rmSync(state, { recursive: true, force: true });
    });

    it("creates every resource, waits for the rollouts, and ends by saying how to look", () => {
        assert.match(fs.readFileSync(stackFile, "utf8"), new RegExp(`namespace: ${NS}`));
        const up = npmRun("up", args, env);
        outputs.push(up.stdout, up.stderr);
        assert.equal(up.code, 0, up.stdout + up.stderr);
        assert.ok(!/download/i.test(up.stdout + up.stderr), "a plugin download was attempted");
        assert.match(up.stdout, /\+ 3\d created/);
        const hint = up.stdout.trim().split("\n").slice(-4);
        assert.match(
            hint.join("\n"),
            new RegExp(
                `^ {2}kubectl --kubeconfig /\\S+/kubeconfig get all,ingress,secret,networkpolicy,pdb -n ${NS}$`,
                "m",
            ),
        );
        assert.match(hint.join("\n"), /^ {2}npm run audit -- --stack local$/m);
        // The images were built here and pinned by digest in the stack file.
        assert.match(
            fs.readFileSync(stackFile, "utf8"),
            /image: 127\.0\.0\.1:\d+\/keybuzz\/keybuzz-api@sha256:[0-9a-f]{64}/,
        );
        for (const app of ["api", "client", "website"])
            assert.equal(
                kubectlJson(["get", "deployment", `keybuzz-${app}`, "-n", NS]).status.readyReplicas,
                1,
            );
        // Real processes: each pod's container is running the image pinned, and says so in its log.
        for (const app of ["api", "client", "website"]) {
            const pods = kubectlJson([
                "get",
                "pods",
                "-n",
                NS,
                "-l",
                `app.kubernetes.io/name=keybuzz-${app}`,
            ]).items;
            assert.ok(pods.length >= 1, `no ${app} pod`);
            const status = pods[0].status.containerStatuses[0];
            assert.equal(status.ready, true);
            assert.ok(status.state.running, `${app} is not running`);
            assert.match(status.imageID, /@sha256:[0-9a-f]{64}$/);
            const log = kubectl(["logs", "-n", NS, pods[0].metadata.name]);
            assert.match(log.stdout, new RegExp(`keybuzz-${app} good listening on :\\d+`));
        }
        // The in-cluster database: the project's PostgreSQL image, on one of the cluster's volumes.
        assert.equal(
            kubectlJson(["get", "statefulset", "postgres", "-n", NS]).status.readyReplicas,
            1,
        );
        assert.equal(
            kubectlJson(["get", "pvc", "data-postgres-0", "-n", NS]).status.phase,
            "Bound",
        );
    });

    it("a second run changes nothing", () => {
        const again = npmRun("preview", ["--expect-no-changes", ...args], env);
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
            NS,
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
        const destroy = npmRun("destroy", args, env);
        assert.equal(destroy.code, 0, destroy.stdout + destroy.stderr);
        assert.equal(kubectl(["get", "namespace", NS]).code, 1);
    });
});
