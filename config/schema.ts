/**
 * The stack config schema: every key the program reads, with its meaning attached to the key
 * itself (`ref`). The README's config reference is generated from this schema (its defaults
 * from the schema's own defaults, config/reference.ts) and a test checks that the two agree.
 */
import { z } from "zod";
import { ENVIRONMENT_NAMES } from "./environments";
import { SecretValue } from "./secret";
import { DIGEST_PATTERN, parseImageReference } from "../image/reference";

// Each process validates a config once or twice: zod's compiled fast path (generated code,
// built at the first parse) costs more than it saves there.
z.config({ jitless: true });

/**
 * Reference metadata of a key: what it means, and where the schema alone cannot say it, how
 * its type and default read (a default computed from other keys, a key path with a placeholder).
 */
export interface KeyReference {
    readonly meaning: string;
    readonly type?: string;
    readonly default?: string;
    /** Replaces the key path in the table, e.g. `auth.smtp.host|port|user|from`. */
    readonly key?: string;
    /** On an object: document its keys under this path instead (`services.<service>`). */
    readonly prefix?: string;
    /** On an object documented elsewhere (the other services): leave it out. */
    readonly documentedWith?: string;
}

function ref<T extends z.ZodType>(schema: T, reference: KeyReference): T {
    return schema.meta({ reference }) as T;
}

/** The Pulumi config namespace (the project name). */
export const CONFIG_NAMESPACE = "keybuzz-platform";

const hostname = z
    .string()
    .regex(
        /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
        "must be a lower-case DNS name such as api.keybuzz.io",
    );

