import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { replaceProjectFile } from "../../lib/safe-write";
import { npmRun } from "../support/run";
import { auditLeakedNextauthSecret, ROOT } from "../support/stacks";

/** Defects found by trying the commands as an attacker would (issue: hardening), each kept fixed. */
describe("hardening: no write outside the project, one-line exit 2, the operator's passphrase", function () {
    this.timeout(120_000);

    it("--stack is a stack name, never a path: promote and check:config refuse ../ with exit 2 and one line", () => {
        for (const [script, args] of [
            ["promote", ["apply", "--stack", "../../x"]],
            ["promote", ["ledger", "--stack", "../../etc/passwd"]],
            ["check:config", ["--stack", "../prod"]],
            ["policy:check", ["--stack", "a/b"]],
        ] as const) {
            const r = npmRun(script, [...args]);
            assert.equal(r.code, 2, `${script} ${args.join(" ")}: ${r.stderr}`);
            assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
            assert.match(r.stderr, /is not a stack name/);
            assert.doesNotMatch(r.stderr, /\n\s+at /);
        }
    });

    it("a replaced file must be a regular file inside the project: a committed symlink redirects nothing", () => {
        const root = fs.mkdtempSync(path.join(os.tmpdir(), "keybuzz-safe-write-"));
        const outside = fs.mkdtempSync(path.join(os.tmpdir(), "keybuzz-outside-"));
        try {
            fs.writeFileSync(path.join(outside, "victim"), "untouched\n");
            fs.mkdirSync(path.join(root, "ledger"));
            fs.symlinkSync(path.join(outside, "victim"), path.join(root, "ledger", "prod.json"));
            assert.throws(
                () => replaceProjectFile(root, path.join(root, "ledger", "prod.json"), "x"),
                /is a symbolic link/,
            );
            // A link planted where the old fixed temporary name was is not followed either.
            fs.symlinkSync(path.join(outside, "victim"), path.join(root, "Pulumi.prod.yaml.tmp"));
            replaceProjectFile(root, path.join(root, "Pulumi.prod.yaml"), "config: {}\n");
            assert.equal(fs.readFileSync(path.join(outside, "victim"), "utf8"), "untouched\n");
            assert.equal(fs.lstatSync(path.join(root, "Pulumi.prod.yaml")).isFile(), true);
            fs.symlinkSync(outside, path.join(root, "linked-dir"));
            assert.throws(
                () => replaceProjectFile(root, path.join(root, "linked-dir", "f"), "x"),
                /outside the project/,
            );
            assert.throws(
                () => replaceProjectFile(root, path.join(root, "..", "f"), "x"),
                /outside the project/,
            );
            assert.deepEqual(fs.readdirSync(outside), ["victim"]);
        } finally {
            fs.rmSync(root, { recursive: true, force: true });
            fs.rmSync(outside, { recursive: true, force: true });
        }
    });

    it("an explicitly empty PULUMI_CONFIG_PASSPHRASE is passed on, not replaced by the demonstration passphrase", () => {
        const { spawnSync } = require("node:child_process") as typeof import("node:child_process");
        const probe = (env: NodeJS.ProcessEnv) =>
            spawnSync(
                "bash",
                [
                    "-c",
                    `. scripts/env.sh && printf '%s|%s' "\${PULUMI_CONFIG_PASSPHRASE-unset}" "\${PULUMI_CONFIG_PASSPHRASE+set}"`,
                ],
                {
                    cwd: ROOT,
                    encoding: "utf8",
                    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
                },
            ).stdout;
        assert.equal(probe({}), "keybuzz-demo-passphrase|set");
        assert.equal(probe({ PULUMI_CONFIG_PASSPHRASE: "" }), "|set");
        assert.equal(probe({ PULUMI_CONFIG_PASSPHRASE_FILE: "/nonexistent" }), "unset|");
    });

    describe("check:config decrypts as policy:check does", () => {
        const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "keybuzz-check-decrypt-"));
        after(() => fs.rmSync(tmp, { recursive: true, force: true }));
        /** Encrypts like Pulumi's passphrase provider (the module under test only decrypts). */
        function encrypt(salt: string, passphrase: string, plaintext: string): string {
            const crypto = require("node:crypto") as typeof import("node:crypto");
            const key = crypto.pbkdf2Sync(
                passphrase,
                Buffer.from(/^v1:([^:]+):/.exec(salt)![1], "base64"),
                1_000_000,
                32,
                "sha256",
            );
            const nonce = crypto.randomBytes(12);
            const c = crypto.createCipheriv("aes-256-gcm", key, nonce);
            const data = Buffer.concat([c.update(plaintext, "utf8"), c.final(), c.getAuthTag()]);
            return `v1:${nonce.toString("base64")}:${data.toString("base64")}`;
        }
        const prod = () => fs.readFileSync(path.join(ROOT, "Pulumi.prod.yaml"), "utf8");
        const salt = () => /^encryptionsalt: (\S+)$/m.exec(prod())![1];

        it("a secure value that is not ciphertext, or was tampered with, is exit 2 naming the key (not 'incorrect passphrase')", () => {
            for (const [name, edit] of [
                [
                    "not-ciphertext",
                    (t: string) =>
                        t.replace(
                            /(keybuzz-platform:smtpPassword:\n\s+secure: )\S+/,
                            "$1plain-text-not-ciphertext",
                        ),
                ],
                [
                    "tampered",
                    (t: string) =>
                        t.replace(
                            /(keybuzz-platform:smtpPassword:\n\s+secure: v1:[^:]+:)(\S)/,
                            (_m, a, c) => a + (c === "A" ? "B" : "A"),
                        ),
                ],
            ] as const) {
                const file = path.join(tmp, name, "Pulumi.prod.yaml");
                fs.mkdirSync(path.dirname(file), { recursive: true });
                fs.writeFileSync(file, edit(prod()));
                const r = npmRun("check:config", ["--file", file]);
                assert.equal(r.code, 2, `${name}: ${r.stdout}${r.stderr}`);
                assert.match(
                    r.stderr,
                    /keybuzz-platform:smtpPassword: not valid ciphertext for this stack/,
                );
                assert.doesNotMatch(r.stderr, /incorrect passphrase/);
                assert.equal(r.stderr.trim().split("\n").length, 1);
                // The fast path checks presence only, and says nothing it has not checked.
                assert.equal(npmRun("check:config", ["--file", file, "--no-decrypt"]).code, 0);
            }
        });

        it("the known-leaked NEXTAUTH_SECRET stored encrypted is found (exit 1), without printing it", () => {
            const leaked = auditLeakedNextauthSecret();
            const file = path.join(tmp, "leaked", "Pulumi.prod.yaml");
            fs.mkdirSync(path.dirname(file), { recursive: true });
            const text = prod().replace(
                /^encryptionsalt:/m,
                `  keybuzz-platform:nextauthSecret:\n    secure: ${encrypt(salt(), "keybuzz-demo-passphrase", leaked)}\nencryptionsalt:`,
            );
            fs.writeFileSync(file, text);
            const r = npmRun("check:config", ["--file", file]);
            assert.equal(r.code, 1, r.stdout + r.stderr);
            assert.match(r.stdout, /keybuzz-platform:nextauthSecret: is a known-leaked value/);
            assert.ok(!(r.stdout + r.stderr).includes(leaked));
        });
    });

    it("bounded inputs and writable outputs: /dev/zero, a folder, a missing --out folder, a timer beyond 2^31 ms are each one line and exit 2", () => {
        const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "keybuzz-io-"));
        try {
            const report = path.join(tmp, "report.json");
            assert.equal(
                npmRun("policy:check", ["--stack", "prod", "--format", "json", "--out", report])
                    .code,
                0,
            );
            const target = path.join(tmp, "targets.json");
            fs.writeFileSync(
                target,
                JSON.stringify({
                    environment: "prod",
                    services: { api: { baseUrl: "http://127.0.0.1:9" } },
                }),
            );
            const cases: Array<[string, string[], RegExp]> = [
                [
                    "report",
                    ["--in", "/dev/zero"],
                    /cannot read --in \/dev\/zero: it is a device, not a regular file/,
                ],
                ["report", ["--in", tmp], /it is a folder/],
                [
                    "report",
                    ["--in", report, "--out", path.join(tmp, "missing", "r.md")],
                    /cannot write --out .*missing\/r\.md: its folder does not exist/,
                ],
                ["report", ["--in", report, "--out", tmp], /cannot write --out .*: it is a folder/],
                [
                    "audit",
                    ["--target", target, "--timeout-ms", "9999999999"],
                    /--timeout-ms 9999999999 must be a whole number from 1 to 2147483647/,
                ],
            ];
            for (const [script, args, message] of cases) {
                const started = Date.now();
                const r = npmRun(script, args);
                assert.equal(r.code, 2, `${script} ${args.join(" ")}: ${r.stderr}`);
                assert.match(r.stderr, message);
                assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
                assert.ok(
                    Date.now() - started < 30_000,
                    `${script} ${args.join(" ")} took too long`,
                );
            }
        } finally {
            fs.rmSync(tmp, { recursive: true, force: true });
        }
    });
});
