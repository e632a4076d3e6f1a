/**
 * A precision corpus of the project's own: dev/prod manifest sets in the shapes real projects
 * ship (a rendered kustomize overlay, a multi-service demo, legacy workload kinds, file-style
 * ConfigMaps, in-cluster service addresses, ordinary words such as `tier: test` or
 * `VERSION=dev`), clean, and the same sets with one realistic mistake injected at a time.
 * All names and values are invented here.
 */
import { stringify } from "yaml";

export interface CorpusSet {
    readonly name: string;
    readonly dev: object[];
    readonly prod: object[];
}

export type MistakeKind =
    | "prod points at dev"
    | "dev DB user reused"
    | "literal credential"
    | "image by mutable tag"
    | "credential shared with dev"
    | "credential in a config file";

/** The rule that must raise each kind of mistake: a row from another rule is a catch for the wrong reason. */
export const EXPECTED_POLICIES: Record<MistakeKind, readonly string[]> = {
    "prod points at dev": ["no-cross-environment-references"],
    "dev DB user reused": ["no-shared-credentials", "no-cross-environment-references"],
    "literal credential": ["no-plaintext-secrets"],
    "image by mutable tag": ["prod-images-by-digest"],
    "credential shared with dev": ["no-shared-credentials"],
    "credential in a config file": ["no-plaintext-secrets"],
};

export interface Mistake {
    readonly kind: MistakeKind;
    readonly description: string;
    /** Edits the prod objects of a set (a deep copy). */
    apply(prod: any[], set: CorpusSet): void;
}

const digest = (c: string) => "sha256:" + c.repeat(64);

function deployment(
    kind: string,
    apiVersion: string,
    name: string,
    ns: string,
    image: string,
    env: Array<{ name: string; value?: string; valueFrom?: object }>,
    extra: object = {},
) {
    return {
        apiVersion,
        kind,
        metadata: {
            name,
            namespace: ns,
            labels: { app: name, tier: "backend", "app.kubernetes.io/version": "dev" },
        },
        spec: {
            replicas: 2,
            selector: { matchLabels: { app: name } },
            template: {
                metadata: { labels: { app: name, tier: "test" } },
                spec: {
                    volumes: [{ name: "dev", emptyDir: {} }],
                    containers: [
                        {
                            name,
                            image,
                            env,
                            volumeMounts: [{ name: "dev", mountPath: "/dev/shm" }],
                            ...extra,
                        },
                    ],
                },
            },
        },
    };
}

