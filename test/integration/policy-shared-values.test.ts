import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { stringify } from "yaml";
import { npmRun } from "../support/run";

/**
 * policy:check --manifests with --compare: a credential PROD and DEV both hold is found by
 * value (keyed hash, in memory), named by both resources and keys, and never printed.
 */
describe("policy:check --manifests --compare: shared credentials found by value", function () {
    this.timeout(120_000);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "keybuzz-shared-values-"));
    after(() => fs.rmSync(tmp, { recursive: true, force: true }));
    // Values made up here for the test; they look like what real projects ship.
    const SIGNING_KEY = "qN4v8WmZ2rT6yB1xK9pL3sD7fH5jC0gA";
    const SMTP_PASSWORD = "mail-relay-Pa55word-2026";
    const DB_PASSWORD = "s3cr3t-db-pass-9931";

    const env = (
        name: string,
        host: string,
        signingKey: string,
        smtp: string,
        dbPassword: string,
    ) =>
        [
            {
                apiVersion: "v1",
                kind: "Secret",
                metadata: { name: "app-keys", namespace: `shop-${name}` },
                type: "Opaque",
                data: { JWT_SIGNING_KEY: Buffer.from(signingKey).toString("base64") },
            },
            {
                apiVersion: "v1",
                kind: "ConfigMap",
                metadata: { name: "mailer", namespace: `shop-${name}` },
                data: { SMTP_HOST: `smtp.${host}`, SMTP_PASS: smtp },
            },
            {
                apiVersion: "apps/v1",
                kind: "Deployment",
                metadata: { name: "orders", namespace: `shop-${name}` },
                spec: {
                    template: {
                        spec: {
                            containers: [
                                {
                                    name: "orders",
                                    image: "registry.example.io/orders@sha256:" + "a".repeat(64),
                                    args: [
                                        `--db=postgres://orders:${dbPassword}@db.${host}:5432/orders`,
                                    ],
                                },
                            ],
                        },
                    },
                },
            },
        ]
            .map((d) => "---\n" + stringify(d))
            .join("");
    const check = (prod: string, dev: string, format: string) =>
        npmRun("policy:check", [
            "--manifests",
            prod,
            "--env",
            "prod",
            "--compare",
            `dev=${dev}`,
            "--format",
            format,
        ]);
    const write = (file: string, text: string) => (
        fs.writeFileSync(path.join(tmp, file), text),
        path.join(tmp, file)
    );

    it("names both resources and keys for each shared value, exit 1, and prints no value in any format", () => {
        const dev = write(
            "dev.yaml",
            env("dev", "dev.shop.example", SIGNING_KEY, SMTP_PASSWORD, DB_PASSWORD),
        );
        const prod = write(
            "prod.yaml",
            env("prod", "shop.example", SIGNING_KEY, SMTP_PASSWORD, DB_PASSWORD),
        );
        const r = check(prod, dev, "json");
        assert.equal(r.code, 1, r.stderr);
        const shared = JSON.parse(r.stdout).violations.filter(
            (v: any) => v.policy === "no-shared-credentials",
        );
        assert.deepEqual(
            shared.map((v: any) => v.message.replace(/ \(compared by keyed hash.*$/, "")).sort(),
            [
                "ConfigMap mailer (data.SMTP_PASS) holds the same value as dev's ConfigMap mailer data.SMTP_PASS",
                "Deployment orders (spec.template.spec.containers[0].args[0] (URL password)) holds the same value as dev's Deployment orders spec.template.spec.containers[0].args[0] (URL password)",
                "Secret app-keys (data.JWT_SIGNING_KEY) holds the same value as dev's Secret app-keys data.JWT_SIGNING_KEY",
            ],
        );
        for (const format of ["text", "json", "md", "sarif", "junit"]) {
            const out = check(prod, dev, format);
            for (const secret of [
                SIGNING_KEY,
                SMTP_PASSWORD,
                DB_PASSWORD,
                Buffer.from(SIGNING_KEY).toString("base64"),
            ])
                assert.ok(
                    !(out.stdout + out.stderr).includes(secret),
                    `${format} shows a credential`,
                );
        }
    });

    it("reports nothing shared when each environment has its own values", () => {
        const dev = write(
            "dev2.yaml",
            env(
                "dev",
                "dev.shop.example",
                "dev-only-signing-key-0123456789",
                "dev-mail-password-42",
                "dev-db-password-77",
            ),
        );
        const prod = write(
            "prod2.yaml",
            env("prod", "shop.example", SIGNING_KEY, SMTP_PASSWORD, DB_PASSWORD),
        );
        const r = check(prod, dev, "json");
        const shared = JSON.parse(r.stdout).violations.filter(
            (v: any) => v.policy === "no-shared-credentials",
        );
        assert.deepEqual(shared, []);
    });
});
