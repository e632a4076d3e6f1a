import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { passphraseDecrypter, PassphraseError } from "../../config/passphrase";
import { readStackFile } from "../../config/stack-file";
import { SecretValue } from "../../config/secret";
import { npmRun, pulumiIn } from "../support/run";
import { toolVersions } from "../../config/toolchain";
import { ROOT } from "../support/stacks";

const versions = Object.fromEntries(
    fs
        .readFileSync(path.join(ROOT, "tools/versions.env"), "utf8")
        .split("\n")
        .filter((l) => /^[A-Z_]+=/.test(l))
        .map((l) => l.split("=")),
);

/** The pinned CLI in a throw-away project directory with its own backend. */
const pulumi = (cwd: string, args: string[]) =>
    pulumiIn(cwd, `${cwd}/state`, args, { PULUMI_CONFIG_PASSPHRASE: "integration-passphrase" });

describe("the real Pulumi CLI built by setup", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "keybuzz-cli-"));
    before(() => {
        fs.mkdirSync(path.join(dir, "state"));
        fs.writeFileSync(
            path.join(dir, "Pulumi.yaml"),
            "name: keybuzz-platform\nruntime: nodejs\n",
        );
    });

    it("is the pinned version", () => {
        const r = pulumi(dir, ["version"]);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stdout.trim(), `v${versions.PULUMI_VERSION}`);
    });

    it("encrypts config that our offline decrypter reads back exactly, and a wrong passphrase is refused", () => {
        assert.equal(
            pulumi(dir, [
                "stack",
                "init",
                "itest",
                "--secrets-provider",
                "passphrase",
                "--non-interactive",
            ]).code,
            0,
        );
        const value = `s3cret-${process.pid}-ünïcode:with:colons`;
        const set = pulumi(dir, [
            "config",
            "set",
            "--secret",
            "--stack",
            "itest",
            "keybuzz-platform:smtpPassword",
            value,
        ]);
        assert.equal(set.code, 0, set.stderr);
        const file = path.join(dir, "Pulumi.itest.yaml");
        assert.ok(
            !fs.readFileSync(file, "utf8").includes(value),
            "the stack file holds the plaintext",
        );
        const raw = readStackFile(file, "integration-passphrase");
        assert.ok(raw.smtpPassword instanceof SecretValue);
        assert.equal((raw.smtpPassword as SecretValue).value, value);
        const salt = /encryptionsalt: (\S+)/.exec(fs.readFileSync(file, "utf8"))![1];
        assert.throws(() => passphraseDecrypter(salt, "wrong"), PassphraseError);
    });

    it("keeps secrets out of a state export made without --show-secrets", () => {
        const value = `state-secret-${process.pid}`;
        assert.equal(
            pulumi(dir, [
                "config",
                "set",
                "--secret",
                "--stack",
                "itest",
                "keybuzz-platform:fingerprintKey",
                value,
            ]).code,
            0,
        );
        const exported = pulumi(dir, ["stack", "export", "--stack", "itest"]);
        assert.equal(exported.code, 0, exported.stderr);
        assert.ok(!exported.stdout.includes(value));
    });

    it("npm run preview -- --stack dev runs the upstream kubernetes provider that setup built, and downloads nothing", () => {
        const plugin = spawnSync(
            "bash",
            ["-c", `. "${ROOT}/scripts/env.sh" && command -v pulumi-resource-kubernetes`],
            { encoding: "utf8" },
        ).stdout.trim();
        const version = toolVersions().PULUMI_KUBERNETES_PROVIDER_VERSION;
        assert.ok(
            plugin.endsWith(`/pulumi-resource-kubernetes-${version}/pulumi-resource-kubernetes`),
            plugin,
        );
        assert.ok(
            !plugin.startsWith(ROOT),
            "the kubernetes provider on PATH is the project's own, not upstream",
        );
        const state = fs.mkdtempSync(path.join(os.tmpdir(), "keybuzz-preview-dev-"));
        try {
            // No cluster at hand: the provider previews with unknowns, as in a pull request.
            const r = npmRun("preview", ["--stack", "dev"], {
                PULUMI_BACKEND_URL: `file://${state}`,
                KUBECONFIG: path.join(state, "none"),
            });
            assert.equal(r.code, 0, r.stdout + r.stderr);
            assert.ok(
                r.stdout.includes(`using pulumi-resource-kubernetes from $PATH at ${plugin}`),
                r.stdout,
            );
            assert.ok(!/download/i.test(r.stdout + r.stderr), r.stdout + r.stderr);
            assert.match(r.stdout, /\+ 3\d to create/);
        } finally {
            fs.rmSync(state, { recursive: true, force: true });
        }
    });
});