function environment(env: "dev" | "prod", shape: string): object[] {
    const ns = env === "prod" ? `${shape}` : `${shape}-dev`;
    const domain = env === "prod" ? "shop.example.com" : "dev.shop.example.com";
    const dbHost = `postgres.${ns}.svc.cluster.local`;
    const dbUser = `orders_${env}`;
    const d = env === "prod" ? "a" : "b";
    const secretValue = (k: string) =>
        Buffer.from(`${env}-${shape}-${k}-8f3kQz91LmXv2`).toString("base64");
    const common = [
        {
            apiVersion: "v1",
            kind: "Secret",
            metadata: { name: "orders-db", namespace: ns },
            type: "Opaque",
            data: {
                PGHOST: Buffer.from(dbHost).toString("base64"),
                PGUSER: Buffer.from(dbUser).toString("base64"),
                PGPASSWORD: secretValue("pg"),
                JWT_SIGNING_KEY: secretValue("jwt"),
            },
        },
        {
            apiVersion: "v1",
            kind: "ConfigMap",
            metadata: { name: "orders-config", namespace: ns },
            data: {
                VERSION: "dev",
                LOG_LEVEL: "info",
                TOKEN_EXPIRY_SECONDS: "3600",
                CACHE_URL: `redis://cache.${ns}.svc.cluster.local:6379`,
                DOCS_URL: "https://docs.shop.dev/api",
                "application.properties": `server.port=8080\nspring.datasource.url=jdbc:postgresql://${dbHost}:5432/orders\nspring.datasource.username=${dbUser}\nspring.datasource.password=\${PGPASSWORD}\npassword.min.length=12\ncache.key.prefix=orders\n`,
                "redis.conf": `maxmemory 256mb\nmaxmemory-policy allkeys-lru\nappendonly no\n`,
                "config.json": JSON.stringify({
                    auth: {
                        tokenUrl: `https://auth.${domain}/token`,
                        passwordMinLength: 12,
                        secretName: "orders-db",
                        passwordFile: "/run/secrets/orders/PGPASSWORD",
                    },
                    cache: { key: "orders", ttl: 60 },
                }),
                "settings.yaml": `log:\n  level: info\nsession:\n  secret: \${SESSION_SECRET}\n  tokenExpirySeconds: 3600\n`,
            },
        },
        {
            // A kind the pack cannot interpret: read as text, and said so in the report.
            apiVersion: "monitoring.coreos.com/v1",
            kind: "ServiceMonitor",
            metadata: { name: "orders", namespace: ns },
            spec: {
                selector: { matchLabels: { app: "orders" } },
                endpoints: [{ port: "metrics" }],
            },
        },
        {
            apiVersion: "networking.k8s.io/v1",
            kind: "Ingress",
            metadata: { name: "shop", namespace: ns },
            spec: {
                rules: [
                    {
                        host: `www.${domain}`,
                        http: {
                            paths: [
                                {
                                    path: "/",
                                    pathType: "Prefix",
                                    backend: { service: { name: "web", port: { number: 80 } } },
                                },
                            ],
                        },
                    },
                ],
            },
        },
    ];
    const env_ = [
        { name: "PUBLIC_URL", value: `https://www.${domain}` },
        { name: "API_URL", value: `http://api.${ns}.svc.cluster.local:8080` },
        { name: "PGHOST", value: dbHost },
        { name: "PGUSER", valueFrom: { secretKeyRef: { name: "orders-db", key: "PGUSER" } } },
        {
            name: "PGPASSWORD",
            valueFrom: { secretKeyRef: { name: "orders-db", key: "PGPASSWORD" } },
        },
        { name: "GCP_PROJECT", value: "shop-ci" },
    ];
    const image = (svc: string) => `registry.example.com/shop/${svc}@${digest(d)}`;
    const workloads: Record<string, object[]> = {
        "kustomize-overlay": [
            deployment("Deployment", "apps/v1", "orders", ns, image("orders"), env_),
            deployment("StatefulSet", "apps/v1", "postgres", ns, image("postgres"), [
                {
                    name: "POSTGRES_USER",
                    valueFrom: { secretKeyRef: { name: "orders-db", key: "PGUSER" } },
                },
            ]),
        ],
        "multi-service-demo": [
            deployment("Deployment", "apps/v1", "orders", ns, image("orders"), env_),
            deployment("Deployment", "apps/v1", "payments", ns, image("payments"), [
                { name: "ORDERS_URL", value: `http://orders.${ns}.svc:8080` },
            ]),
            {
                apiVersion: "batch/v1",
                kind: "CronJob",
                metadata: { name: "cleanup", namespace: ns },
                spec: {
                    schedule: "0 3 * * *",
                    jobTemplate: {
                        spec: {
                            template: {
                                spec: {
                                    restartPolicy: "Never",
                                    containers: [
                                        {
                                            name: "cleanup",
                                            image: image("cleanup"),
                                            args: ["--older-than=30d"],
                                        },
                                    ],
                                },
                            },
                        },
                    },
                },
            },
        ],
        "legacy-kinds": [
            deployment("ReplicaSet", "apps/v1", "orders", ns, image("orders"), env_),
            deployment("Deployment", "extensions/v1beta1", "payments", ns, image("payments"), env_),
            {
                apiVersion: "v1",
                kind: "ReplicationController",
                metadata: { name: "web", namespace: ns },
                spec: {
                    replicas: 2,
                    template: {
                        metadata: { labels: { app: "web" } },
                        spec: { containers: [{ name: "web", image: image("web") }] },
                    },
                },
            },
        ],
    };
    return [...common, ...workloads[shape]];
}

export const SHAPES = ["kustomize-overlay", "multi-service-demo", "legacy-kinds"] as const;

export function corpus(): CorpusSet[] {
    return SHAPES.map((shape) => ({
        name: shape,
        dev: environment("dev", shape),
        prod: environment("prod", shape),
    }));
}

const workloadsOf = (objs: any[]) =>
    objs.filter((o) => o?.spec?.template?.spec?.containers || o?.spec?.jobTemplate);
const firstContainer = (o: any) =>
    (o.spec.template ?? o.spec.jobTemplate.spec.template).spec.containers[0];
const envOf = (o: any) => (firstContainer(o).env ??= []);
const configMapOf = (objs: any[]) => objs.find((o) => o.kind === "ConfigMap");

