/**
 * The stack config schema: every key the program reads, with its meaning and default.
 * The README's config reference is generated from `CONFIG_REFERENCE` below and a test
 * checks that the two agree.
 */
import { z } from "zod";
import { ENVIRONMENT_NAMES } from "./environments";
import { SecretValue } from "./secret";
import { DIGEST_PATTERN, parseImageReference } from "../image/reference";

/** The Pulumi config namespace (the project name). */
export const CONFIG_NAMESPACE = "keybuzz-platform";

const hostname = z
    .string()
    .regex(
        /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
        "must be a lower-case DNS name such as api.keybuzz.io",
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

const resources = z
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
    });

const service = z
    .object({
        image: imageReference,
        hosts: z.array(hostname).min(1, "must list at least one host"),
        replicas: z.number().int().min(1).default(1),
        port: z.number().int().min(1).max(65535).default(3000),
        readinessPath: httpPath.default("/health"),
        livenessPath: httpPath.default("/health"),
        resources,
    })
    .strict();

export const stackConfigSchema = z
    .object({
        environment: z.enum(ENVIRONMENT_NAMES),
        namespace: dnsLabel.optional(),
        // Pulumi stores top-level scalars as text: `protect: "true"` is the boolean true.
        protect: z
            .preprocess((v) => (v === "true" ? true : v === "false" ? false : v), z.boolean())
            .default(true),
        services: z
            .object({
                api: service.extend({ backendHost: hostname.optional() }).strict(),
                client: service,
                website: service,
            })
            .strict(),
        database: z
            .object({
                mode: z.enum(["in-cluster", "external"]),
                host: z.string().min(1).optional(),
                port: z.number().int().min(1).max(65535).default(5432),
                name: pgIdentifier,
                user: pgIdentifier,
                adminUser: pgIdentifier.default("postgres"),
                storageSize: z
                    .string()
                    .regex(/^[0-9]+(Mi|Gi|Ti)$/, "must be a size such as 10Gi")
                    .default("10Gi"),
                storageClass: z.string().optional(),
                // Bump to rotate the environment's generated DB password on the next `up`.
                passwordRotation: z.number().int().min(0).default(0),
            })
            .strict(),
        databaseAdminPassword: secret.optional(),
        registry: z.object({ server: hostname, username: z.string().min(1) }).strict(),
        registryPassword: secret,
        auth: z
            .object({
                googleClientId: z.string().min(1),
                azureAdClientId: z.string().min(1),
                azureAdTenantId: z.string().min(1),
                smtp: z
                    .object({
                        host: hostname,
                        port: z.number().int().min(1).max(65535).default(587),
                        user: z.string().min(1),
                        from: z.string().email(),
                    })
                    .strict(),
            })
            .strict(),
        googleClientSecret: secret,
        azureAdClientSecret: secret,
        smtpPassword: secret,
        nextauthSecret: secret.optional(),
        fingerprintKey: secret,
        promotion: z
            .object({
                sourceStack: z.string().min(1),
                movingTag: z
                    .string()
                    .regex(
                        /^[A-Za-z0-9_][A-Za-z0-9._-]{0,63}$/,
                        "must be a tag of at most 64 letters, digits, '_', '.' or '-'",
                    )
                    .optional(),
                targetRepositorySuffix: z
                    .string()
                    .regex(/^[a-z0-9._-]*$/)
                    .default(""),
                registryScheme: z.enum(["http", "https"]).default("https"),
                requireGate: z.boolean().default(true),
                rollbackTo: z
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
            })
            .strict()
            .optional(),
        kubernetes: z
            .object({
                context: z.string().min(1).optional(),
                // Only where no ingress controller will ever publish an address (the local
                // cluster): an Ingress's await waits for status.loadBalancer otherwise.
                awaitIngress: z.boolean().default(true),
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

/** The config reference rendered into the README (`npm run docs:config`), checked by a test. */
export const CONFIG_REFERENCE: ReadonlyArray<{
    key: string;
    type: string;
    default: string;
    meaning: string;
}> = [
    {
        key: "environment",
        type: `one of ${ENVIRONMENT_NAMES.join(", ")}`,
        default: "required",
        meaning: "Which declared environment this stack is; must equal the stack name.",
    },
    {
        key: "namespace",
        type: "Kubernetes name",
        default: "keybuzz-<environment>",
        meaning: "Namespace of every resource of the stack.",
    },
    {
        key: "protect",
        type: "boolean",
        default: "true",
        meaning:
            "Protect the namespace, database and its storage from deletion; throw-away stacks set false.",
    },
    {
        key: "services.<api|client|website>.image",
        type: "OCI reference",
        default: "required",
        meaning: "Image to run; PROD's is replaced by the promoted digest.",
    },
    {
        key: "services.<service>.hosts",
        type: "list of DNS names",
        default: "required",
        meaning: "Ingress hosts (TLS). The API answers on all of them.",
    },
    {
        key: "services.<service>.replicas",
        type: "integer",
        default: "1",
        meaning: "Pod count; the environment declares a minimum (prod: 2).",
    },
    {
        key: "services.<service>.port",
        type: "integer",
        default: "3000",
        meaning: "Container port.",
    },
    {
        key: "services.<service>.readinessPath",
        type: "HTTP path",
        default: "/health",
        meaning: "Readiness probe path.",
    },
    {
        key: "services.<service>.livenessPath",
        type: "HTTP path",
        default: "/health",
        meaning: "Liveness probe path.",
    },
    {
        key: "services.<service>.resources",
        type: "object",
        default: "100m/128Mi requests, 500m/512Mi limits",
        meaning: "cpuRequest, memoryRequest, cpuLimit, memoryLimit.",
    },
    {
        key: "services.api.backendHost",
        type: "DNS name",
        default: "first API host",
        meaning: "Host the client calls (NEXT_PUBLIC_BACKEND_URL); must be one of the API's hosts.",
    },
    {
        key: "database.mode",
        type: "in-cluster | external",
        default: "required",
        meaning:
            "PostgreSQL 16 StatefulSet in the namespace, or a role + database on an existing server.",
    },
    {
        key: "database.host",
        type: "string",
        default: "required when external",
        meaning: "Existing PostgreSQL server (shared infrastructure, not an identity).",
    },
    { key: "database.port", type: "integer", default: "5432", meaning: "PostgreSQL port." },
    {
        key: "database.name",
        type: "PostgreSQL identifier",
        default: "required",
        meaning: "The environment's own database.",
    },
    {
        key: "database.user",
        type: "PostgreSQL identifier",
        default: "required",
        meaning: "The environment's own role.",
    },
    {
        key: "database.adminUser",
        type: "PostgreSQL identifier",
        default: "postgres",
        meaning: "Admin role used to create the environment's role and database (external).",
    },
    {
        key: "database.storageSize",
        type: "size",
        default: "10Gi",
        meaning: "Volume size (in-cluster).",
    },
    {
        key: "database.passwordRotation",
        type: "integer",
        default: "0",
        meaning:
            "Bump to generate a new DB password on the next `up` (the role is altered, the Secret updated, the old password refused).",
    },
    {
        key: "database.storageClass",
        type: "string",
        default: "cluster default",
        meaning: "StorageClass of the volume (in-cluster).",
    },
    {
        key: "databaseAdminPassword",
        type: "secret",
        default: "required when external",
        meaning: "Password of database.adminUser.",
    },
    {
        key: "registry.server",
        type: "DNS name",
        default: "required",
        meaning: "Private registry of the images (shared infrastructure).",
    },
    {
        key: "registry.username",
        type: "string",
        default: "required",
        meaning: "Pull user for the image pull Secret.",
    },
    {
        key: "registryPassword",
        type: "secret",
        default: "required",
        meaning: "Pull token for the image pull Secret.",
    },
    {
        key: "auth.googleClientId",
        type: "string",
        default: "required",
        meaning: "Google OAuth client id (NextAuth).",
    },
    {
        key: "auth.azureAdClientId",
        type: "string",
        default: "required",
        meaning: "Azure AD client id (NextAuth).",
    },
    {
        key: "auth.azureAdTenantId",
        type: "string",
        default: "required",
        meaning: "Azure AD tenant id.",
    },
    {
        key: "auth.smtp.host|port|user|from",
        type: "object",
        default: "port 587",
        meaning: "Email OTP SMTP settings.",
    },
    {
        key: "googleClientSecret",
        type: "secret",
        default: "required",
        meaning: "Google OAuth client secret.",
    },
    {
        key: "azureAdClientSecret",
        type: "secret",
        default: "required",
        meaning: "Azure AD client secret.",
    },
    { key: "smtpPassword", type: "secret", default: "required", meaning: "SMTP password." },
    {
        key: "nextauthSecret",
        type: "secret",
        default: "generated per environment",
        meaning: "Override of the generated NEXTAUTH_SECRET; known-leaked values are refused.",
    },
    {
        key: "fingerprintKey",
        type: "secret",
        default: "required",
        meaning: "Organisation-wide HMAC key for credential fingerprints; the same in every stack.",
    },
    {
        key: "promotion.sourceStack",
        type: "stack name",
        default:
            "none: images from services.*.image, pinned by `npm run promote` (whose source is then the environment's declared predecessor, dev for prod)",
        meaning:
            "Stack whose `images` output (by digest) this stack promotes in the engine, through a StackReference.",
    },
    {
        key: "promotion.movingTag",
        type: "tag",
        default: "the environment's name",
        meaning:
            "Moving tag written in the registry; an immutable tag <movingTag>-<source tag>-<digest> is written too.",
    },
    {
        key: "promotion.targetRepositorySuffix",
        type: "string",
        default: '""',
        meaning: "Suffix of the target repository (same repository by default).",
    },
    {
        key: "promotion.registryScheme",
        type: "http | https",
        default: "https",
        meaning: "http only for a loopback test registry.",
    },
    {
        key: "promotion.requireGate",
        type: "boolean",
        default: "true",
        meaning:
            "Refuse digests without the source stage's verified-in evidence tag or whose layers name another environment's host.",
    },
    {
        key: "promotion.rollbackTo.<service>",
        type: "sha256 digest",
        default: "none",
        meaning: "Roll a service back to an earlier ledger digest (a forward promotion).",
    },
    {
        key: "kubernetes.context",
        type: "string",
        default: "current kubeconfig context",
        meaning: "kubeconfig context of the target cluster (the local cluster's is keybuzz-local).",
    },
    {
        key: "kubernetes.awaitIngress",
        type: "boolean",
        default: "true",
        meaning:
            "Wait for each Ingress to get an address from the ingress controller; false only on a cluster without one (the local cluster).",
    },
];
