import * as assert from "node:assert/strict";
import { evaluate } from "../../policies/evaluate";
/**
 * One compliant PROD environment as plain resources; policy tests change one field at a
 * time and assert the policy, level and message.
 */
import { FINGERPRINT_ANNOTATION } from "../../components/fingerprint";
import { EnvironmentIdentity } from "../../config/identity";
import { PackConfig, ResourceView } from "../../policies/model";

export const DIGEST = "sha256:" + "a".repeat(64);

export const DEV_IDENTITY: EnvironmentIdentity = {
    environment: "dev",
    source: "Pulumi.dev.yaml",
    hosts: ["api-dev.keybuzz.io", "backend-dev.keybuzz.io", "client-dev.keybuzz.io"],
    namespace: "keybuzz-dev",
    databaseName: "keybuzz_dev",
    databaseUser: "keybuzz_api_dev",
    databaseLocation: "10.0.0.10:5432/keybuzz_dev",
};

export function prodConfig(overrides: Partial<PackConfig> = {}): PackConfig {
    return {
        environment: "prod",
        otherEnvironments: [DEV_IDENTITY],
        otherFingerprints: { dev: { nextauthSecret: "hmac-sha256:" + "d".repeat(64) } },
        fingerprintEnvironments: ["dev", "prod"],
        requireDigest: true,
        promotedDigests: [DIGEST],
        requirePromoted: true,
        requirePdb: true,
        allowedRegistries: ["ghcr.io"],
        ...overrides,
    };
}

function view(type: string, name: string, props: Record<string, any>): ResourceView {
    return { type, name, urn: `urn:pulumi:prod::keybuzz-platform::${type}::${name}`, props };
}

export function compliantProd(): ResourceView[] {
    const labels = {
        "app.kubernetes.io/name": "keybuzz-client",
        "app.kubernetes.io/instance": "keybuzz-client-prod",
    };
    return [
        view("kubernetes:apps/v1:Deployment", "keybuzz-client", {
            metadata: { name: "keybuzz-client", namespace: "keybuzz-prod" },
            spec: {
                replicas: 2,
                selector: { matchLabels: { ...labels } },
                template: {
                    metadata: { labels: { ...labels } },
                    spec: {
                        securityContext: { runAsNonRoot: true },
                        containers: [
                            {
                                name: "client",
                                image: `ghcr.io/keybuzzio/keybuzz-client@${DIGEST}`,
                                env: [
                                    { name: "NEXTAUTH_URL", value: "https://client.keybuzz.io" },
                                    {
                                        name: "NEXT_PUBLIC_BACKEND_URL",
                                        value: "https://backend.keybuzz.io",
                                    },
                                    {
                                        name: "NEXTAUTH_SECRET",
                                        valueFrom: {
                                            secretKeyRef: {
                                                name: "keybuzz-client-auth",
                                                key: "NEXTAUTH_SECRET",
                                            },
                                        },
                                    },
                                    {
                                        name: "DATABASE_URL",
                                        valueFrom: {
                                            secretKeyRef: {
                                                name: "keybuzz-database",
                                                key: "DATABASE_URL",
                                            },
                                        },
                                    },
                                ],
                                readinessProbe: { httpGet: { path: "/login", port: "http" } },
                                livenessProbe: { httpGet: { path: "/login", port: "http" } },
                                resources: {
                                    requests: { cpu: "100m", memory: "128Mi" },
                                    limits: { cpu: "500m", memory: "512Mi" },
                                },
                            },
                        ],
                    },
                },
            },
        }),
        view("kubernetes:core/v1:Secret", "keybuzz-client-auth", {
            metadata: {
                name: "keybuzz-client-auth",
                namespace: "keybuzz-prod",
                annotations: {
                    [FINGERPRINT_ANNOTATION]: JSON.stringify({
                        NEXTAUTH_SECRET: "hmac-sha256:" + "e".repeat(64),
                    }),
                },
            },
            stringData: { NEXTAUTH_SECRET: "prod-only-generated-value" },
        }),
        view("kubernetes:core/v1:Secret", "keybuzz-database", {
            metadata: { name: "keybuzz-database", namespace: "keybuzz-prod" },
            stringData: {
                DATABASE_URL: "postgresql://keybuzz_api_prod:pw@10.0.0.10:5432/keybuzz_prod",
                PGUSER: "keybuzz_api_prod",
                PGDATABASE: "keybuzz_prod",
            },
        }),
        view("kubernetes:networking.k8s.io/v1:Ingress", "keybuzz-client", {
            metadata: { name: "keybuzz-client", namespace: "keybuzz-prod" },
            spec: {
                rules: [{ host: "client.keybuzz.io" }],
                tls: [{ hosts: ["client.keybuzz.io"] }],
            },
        }),
        view("kubernetes:policy/v1:PodDisruptionBudget", "keybuzz-client", {
            metadata: { name: "keybuzz-client", namespace: "keybuzz-prod" },
            spec: { minAvailable: 1, selector: { matchLabels: { ...labels } } },
        }),
    ];
}

/** The compliant set with `edit` applied to the named resource. */
export function withEdit(name: string, type: string, edit: (props: any) => void): ResourceView[] {
    const rs = compliantProd();
    const r = rs.find((x) => x.name === name && x.type === type)!;
    edit(r.props);
    return rs;
}

export const container = (p: any) => p.spec.template.spec.containers[0];
export const envVar = (p: any, name: string) => container(p).env.find((e: any) => e.name === name);

export const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
export const SECRET = "kubernetes:core/v1:Secret";

/** Evaluates the whole pack on `resources` as prod's stack. */
export function checkProd(resources: ResourceView[], config: PackConfig = prodConfig()) {
    return evaluate(resources, config, { kind: "stack", name: "prod", environment: "prod" });
}

/** The single violation `resources` give (asserted), for a rule's spec to look at. */
export function onlyViolation(resources: ResourceView[], config?: PackConfig) {
    const r = checkProd(resources, config);
    assert.equal(
        r.violations.length,
        1,
        JSON.stringify(
            r.violations.map((v) => v.message),
            null,
            1,
        ),
    );
    return r.violations[0];
}