export const MISTAKES: readonly Mistake[] = [
    {
        kind: "prod points at dev",
        description: "an env URL at the dev domain",
        apply: (p) =>
            envOf(workloadsOf(p)[0]).push({
                name: "CALLBACK_URL",
                value: "https://www.dev.shop.example.com/callback",
            }),
    },
    {
        kind: "prod points at dev",
        description: "a dev service reached in-cluster (no marker word needed)",
        apply: (p, s) =>
            envOf(workloadsOf(p)[0]).push({
                name: "REPORTS_URL",
                value: `http://reports.${s.name}-dev.svc.cluster.local:8080`,
            }),
    },
    {
        kind: "prod points at dev",
        description: "a staging host (vocabulary from policy config)",
        apply: (p) =>
            envOf(workloadsOf(p)[0]).push({
                name: "PAYMENTS_URL",
                value: "https://payments-staging.shop.example.com",
            }),
    },
    {
        kind: "prod points at dev",
        description: "the Ingress host of dev",
        apply: (p) =>
            (p.find((o) => o.kind === "Ingress").spec.rules[0].host = "www.dev.shop.example.com"),
    },
    {
        kind: "dev DB user reused",
        description: "PGUSER literal",
        apply: (p) => envOf(workloadsOf(p)[0]).push({ name: "DB_USER", value: "orders_dev" }),
    },
    {
        kind: "dev DB user reused",
        description: "in a Secret",
        apply: (p) =>
            (p.find((o) => o.kind === "Secret").data.PGUSER =
                Buffer.from("orders_dev").toString("base64")),
    },
    {
        kind: "dev DB user reused",
        description: "in a postgres URL",
        apply: (p) =>
            envOf(workloadsOf(p)[0]).push({
                name: "DATABASE_URL_RO",
                value: "postgres://orders_dev@replica.shop.example.com:5432/orders",
            }),
    },
    {
        kind: "literal credential",
        description: "MYSQL_PWD literal",
        apply: (p) =>
            envOf(workloadsOf(p)[0]).push({ name: "MYSQL_PWD", value: "hunter2-prod-2026" }),
    },
    {
        kind: "literal credential",
        description: "SMTP_PASS literal",
        apply: (p) =>
            envOf(workloadsOf(p)[0]).push({ name: "SMTP_PASS", value: "mail-Relay-2026!" }),
    },
    {
        kind: "literal credential",
        description: "a URL with credentials in args",
        apply: (p) =>
            (firstContainer(workloadsOf(p)[0]).args = [
                "--cache=redis://default:Zx81kdP0q@cache.shop.example.com:6379",
            ]),
    },
    {
        kind: "literal credential",
        description: "a random-looking literal",
        apply: (p) =>
            envOf(workloadsOf(p)[0]).push({
                name: "WEBHOOK_SIGNING",
                value: "Qm9vZ2xlU2lnbmluZ0tleTEyMzQ1Njc4OTA",
            }),
    },
    {
        kind: "image by mutable tag",
        description: "first workload by tag",
        apply: (p) =>
            (firstContainer(workloadsOf(p)[0]).image = "registry.example.com/shop/orders:latest"),
    },
    {
        kind: "image by mutable tag",
        description: "last workload by tag",
        apply: (p) =>
            (firstContainer(workloadsOf(p).at(-1)).image = "registry.example.com/shop/web:v2.3.1"),
    },
    {
        kind: "credential shared with dev",
        description: "the JWT signing key",
        apply: (p, s) =>
            (p.find((o) => o.kind === "Secret").data.JWT_SIGNING_KEY = (
                s.dev.find((o: any) => o.kind === "Secret") as any
            ).data.JWT_SIGNING_KEY),
    },
    {
        kind: "credential in a config file",
        description: "a password in application.properties",
        apply: (p) =>
            (configMapOf(p).data["application.properties"] +=
                "spring.mail.password=Mail-Relay-2026x\n"),
    },
    {
        kind: "credential in a config file",
        description: "requirepass in redis.conf",
        apply: (p) => (configMapOf(p).data["redis.conf"] += "requirepass Zx81kdP0qRedis\n"),
    },
    {
        kind: "credential in a config file",
        description: "a nested password in config.json",
        apply: (p) => {
            const cfg = JSON.parse(configMapOf(p).data["config.json"]);
            cfg.smtp = { host: "smtp.shop.example.com", password: "smtp-Prod-2026!" };
            configMapOf(p).data["config.json"] = JSON.stringify(cfg, null, 2);
        },
    },
    {
        kind: "credential in a config file",
        description: "an API key in settings.yaml",
        apply: (p) =>
            (configMapOf(p).data["settings.yaml"] += "payments:\n  apiKey: pk_live_51HxQz8Lm2\n"),
    },
    {
        kind: "credential shared with dev",
        description: "the same redis password in both environments' redis.conf",
        apply: (p, s) => {
            const line = "requirepass Shared-Redis-Pass-77\n";
            configMapOf(p).data["redis.conf"] += line;
            configMapOf(s.dev as any[]).data["redis.conf"] += line;
        },
    },
    {
        kind: "credential shared with dev",
        description: "the database password",
        apply: (p, s) =>
            (p.find((o) => o.kind === "Secret").data.PGPASSWORD = (
                s.dev.find((o: any) => o.kind === "Secret") as any
            ).data.PGPASSWORD),
    },
];

export function yamlOf(objects: readonly object[]): string {
    return objects.map((o) => "---\n" + stringify(o)).join("");
}
