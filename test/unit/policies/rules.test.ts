import * as assert from "node:assert/strict";
import { evaluate } from "../../../policies/evaluate";
import { PackConfig, ResourceView } from "../../../policies/model";
import { RULES } from "../../../policies/rules";
import { auditLeakedNextauthSecret } from "../../support/stacks";
import { compliantProd, container, DIGEST, envVar, prodConfig, withEdit } from "../../support/policy-fixtures";

const DEPLOY = "kubernetes:apps/v1:Deployment";
const SECRET = "kubernetes:core/v1:Secret";

function check(resources: ResourceView[], config: PackConfig = prodConfig()) {
    return evaluate(resources, config, { kind: "stack", name: "prod", environment: "prod" });
}

function only(resources: ResourceView[], config?: PackConfig) {
    const r = check(resources, config);
    assert.equal(r.violations.length, 1, JSON.stringify(r.violations.map((v) => v.message), null, 1));
    return r.violations[0];
}

describe("policy rules", () => {
    it("pass on the compliant prod environment, with nothing left unverified", () => {
        const r = check(compliantProd());
        assert.deepEqual(r.violations, []);
        assert.deepEqual(r.notVerified, []);
        assert.equal(r.summary.verdict, "pass");
    });

    it("every rule has a kebab-case name and a description starting 'Checks that'", () => {
        for (const rule of RULES) {
            assert.match(rule.name, /^[a-z]+(-[a-z]+)*$/);
            assert.match(rule.description, /^Checks that\b/);
        }
    });

    describe("no-cross-environment-references", () => {
        it("flags the prod client pointing at the dev backend, naming the env var and host", () => {
            const v = only(withEdit("keybuzz-client", DEPLOY, (p) => (envVar(p, "NEXT_PUBLIC_BACKEND_URL").value = "https://backend-dev.keybuzz.io")));
            assert.equal(v.policy, "no-cross-environment-references");
            assert.equal(v.level, "mandatory");
            assert.equal(v.property, "spec.template.spec.containers[0].env.NEXT_PUBLIC_BACKEND_URL");
            assert.equal(v.message, "Deployment keybuzz-client (env NEXT_PUBLIC_BACKEND_URL) refers to backend-dev.keybuzz.io, a dev value (declared by Pulumi.dev.yaml), in environment prod.");
        });
        it("flags an Ingress host of dev", () => {
            const v = only(withEdit("keybuzz-client", "kubernetes:networking.k8s.io/v1:Ingress", (p) => (p.spec.rules[0].host = "client-dev.keybuzz.io")));
            assert.equal(v.property, "spec.rules[0].host");
            assert.match(v.message, /refers to client-dev\.keybuzz\.io, a dev value/);
        });
        it("flags a dev-marked host no stack declares", () => {
            const v = only(withEdit("keybuzz-client", DEPLOY, (p) => container(p).env.push({ name: "WEBHOOK_URL", value: "https://hooks-dev.keybuzz.io/x" })));
            assert.match(v.message, /refers to hooks-dev\.keybuzz\.io, a dev value \(the word "dev" marks dev values\)/);
        });
        it("flags a ConfigMap naming dev's database", () => {
            const rs = compliantProd();
            rs.push({ type: "kubernetes:core/v1:ConfigMap", name: "settings", urn: "urn:x::settings", props: { metadata: { name: "settings" }, data: { DB_NAME_HINT: "keybuzz_dev" } } });
            const v = only(rs);
            assert.equal(v.policy, "no-cross-environment-references");
            assert.equal(v.property, "data.DB_NAME_HINT");
        });
    });

    describe("no-shared-credentials", () => {
        it("flags the dev DB user in a prod Secret", () => {
            const v = only(withEdit("keybuzz-database", SECRET, (p) => (p.stringData.PGUSER = "keybuzz_api_dev")));
            assert.equal(v.policy, "no-shared-credentials");
            assert.equal(v.level, "mandatory");
            assert.equal(v.message, "Secret keybuzz-database (stringData.PGUSER) uses DB user keybuzz_api_dev, which is dev's (Pulumi.dev.yaml); environment prod must have its own.");
        });
        it("flags a DATABASE_URL on dev's database", () => {
            const v = only(withEdit("keybuzz-database", SECRET, (p) => (p.stringData.DATABASE_URL = "postgresql://keybuzz_api_prod:pw@10.0.0.10:5432/keybuzz_dev")));
            assert.match(v.message, /uses database 10\.0\.0\.10:5432\/keybuzz_dev, which is dev's/);
            assert.ok(!v.message.includes(":pw@"));
        });
        it("flags a credential whose fingerprint equals one of dev's, without showing the value", () => {
            const v = only(
                withEdit("keybuzz-client-auth", SECRET, (p) => (p.metadata.annotations["keybuzz.io/fingerprints"] = JSON.stringify({ NEXTAUTH_SECRET: "hmac-sha256:" + "d".repeat(64) }))),
            );
            assert.equal(v.policy, "no-shared-credentials");
            assert.match(v.message, /holds credential NEXTAUTH_SECRET equal to dev's nextauthSecret/);
            assert.ok(!v.message.includes("prod-only-generated-value"));
        });
        it("reports dev's fingerprints as not verified when they are missing", () => {
            const r = check(compliantProd(), prodConfig({ otherFingerprints: {} }));
            assert.deepEqual(r.violations, []);
            assert.equal(r.notVerified.length, 1);
            assert.match(r.notVerified[0].reason, /credential fingerprints of dev were not available/);
        });
    });

    describe("no-plaintext-secrets", () => {
        it("flags NEXTAUTH_SECRET as a literal env var without printing it", () => {
            const v = only(withEdit("keybuzz-client", DEPLOY, (p) => (envVar(p, "NEXTAUTH_SECRET").valueFrom = undefined, (envVar(p, "NEXTAUTH_SECRET").value = "some-literal-value"))));
            assert.equal(v.policy, "no-plaintext-secrets");
            assert.equal(v.message, "Deployment keybuzz-client (env NEXTAUTH_SECRET) holds a credential in plaintext: its name says it is a credential. The value is not shown.");
            assert.ok(!JSON.stringify(v).includes("some-literal-value"));
        });
        it("flags the audit's leaked NEXTAUTH_SECRET as known-leaked", () => {
            const leaked = auditLeakedNextauthSecret();
            const r = check(withEdit("keybuzz-client", DEPLOY, (p) => (delete envVar(p, "NEXTAUTH_SECRET").valueFrom, (envVar(p, "NEXTAUTH_SECRET").value = leaked))));
            assert.equal(r.violations.length, 1);
            assert.match(r.violations[0].message, /its value is known-leaked \(PH28\.1 audit report/);
            assert.ok(!JSON.stringify(r).includes(leaked));
        });
        it("flags the leaked value even inside a Secret", () => {
            const v = only(withEdit("keybuzz-client-auth", SECRET, (p) => (p.stringData.NEXTAUTH_SECRET = auditLeakedNextauthSecret())));
            assert.match(v.message, /holds a known-leaked credential/);
        });
        it("flags a URL carrying credentials", () => {
            const v = only(withEdit("keybuzz-client", DEPLOY, (p) => container(p).env.push({ name: "CACHE_URL", value: "redis://user:s3cr3t@cache.keybuzz.io:6379" })));
            assert.match(v.message, /it is a URL carrying credentials/);
            assert.ok(!v.message.includes("s3cr3t"));
        });
        it("flags a random-looking literal", () => {
            const v = only(withEdit("keybuzz-client", DEPLOY, (p) => container(p).env.push({ name: "SIGNING", value: "Zq8vLw2XbT9mKp4RfY7sNc1HdJ6gAe3U" })));
            assert.match(v.message, /its value looks like a random key/);
        });
    });

    describe("images", () => {
        it("prod-images-by-digest flags a mutable tag", () => {
            const v = only(withEdit("keybuzz-client", DEPLOY, (p) => (container(p).image = "ghcr.io/keybuzzio/keybuzz-client:v0.5.3-signup-public")));
            assert.equal(v.policy, "prod-images-by-digest");
            assert.equal(v.level, "mandatory");
            assert.match(v.message, /runs ghcr\.io\/keybuzzio\/keybuzz-client:v0\.5\.3-signup-public by a mutable tag in environment prod/);
        });
        it("prod-images-by-digest is off where the environment does not require it", () => {
            assert.equal(check(withEdit("keybuzz-client", DEPLOY, (p) => (container(p).image = "ghcr.io/keybuzzio/keybuzz-client:v1")), prodConfig({ requireDigest: false })).violations.length, 0);
        });
        it("prod-images-promoted flags a digest the promotion did not record", () => {
            const other = "sha256:" + "b".repeat(64);
            const v = only(withEdit("keybuzz-client", DEPLOY, (p) => (container(p).image = `ghcr.io/keybuzzio/keybuzz-client@${other}`)));
            assert.equal(v.policy, "prod-images-promoted");
            assert.match(v.message, new RegExp(`runs ${other}, which no promotion recorded`));
        });
        it("prod-images-promoted says not verified without a ledger", () => {
            const r = check(compliantProd(), prodConfig({ promotedDigests: undefined }));
            assert.deepEqual(r.violations, []);
            assert.match(r.notVerified[0].reason, /promotion ledger was not available/);
            assert.ok(DIGEST);
        });
    });

    describe("database-isolated", () => {
        it("flags a Deployment reading dev's Secret", () => {
            const v = only(withEdit("keybuzz-client", DEPLOY, (p) => (envVar(p, "DATABASE_URL").valueFrom.secretKeyRef.name = "keybuzz-database-dev")));
            assert.equal(v.policy, "database-isolated");
            assert.match(v.message, /reads Secret keybuzz-database-dev, which belongs to dev/);
        });
        it("flags a Deployment reading a Secret the environment does not define", () => {
            const v = only(withEdit("keybuzz-client", DEPLOY, (p) => (envVar(p, "DATABASE_URL").valueFrom.secretKeyRef.name = "shared-database")));
            assert.match(v.message, /reads Secret shared-database, which environment prod does not define/);
        });
    });

    describe("advisory hygiene", () => {
        const cases: Array<[string, (p: any) => void, string]> = [
            ["workload-probes", (p) => delete container(p).livenessProbe, "has no livenessProbe"],
            ["workload-resource-limits", (p) => delete container(p).resources.limits, "lacks CPU/memory requests or limits"],
            ["workload-non-root", (p) => delete p.spec.template.spec.securityContext, "may run as root"],
            ["allowed-registries", (p) => (container(p).image = `docker.io/keybuzzio/keybuzz-client@${DIGEST}`), "not an allowed registry"],
            ["prod-pod-disruption-budget", (p) => (p.spec.template.metadata.labels["app.kubernetes.io/instance"] = "other"), "has no PodDisruptionBudget"],
        ];
        for (const [policy, edit, text] of cases) {
            it(`${policy} reports an advisory finding`, () => {
                const v = only(withEdit("keybuzz-client", DEPLOY, edit));
                assert.equal(v.policy, policy);
                assert.equal(v.level, "advisory");
                assert.ok(v.message.includes(text), v.message);
            });
        }
        it("advisory findings alone do not fail the check", () => {
            assert.equal(check(withEdit("keybuzz-client", DEPLOY, (p) => delete container(p).livenessProbe)).summary.verdict, "pass");
        });
    });
});
