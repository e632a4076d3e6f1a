import * as assert from "node:assert/strict";
import { auditLeakedNextauthSecret } from "../../../support/stacks";
import {
    checkProd,
    container,
    DEPLOYMENT,
    envVar,
    onlyViolation,
    SECRET,
    withEdit,
} from "../../../support/policy-fixtures";

describe("no-plaintext-secrets", () => {
    it("flags NEXTAUTH_SECRET as a literal env var without printing it", () => {
        const v = onlyViolation(
            withEdit(
                "keybuzz-client",
                DEPLOYMENT,
                (p) => (
                    (envVar(p, "NEXTAUTH_SECRET").valueFrom = undefined),
                    (envVar(p, "NEXTAUTH_SECRET").value = "some-literal-value")
                ),
            ),
        );
        assert.equal(v.policy, "no-plaintext-secrets");
        assert.equal(
            v.message,
            "Deployment keybuzz-client (env NEXTAUTH_SECRET) holds a credential in plaintext: its name says it is a credential. The value is not shown.",
        );
        assert.ok(!JSON.stringify(v).includes("some-literal-value"));
    });
    it("flags the audit's leaked NEXTAUTH_SECRET as known-leaked", () => {
        const leaked = auditLeakedNextauthSecret();
        const r = checkProd(
            withEdit(
                "keybuzz-client",
                DEPLOYMENT,
                (p) => (
                    delete envVar(p, "NEXTAUTH_SECRET").valueFrom,
                    (envVar(p, "NEXTAUTH_SECRET").value = leaked)
                ),
            ),
        );
        assert.equal(r.violations.length, 1);
        assert.match(r.violations[0].message, /its value is known-leaked \(PH28\.1 audit report/);
        assert.ok(!JSON.stringify(r).includes(leaked));
    });
    it("flags the leaked value even inside a Secret", () => {
        const v = onlyViolation(
            withEdit(
                "keybuzz-client-auth",
                SECRET,
                (p) => (p.stringData.NEXTAUTH_SECRET = auditLeakedNextauthSecret()),
            ),
        );
        assert.match(v.message, /holds a known-leaked credential/);
    });
    it("flags a URL carrying credentials", () => {
        const v = onlyViolation(
            withEdit("keybuzz-client", DEPLOYMENT, (p) =>
                container(p).env.push({
                    name: "CACHE_URL",
                    value: "redis://user:s3cr3t@cache.keybuzz.io:6379",
                }),
            ),
        );
        assert.match(v.message, /it is a URL carrying credentials/);
        assert.ok(!v.message.includes("s3cr3t"));
    });
    it("flags a random-looking literal", () => {
        const v = onlyViolation(
            withEdit("keybuzz-client", DEPLOYMENT, (p) =>
                container(p).env.push({
                    name: "SIGNING",
                    value: "Zq8vLw2XbT9mKp4RfY7sNc1HdJ6gAe3U",
                }),
            ),
        );
        assert.match(v.message, /its value looks like a random key/);
    });
});

describe("no-plaintext-secrets on file-style ConfigMap entries", () => {
    const configMap = (data: Record<string, string>) => [
        {
            type: "kubernetes:core/v1:ConfigMap",
            name: "app-config",
            urn: "urn:k8s:prod::app::kubernetes:core/v1:ConfigMap::app-config",
            props: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "app-config" }, data },
            origin: "manifests" as const,
        },
    ];
    const rows = (data: Record<string, string>) =>
        checkProd(configMap(data)).violations.filter((v) => v.policy === "no-plaintext-secrets");

    it("flags a password inside application.properties, naming file, line and setting, not the value", () => {
        const [v, ...rest] = rows({
            "application.properties": "server.port=8080\nspring.datasource.password=Pr0d-Db-Pass\n",
        });
        assert.equal(rest.length, 0);
        assert.equal(v.property, "data.application.properties[spring.datasource.password]");
        assert.equal(
            v.message,
            "ConfigMap app-config (ConfigMap entry application.properties, line 2: setting spring.datasource.password) holds a credential in plaintext: its setting name says it is a credential. The value is not shown.",
        );
        assert.match(v.fix, /Secret volume|secretKeyRef/);
        assert.ok(!JSON.stringify(v).includes("Pr0d-Db-Pass"));
    });

    it("flags requirepass in redis.conf and a nested password in config.json", () => {
        assert.deepEqual(
            rows({
                "redis.conf": "maxmemory 256mb\nrequirepass Zx81kdP0q\n",
                "config.json": JSON.stringify({ smtp: { password: "smtp-Prod-2026!" } }),
            }).map((v) => v.property),
            ["data.redis.conf[requirepass]", "data.config.json[smtp.password]"],
        );
    });

    it("leaves references, paths and settings about credentials alone", () => {
        assert.deepEqual(
            rows({
                "application.properties":
                    "spring.datasource.password=${PGPASSWORD}\npassword.min.length=12\ncache.key.prefix=orders\n",
                "config.json": JSON.stringify({
                    auth: { secretName: "db", passwordFile: "/run/secrets/pw" },
                }),
                "settings.yaml":
                    "session:\n  secret: ${SESSION_SECRET}\n  tokenExpirySeconds: 3600\n",
            }),
            [],
        );
    });
});