/** An OCI registry's host as image references name it: a DNS name or IPv4 address, optional port. */
const registryHost = z
    .string()
    .regex(
        /^(?:(?=[^:]{1,253}(?::|$))([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}|(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d))(?::(?:6553[0-5]|655[0-2]\d|65[0-4]\d\d|6[0-4]\d{3}|[1-5]\d{4}|[1-9]\d{0,3}))?$/,
        "must be a registry host such as ghcr.io or registry.example.com:5000 (a lower-case DNS name or an IPv4 address, optionally with :port)",
    );

const imageReference = z.string().refine((s) => parseImageReference(s) !== undefined, {
    message:
        "must be an OCI image reference with a tag or digest, e.g. ghcr.io/keybuzzio/keybuzz-api:v1.2.3 or …@sha256:<64 hex>",
});

const dnsLabel = z
    .string()
    .regex(
        /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/,
        "must be a Kubernetes name: lower-case letters, digits and '-'",
    );
const pgIdentifier = z
    .string()
    .regex(
        /^[a-z_][a-z0-9_]{0,62}$/,
        "must be a PostgreSQL identifier: lower-case letters, digits and '_', not starting with a digit",
    );
const httpPath = z.string().regex(/^\/[^\s]*$/, "must be an absolute HTTP path such as /health");

/** A secret key: the value must come encrypted (`pulumi config set --secret`). */
export const secret = z.instanceof(SecretValue, { message: "is required and must be a secret" });

const resources = ref(
    z
        .object({
            cpuRequest: z.string().default("100m"),
            memoryRequest: z.string().default("128Mi"),
            cpuLimit: z.string().default("500m"),
            memoryLimit: z.string().default("512Mi"),
        })
        .strict()
        .default({
            cpuRequest: "100m",
            memoryRequest: "128Mi",
            cpuLimit: "500m",
            memoryLimit: "512Mi",
        }),
    {
        meaning: "cpuRequest, memoryRequest, cpuLimit, memoryLimit.",
        type: "object",
        default: "100m/128Mi requests, 500m/512Mi limits",
    },
);

const service = z
    .object({
        image: ref(imageReference, {
            meaning:
                "Image to run (<service> is api, client or website); PROD's is replaced by the promoted digest.",
            type: "OCI reference",
        }),
        hosts: ref(z.array(hostname).min(1, "must list at least one host"), {
            meaning: "Ingress hosts (TLS). The API answers on all of them.",
            type: "list of DNS names",
        }),
        replicas: ref(z.number().int().min(1).default(1), {
            meaning: "Pod count; the environment declares a minimum (prod: 2).",
        }),
        port: ref(z.number().int().min(1).max(65535).default(3000), { meaning: "Container port." }),
        readinessPath: ref(httpPath.default("/health"), {
            meaning: "Readiness probe path.",
            type: "HTTP path",
        }),
        livenessPath: ref(httpPath.default("/health"), {
            meaning: "Liveness probe path.",
            type: "HTTP path",
        }),
        resources,
    })
    .strict();

export const stackConfigSchema = z
    .object({
        environment: ref(z.enum(ENVIRONMENT_NAMES), {
            meaning: "Which declared environment this stack is; must equal the stack name.",
            type: `one of ${ENVIRONMENT_NAMES.join(", ")}`,
        }),
        namespace: ref(dnsLabel.optional(), {
            meaning: "Namespace of every resource of the stack.",
            type: "Kubernetes name",
            default: "keybuzz-<environment>",
        }),
        // Pulumi stores top-level scalars as text: `protect: "true"` is the boolean true.
        protect: ref(
            z
                .preprocess((v) => (v === "true" ? true : v === "false" ? false : v), z.boolean())
                .default(true),
            {
                meaning:
                    "Protect the namespace, database and its storage from deletion; throw-away stacks set false.",
                type: "boolean",
            },
        ),
        services: z
            .object({
                api: ref(
                    service
                        .extend({
                            backendHost: ref(hostname.optional(), {
                                key: "services.api.backendHost",
                                meaning:
                                    "Host the client calls (NEXT_PUBLIC_BACKEND_URL); must be one of the API's hosts.",
                                type: "DNS name",
                                default: "first API host",
                            }),
                        })
                        .strict(),
                    { meaning: "", prefix: "services.<service>" },
                ),
                client: ref(service.strict(), {
                    meaning: "",
                    documentedWith: "services.<service>",
                }),
                website: ref(service.strict(), {
                    meaning: "",
                    documentedWith: "services.<service>",
                }),
            })
            .strict(),
        database: z
            .object({
                mode: ref(z.enum(["in-cluster", "external"]), {
                    meaning:
                        "PostgreSQL 16 StatefulSet in the namespace, or a role + database on an existing server.",
                }),
                host: ref(z.string().min(1).optional(), {
                    meaning: "Existing PostgreSQL server (shared infrastructure, not an identity).",
                    default: "required when external",
                }),
                port: ref(z.number().int().min(1).max(65535).default(5432), {
                    meaning: "PostgreSQL port.",
                }),
                name: ref(pgIdentifier, {
                    meaning: "The environment's own database.",
                    type: "PostgreSQL identifier",
                }),
                user: ref(pgIdentifier, {
                    meaning: "The environment's own role.",
                    type: "PostgreSQL identifier",
                }),
                adminUser: ref(pgIdentifier.default("postgres"), {
                    meaning:
                        "Admin role used to create the environment's role and database (external).",
                    type: "PostgreSQL identifier",
                }),
                storageSize: ref(
                    z
                        .string()
                        .regex(/^[0-9]+(Mi|Gi|Ti)$/, "must be a size such as 10Gi")
                        .default("10Gi"),
                    { meaning: "Volume size (in-cluster).", type: "size" },
                ),
                storageClass: ref(z.string().optional(), {
                    meaning: "StorageClass of the volume (in-cluster).",
                    default: "cluster default",
                }),
                image: ref(imageReference.default("docker.io/library/postgres:16"), {
                    meaning:
                        "PostgreSQL image of the in-cluster server; it must take POSTGRES_USER, POSTGRES_PASSWORD, POSTGRES_DB and PGDATA as the official image does (the local stack runs the one `npm run images` builds).",
                    type: "OCI reference",
                }),
                // Bump to rotate the environment's generated DB password on the next `up`.
                passwordRotation: ref(z.number().int().min(0).default(0), {
                    meaning:
                        "Bump to generate a new DB password on the next `up` (the role is altered, the Secret updated, the old password refused).",
                }),
            })
            .strict(),
        databaseAdminPassword: ref(secret.optional(), {
            meaning: "Password of database.adminUser.",
            default: "required when external",
        }),
        registry: z
            .object({
                server: ref(registryHost, {
                    meaning: "Private registry of the images (shared infrastructure).",
                    type: "registry host[:port]",
                }),
                username: ref(z.string().min(1), {
                    meaning: "Pull user for the image pull Secret.",
                }),
            })
            .strict(),
        registryPassword: ref(secret, { meaning: "Pull token for the image pull Secret." }),
        auth: z
            .object({
                googleClientId: ref(z.string().min(1), {
                    meaning: "Google OAuth client id (NextAuth).",
                }),
                azureAdClientId: ref(z.string().min(1), {
                    meaning: "Azure AD client id (NextAuth).",
                }),
                azureAdTenantId: ref(z.string().min(1), { meaning: "Azure AD tenant id." }),
                smtp: ref(
                    z
                        .object({
                            host: hostname,
                            port: z.number().int().min(1).max(65535).default(587),
                            user: z.string().min(1),
                            from: z.string().email(),
                        })
                        .strict(),
                    {
                        key: "auth.smtp.host|port|user|from",
                        meaning: "Email OTP SMTP settings.",
                        type: "object",
                        default: "port 587",
                    },
                ),
            })
            .strict(),
        googleClientSecret: ref(secret, { meaning: "Google OAuth client secret." }),
        azureAdClientSecret: ref(secret, { meaning: "Azure AD client secret." }),
        smtpPassword: ref(secret, { meaning: "SMTP password." }),
        nextauthSecret: ref(secret.optional(), {
            meaning: "Override of the generated NEXTAUTH_SECRET; known-leaked values are refused.",
            default: "generated per environment",
        }),
        fingerprintKey: ref(secret, {
            meaning:
                "Organisation-wide HMAC key for credential fingerprints; the same in every stack.",
        }),
        promotion: z
            .object({
                sourceStack: ref(z.string().min(1), {
                    meaning:
                        "Stack whose `images` output (by digest) this stack promotes in the engine, through a StackReference.",
                    type: "stack name",
                    default:
                        "none: images from services.*.image, pinned by `npm run promote` (whose source is then the environment's declared predecessor, dev for prod)",
                }),
                movingTag: ref(
                    z
                        .string()
                        .regex(
                            /^[A-Za-z0-9_][A-Za-z0-9._-]{0,63}$/,
                            "must be a tag of at most 64 letters, digits, '_', '.' or '-'",
                        )
                        .optional(),
                    {
                        meaning:
                            "Moving tag written in the registry; an immutable tag <movingTag>-<source tag>-<digest> is written too.",
                        type: "tag",
                        default: "the environment's name",
                    },
                ),
                targetRepositorySuffix: ref(
                    z
                        .string()
                        .regex(/^[a-z0-9._-]*$/)
                        .default(""),
                    { meaning: "Suffix of the target repository (same repository by default)." },
                ),
                registryScheme: ref(z.enum(["http", "https"]).default("https"), {
                    meaning: "http only for a loopback test registry.",
                }),
                requireGate: ref(z.boolean().default(true), {
                    meaning:
                        "Refuse digests without the source stage's verified-in evidence tag or whose layers name another environment's host.",
                }),
                rollbackTo: ref(
                    z
                        .partialRecord(
                            z.enum(["api", "client", "website"]),
                            z
                                .string()
                                .regex(
                                    DIGEST_PATTERN,
                                    "must be a sha256:<64 hex> digest from the ledger",
                                ),
                        )
                        .optional(),
                    {
                        key: "promotion.rollbackTo.<service>",
                        meaning:
                            "Roll a service back to an earlier ledger digest (a forward promotion).",
                        type: "sha256 digest",
                    },
                ),
            })
            .strict()
            .optional(),
        kubernetes: z
            .object({
                context: ref(z.string().min(1).optional(), {
                    meaning:
                        "kubeconfig context of the target cluster (the local cluster's is keybuzz-local).",
                    default: "current kubeconfig context",
                }),
                // Only where no ingress controller will ever publish an address (the local
                // cluster): an Ingress's await waits for status.loadBalancer otherwise.
                awaitIngress: ref(z.boolean().default(true), {
                    meaning:
                        "Wait for each Ingress to get an address from the ingress controller; false only on a cluster without one (the local cluster).",
                }),
            })
            .strict()
            .default({ awaitIngress: true }),
    })
    .strict();

export type StackConfigInput = z.input<typeof stackConfigSchema>;
export type ParsedStackConfig = z.output<typeof stackConfigSchema>;
export type ServiceName = "api" | "client" | "website";
export const SERVICE_NAMES: readonly ServiceName[] = ["api", "client", "website"];

/** Keys whose values are credentials: they must be set with `pulumi config set --secret`. */
export const SECRET_KEYS = [
    "databaseAdminPassword",
    "registryPassword",
    "googleClientSecret",
    "azureAdClientSecret",
    "smtpPassword",
    "nextauthSecret",
    "fingerprintKey",
] as const;
