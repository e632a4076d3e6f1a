import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { passphraseDecrypter } from "../../config/passphrase";
import { npmRun } from "../support/run";
import { auditLeakedNextauthSecret, ROOT } from "../support/stacks";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "keybuzz-cmd-"));

function replayManifests(): string {
    const file = path.join(tmp, "audit-prod.yaml");
    const template = fs.readFileSync(
        path.join(ROOT, "test/fixtures/audit-ph28/prod.yaml.template"),
        "utf8",
    );
    fs.writeFileSync(
        file,
        template.replace("${AUDIT_NEXTAUTH_SECRET}", auditLeakedNextauthSecret()),
    );
    return file;
}

/** Every secret value of the committed stack files, decrypted with the demo passphrase. */
function committedSecretValues(): string[] {
    const out: string[] = [];
    for (const stack of ["dev", "prod"]) {
        const doc = parse(fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8"));
        const d = passphraseDecrypter(doc.encryptionsalt, "keybuzz-demo-passphrase");
        for (const v of Object.values<any>(doc.config))
            if (v && typeof v === "object" && "secure" in v) out.push(d.decrypt(v.secure));
    }
    return out;
}

describe("check:config (the command)", () => {
    it("exits 0 on the committed prod stack file", () => {
        const r = npmRun("check:config", ["--stack", "prod"]);
        assert.equal(r.code, 0, r.stdout + r.stderr);
        assert.match(r.stdout, /valid config for stack "prod"/);
    });

    it("exits 1 naming the key and value when prod uses the dev DB user or the dev backend", () => {
        const text = fs.readFileSync(path.join(ROOT, "Pulumi.prod.yaml"), "utf8");
        for (const [from, to, expected] of [
            [
                "user: keybuzz_api_prod",
                "user: keybuzz_api_dev",
                `keybuzz-platform:database.user: "keybuzz_api_dev" belongs to environment dev`,
            ],
            [
                "backendHost: backend.keybuzz.io",
                "backendHost: backend-dev.keybuzz.io",
                `keybuzz-platform:services.api.backendHost: "backend-dev.keybuzz.io" belongs to environment dev`,
            ],
        ]) {
            const file = path.join(tmp, "Pulumi.prod.yaml");
            fs.writeFileSync(file, text.replace(from, to));
            const r = npmRun("check:config", ["--file", file]);
            assert.equal(r.code, 1, r.stdout + r.stderr);
            assert.ok(r.stdout.includes(expected), r.stdout);
        }
    });

    it("exits 2 with one line when the file cannot be read", () => {
        const r = npmRun("check:config", ["--file", path.join(tmp, "Pulumi.missing.yaml")]);
        assert.equal(r.code, 2);
        assert.match(r.stderr, /cannot read stack file .*Pulumi\.missing\.yaml: ENOENT/);
    });
});

describe("policy:check and report (the commands)", () => {
    it("passes the committed dev and prod stacks with no mandatory violation", () => {
        for (const stack of ["dev", "prod"]) {
            const r = npmRun("policy:check", ["--stack", stack, "--format", "json"]);
            assert.equal(r.code, 0, r.stdout + r.stderr);
            const report = JSON.parse(r.stdout);
            assert.equal(report.summary.mandatory, 0, JSON.stringify(report.violations, null, 1));
            // dev's fingerprints were compared (its stack file decrypts with the demo passphrase).
            assert.ok(
                !report.notVerified.some((n: any) => /fingerprints of (dev|prod)/.test(n.reason)),
                JSON.stringify(report.notVerified),
            );
        }
    });

    it("replays the audit's PROD: every finding once, and no other mandatory violation", () => {
        const out = path.join(tmp, "replay.json");
        const r = npmRun("policy:check", [
            "--manifests",
            replayManifests(),
            "--env",
            "prod",
            "--compare",
            `dev=${path.join(ROOT, "test/fixtures/audit-ph28/dev.yaml")}`,
            "--format",
            "json",
            "--out",
            out,
        ]);
        assert.equal(r.code, 1, r.stderr);
        const report = JSON.parse(fs.readFileSync(out, "utf8"));
        const mandatory = report.violations
            .filter((v: any) => v.level === "mandatory")
            .map((v: any) => `${v.policy} ${v.resource.name} ${v.property}`);
        assert.deepEqual(mandatory.sort(), [
            "no-cross-environment-references keybuzz-client spec.template.spec.containers[0].env.NEXT_PUBLIC_BACKEND_URL",
            "no-plaintext-secrets keybuzz-client spec.template.spec.containers[0].env.NEXTAUTH_SECRET",
            "no-shared-credentials keybuzz-api-db data.PGDATABASE",
            "no-shared-credentials keybuzz-api-db data.PGUSER",
            "prod-images-by-digest keybuzz-api spec.template.spec.containers[0].image",
            "prod-images-by-digest keybuzz-client spec.template.spec.containers[0].image",
            "prod-images-by-digest keybuzz-website spec.template.spec.containers[0].image",
        ]);
        assert.ok(report.notVerified.some((n: any) => n.policy === "prod-images-promoted"));

        const md = npmRun("report", ["--in", out, "--format", "md"]);
        assert.equal(md.code, 1);
        assert.match(md.stdout, /^## ❌ Policy check/);
        assert.equal(
            md.stdout.split("\n").filter((l) => l.includes("backend-dev.keybuzz.io")).length,
            1,
        );
        assert.ok(md.stdout.length < 65_000);
        for (const format of ["json", "md", "sarif", "junit"]) {
            const rendered = npmRun("report", ["--in", out, "--format", format]).stdout;
            assert.ok(
                !rendered.includes(auditLeakedNextauthSecret()),
                `${format} report prints the leaked secret`,
            );
        }
        const sarif = JSON.parse(npmRun("report", ["--in", out, "--format", "sarif"]).stdout);
        assert.equal(sarif.version, "2.1.0");
        assert.equal(sarif.runs[0].results.filter((x: any) => x.level === "error").length, 7);
        assert.ok(
            sarif.runs[0].results.every((x: any) =>
                x.locations[0].physicalLocation.artifactLocation.uri.endsWith("audit-prod.yaml"),
            ),
        );
    });

    it("never prints a configured secret value in any report format", () => {
        const secrets = committedSecretValues();
        assert.ok(secrets.length >= 12);
        for (const format of ["text", "json", "md", "sarif", "junit"]) {
            const r = npmRun("policy:check", ["--stack", "prod", "--format", format]);
            for (const s of secrets)
                assert.ok(
                    !r.stdout.includes(s) && !r.stderr.includes(s),
                    `${format} output contains a secret value`,
                );
        }
    });

    it("exits 2, not 0, when the stack config is invalid", () => {
        const file = path.join(tmp, "Pulumi.prod.yaml");
        fs.writeFileSync(
            file,
            fs
                .readFileSync(path.join(ROOT, "Pulumi.prod.yaml"), "utf8")
                .replace("user: keybuzz_api_prod", "user: keybuzz_api_dev"),
        );
        const r = npmRun("policy:check", ["--file", file]);
        assert.equal(r.code, 2);
        assert.match(r.stderr, /the stack config is invalid/);
    });

    it("refuses a truncated report instead of rendering a clean-looking one", () => {
        const out = path.join(tmp, "full.json");
        npmRun("policy:check", [
            "--manifests",
            replayManifests(),
            "--env",
            "prod",
            "--format",
            "json",
            "--out",
            out,
        ]);
        const cut = path.join(tmp, "cut.json");
        fs.writeFileSync(cut, fs.readFileSync(out, "utf8").slice(0, 2000));
        const r = npmRun("report", ["--in", cut, "--format", "md"]);
        assert.equal(r.code, 2);
        assert.match(r.stderr, /is not complete JSON/);
        assert.equal(r.stdout, "");
    });
});
