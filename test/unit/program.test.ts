import * as assert from "node:assert/strict";
import { loadStackConfig } from "../../config/load";
import { RegisteredResource, runUnderMocks, valueOf } from "../../lib/mock-run";
import { deployPlatform, PlatformOutputs } from "../../program";
import { identityOfStack, stackRaw, testSecret } from "../support/stacks";

interface Run {
    resources: RegisteredResource[];
    outputs: PlatformOutputs;
}

async function run(stack: "dev" | "prod"): Promise<Run> {
    const other = stack === "dev" ? "prod" : "dev";
    const { resources, result } = await runUnderMocks(stack, () =>
        deployPlatform(loadStackConfig(stack, [identityOfStack(other)], stackRaw(stack))),
    );
    return { resources, outputs: result };
}

const ofType = (r: Run, type: string) => r.resources.filter((x) => x.type === type);
const deployments = (r: Run) => ofType(r, "kubernetes:apps/v1:Deployment");
const containerEnv = (r: Run, app: string): any[] =>
    deployments(r).find((d) => d.inputs.metadata.name === `keybuzz-${app}`)!.inputs.spec.template
        .spec.containers[0].env;

describe("the program for the dev and prod stacks", () => {
    let dev: Run;
    let prod: Run;
    before(async () => {
        dev = await run("dev");
        prod = await run("prod");
    });

    it("puts each environment in its own namespace", () => {
        const ns = (r: Run) =>
            ofType(r, "kubernetes:core/v1:Namespace").map((n) => n.inputs.metadata.name);
        assert.deepEqual(ns(dev), ["keybuzz-dev"]);
        assert.deepEqual(ns(prod), ["keybuzz-prod"]);
        for (const r of prod.resources.filter((x) => x.inputs?.metadata?.namespace))
            assert.equal(r.inputs.metadata.namespace, "keybuzz-prod", r.name);
    });

    it("gives dev and prod different database names, DB users and database passwords", async () => {
        const db = (r: Run) =>
            ofType(r, "pulumi-nodejs:dynamic/keybuzz:RoleDatabase").map((x) => [
                x.inputs.database,
                x.inputs.role,
            ]);
        assert.deepEqual(db(dev), [["keybuzz_dev", "keybuzz_api_dev"]]);
        assert.deepEqual(db(prod), [["keybuzz_prod", "keybuzz_api_prod"]]);
        const devFp = await valueOf(dev.outputs.credentialFingerprints.databasePassword);
        const prodFp = await valueOf(prod.outputs.credentialFingerprints.databasePassword);
        assert.match(prodFp, /^hmac-sha256:[0-9a-f]{64}$/);
        assert.notEqual(devFp, prodFp);
    });

    it("gives every credential a different fingerprint in dev and in prod", async () => {
        const d = dev.outputs.credentialFingerprints;
        const p = prod.outputs.credentialFingerprints;
        assert.deepEqual(Object.keys(p).sort(), [
            "azureAdClientSecret",
            "databasePassword",
            "googleClientSecret",
            "nextauthSecret",
            "smtpPassword",
        ]);
        for (const k of Object.keys(p))
            assert.notEqual(await valueOf(d[k]), await valueOf(p[k]), k);
    });

    it("never puts a dev host, namespace or DB name into any prod resource", () => {
        const text = JSON.stringify(prod.resources.map((r) => r.inputs));
        for (const devValue of [
            "backend-dev.keybuzz.io",
            "api-dev.keybuzz.io",
            "client-dev.keybuzz.io",
            "dev.keybuzz.pro",
            "keybuzz-dev",
            "keybuzz_dev",
            "keybuzz_api_dev",
        ]) {
            assert.ok(!text.includes(devValue), `prod resources mention ${devValue}`);
        }
    });

    it("points the prod client at the prod backend, derived from prod's API hosts", () => {
        const env = containerEnv(prod, "client");
        assert.deepEqual(
            env.find((e) => e.name === "NEXT_PUBLIC_BACKEND_URL"),
            { name: "NEXT_PUBLIC_BACKEND_URL", value: "https://backend.keybuzz.io" },
        );
        assert.deepEqual(
            env.find((e) => e.name === "NEXTAUTH_URL"),
            { name: "NEXTAUTH_URL", value: "https://client.keybuzz.io" },
        );
        assert.equal(
            containerEnv(dev, "client").find((e) => e.name === "NEXT_PUBLIC_BACKEND_URL").value,
            "https://backend-dev.keybuzz.io",
        );
    });

    it("passes every secret-like env var as a Secret reference, never a literal", () => {
        for (const r of [dev, prod]) {
            for (const d of deployments(r)) {
                for (const e of d.inputs.spec.template.spec.containers[0].env) {
                    if (/SECRET|PASSWORD|TOKEN|_KEY$|DATABASE_URL/.test(e.name)) {
                        assert.equal(e.value, undefined, `${d.name} ${e.name} has a literal value`);
                        assert.ok(
                            e.valueFrom?.secretKeyRef?.name,
                            `${d.name} ${e.name} is not a secretKeyRef`,
                        );
                    }
                }
            }
        }
    });

    it("keeps secret config values out of every non-Secret resource", () => {
        const nonSecret = JSON.stringify(
            prod.resources
                .filter(
                    (r) =>
                        r.type !== "kubernetes:core/v1:Secret" &&
                        !r.type.startsWith("pulumi-nodejs:dynamic"),
                )
                .map((r) => r.inputs),
        );
        for (const key of [
            "googleClientSecret",
            "azureAdClientSecret",
            "smtpPassword",
            "registryPassword",
            "databaseAdminPassword",
        ]) {
            assert.ok(
                !nonSecret.includes(testSecret("prod", key)),
                `${key} leaked into a non-Secret resource`,
            );
        }
    });

    it("runs prod with at least 2 replicas and a PodDisruptionBudget per service", () => {
        for (const d of deployments(prod))
            assert.ok(
                d.inputs.spec.replicas >= 2,
                `${d.name} has ${d.inputs.spec.replicas} replicas`,
            );
        const pdbs = ofType(prod, "kubernetes:policy/v1:PodDisruptionBudget")
            .map((p) => p.inputs.metadata.name)
            .sort();
        assert.deepEqual(pdbs, ["keybuzz-api", "keybuzz-client", "keybuzz-website"]);
        assert.equal(ofType(dev, "kubernetes:policy/v1:PodDisruptionBudget").length, 0);
    });

    it("runs every app as non-root with probes, limits and a pull secret", () => {
        for (const d of deployments(prod)) {
            const pod = d.inputs.spec.template.spec;
            const c = pod.containers[0];
            assert.equal(pod.securityContext.runAsNonRoot, true);
            assert.ok(c.readinessProbe.httpGet.path && c.livenessProbe.httpGet.path);
            assert.ok(c.resources.limits.cpu && c.resources.limits.memory);
            assert.deepEqual(pod.imagePullSecrets, [{ name: "keybuzz-registry" }]);
            assert.equal(pod.automountServiceAccountToken, false);
        }
    });

    it("serves the API on api.keybuzz.io and backend.keybuzz.io with TLS", () => {
        const ing = ofType(prod, "kubernetes:networking.k8s.io/v1:Ingress").find(
            (i) => i.inputs.metadata.name === "keybuzz-api",
        )!;
        assert.deepEqual(ing.inputs.spec.tls[0].hosts, ["api.keybuzz.io", "backend.keybuzz.io"]);
        assert.deepEqual(
            ing.inputs.spec.rules.map((r: any) => r.host),
            ["api.keybuzz.io", "backend.keybuzz.io"],
        );
    });

    it("denies all traffic by default and allows ingress → apps and API → database by name", () => {
        const names = ofType(prod, "kubernetes:networking.k8s.io/v1:NetworkPolicy").map(
            (n) => n.inputs.metadata.name,
        );
        for (const n of [
            "default-deny",
            "allow-ingress-to-api",
            "allow-ingress-to-client",
            "allow-ingress-to-website",
            "allow-api-to-database",
        ])
            assert.ok(names.includes(n), n);
        const sas = ofType(prod, "kubernetes:core/v1:ServiceAccount");
        assert.equal(sas.length, 3);
        for (const sa of sas) assert.equal(sa.inputs.automountServiceAccountToken, false);
    });

    it("passes the deployed image reference to each container", () => {
        for (const d of deployments(prod)) {
            const c = d.inputs.spec.template.spec.containers[0];
            assert.equal(c.env.find((e: any) => e.name === "KEYBUZZ_IMAGE").value, c.image);
        }
    });

    it("exports the DB Secret's name and public URLs, never a connection string", async () => {
        assert.equal(await valueOf(prod.outputs.databaseSecretName), "keybuzz-database");
        assert.deepEqual(prod.outputs.urls, {
            api: "https://api.keybuzz.io",
            client: "https://client.keybuzz.io",
            website: "https://keybuzz.pro",
        });
        const exported = JSON.stringify(prod.outputs);
        assert.ok(!/postgresql:\/\//.test(exported));
    });
});
