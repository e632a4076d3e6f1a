import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { npmRun, pulumiIn } from "../support/run";
import { auditLeakedNextauthSecret, ROOT } from "../support/stacks";

const PROGRAM = path.join(ROOT, "test/fixtures/engine-policy");

const pulumi = (state: string, args: string[], env: NodeJS.ProcessEnv = {}) =>
    pulumiIn(PROGRAM, state, args, { PULUMI_CONFIG_PASSPHRASE: "engine-test", ...env });

describe("the real Pulumi engine with the policy pack (pulumi preview --policy-pack policies)", function () {
    this.timeout(300_000);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "keybuzz-engine-policy-"));
    const state = path.join(tmp, "state");
    const stack = `policy${process.pid}`;
    const packConfig = path.join(tmp, "pack-config.json");
    before(() => {
        fs.mkdirSync(state);
        assert.equal(pulumi(state, ["stack", "init", stack, "--non-interactive"]).code, 0);
        // The pack's evidence for prod, exactly as CI produces it.
        const emitted = npmRun("policy:check", [
            "--stack",
            "prod",
            "--emit-pack-config",
            packConfig,
        ]);
        assert.equal(emitted.code, 0, emitted.stderr);
    });
    after(() => {
        pulumi(state, ["stack", "rm", "--yes", "--force", "--stack", stack]);
        fs.rmSync(tmp, { recursive: true, force: true });
    });

    it("passes a clean resource", () => {
        assert.equal(
            pulumi(state, [
                "config",
                "set",
                "--path",
                "--stack",
                stack,
                "env.NEXT_PUBLIC_BACKEND_URL",
                "https://backend.keybuzz.io",
            ]).code,
            0,
        );
        const r = pulumi(state, [
            "preview",
            "--stack",
            stack,
            "--policy-pack",
            path.join(ROOT, "policies"),
            "--policy-pack-config",
            packConfig,
        ]);
        assert.equal(r.code, 0, r.stdout + r.stderr);
        assert.match(r.stdout, /keybuzz-platform@v0\.1\.0/);
    });

    it("fails the preview on the audit's values and the report built from the engine's event log lists them without the secret", () => {
        const leaked = auditLeakedNextauthSecret();
        assert.equal(
            pulumi(state, [
                "config",
                "set",
                "--path",
                "--stack",
                stack,
                "env.NEXT_PUBLIC_BACKEND_URL",
                "https://backend-dev.keybuzz.io",
            ]).code,
            0,
        );
        assert.equal(
            pulumi(state, [
                "config",
                "set",
                "--path",
                "--plaintext",
                "--stack",
                stack,
                "env.NEXTAUTH_SECRET",
                leaked,
            ]).code,
            0,
        );
        const r = pulumi(state, [
            "preview",
            "--stack",
            stack,
            "--policy-pack",
            path.join(ROOT, "policies"),
            "--policy-pack-config",
            packConfig,
        ]);
        assert.notEqual(r.code, 0, r.stdout);
        assert.match(r.stdout, /no-cross-environment-references/);
        assert.match(r.stdout, /refers to backend-dev\.keybuzz\.io, a dev value/);
        assert.match(r.stdout, /no-plaintext-secrets/);
        assert.ok(
            !r.stdout.includes(leaked) && !r.stderr.includes(leaked),
            "the engine output prints the leaked secret",
        );

        // The machine-readable form: the engine's streamed JSON events.
        const events = path.join(tmp, "events.jsonl");
        const streamed = pulumi(
            state,
            [
                "preview",
                "--json",
                "--stack",
                stack,
                "--policy-pack",
                path.join(ROOT, "policies"),
                "--policy-pack-config",
                packConfig,
            ],
            { PULUMI_ENABLE_STREAMING_JSON_PREVIEW: "true" },
        );
        assert.notEqual(streamed.code, 0);
        fs.writeFileSync(events, streamed.stdout);
        const report = npmRun("report", ["--in", events, "--event-log", "--format", "json"]);
        assert.equal(report.code, 1, report.stderr);
        const parsed = JSON.parse(report.stdout);
        const settings = parsed.violations.filter(
            (v: any) => v.level === "mandatory" && v.resource.name === "client-settings",
        );
        assert.deepEqual(settings.map((v: any) => `${v.policy} ${v.property}`).sort(), [
            "no-cross-environment-references env.NEXT_PUBLIC_BACKEND_URL",
            "no-plaintext-secrets env.NEXTAUTH_SECRET",
        ]);
        assert.match(
            settings.find((v: any) => v.policy === "no-cross-environment-references").message,
            /^Settings client-settings \(env\.NEXT_PUBLIC_BACKEND_URL\) refers to backend-dev\.keybuzz\.io/,
        );
        for (const format of ["json", "md", "sarif", "junit"]) {
            assert.ok(
                !npmRun("report", [
                    "--in",
                    events,
                    "--event-log",
                    "--format",
                    format,
                ]).stdout.includes(leaked),
                `${format} report prints the leaked secret`,
            );
        }
    });
});
