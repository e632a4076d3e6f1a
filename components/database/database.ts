import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { inClusterDatabaseHost } from "../../config/identity";
import { fingerprintAnnotation, FINGERPRINT_ANNOTATION } from "../fingerprint";
import { appLabels, selectorLabels } from "../labels";
import { RoleDatabase } from "./role-database";

export type DatabaseMode =
    | {
          readonly kind: "in-cluster";
          readonly storageSize: string;
          readonly storageClass?: string;
          readonly image: string;
      }
    | {
          readonly kind: "external";
          readonly host: string;
          readonly adminUser: string;
          readonly adminPassword: pulumi.Input<string>;
      };

export interface DatabaseArgs {
    readonly environment: string;
    readonly namespace: pulumi.Input<string>;
    /** in-cluster PostgreSQL 16, or a role + database on an existing server. */
    readonly mode: DatabaseMode;
    readonly port: number;
    /** The environment's own database name. */
    readonly databaseName: string;
    /** The environment's own login role. */
    readonly user: string;
    /** Protect the data (StatefulSet, role/database) from deletion. */
    readonly protect: boolean;
    /** Changing it generates a new password (rotation). Default 0. */
    readonly passwordRotation?: number;
    /** Organisation-wide key for the credential fingerprint annotated on the Secret. */
    readonly fingerprintKey: pulumi.Input<string>;
    /** The registry credentials of the in-cluster server's image (the services' pull Secret). */
    readonly imagePullSecretName?: pulumi.Input<string>;
    readonly provider: k8s.Provider;
}

/** Name of the Kubernetes Secret holding DATABASE_URL; apps reference it, never its value. */
export const DATABASE_SECRET_NAME = "keybuzz-database";

/**
 * The environment's own PostgreSQL database and login role, with a generated password and
 * a Secret holding DATABASE_URL. The outputs name the Secret; the URL never leaves it.
 */
export class Database extends pulumi.ComponentResource {
    public readonly secretName: pulumi.Output<string>;
    public readonly host: pulumi.Output<string>;
    /** The generated password, as a secret output: only for fingerprinting. */
    public readonly password: pulumi.Output<string>;
    /** postgresql://user:password@host:port/database, a secret output (db:cutover --target-stack). */
    public readonly url: pulumi.Output<string>;

    constructor(name: string, args: DatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
        super("keybuzz:platform:Database", name, {}, opts);
        const child = { parent: this, provider: args.provider };
        const password = new random.RandomPassword(
            `${name}-password`,
            {
                length: 32,
                special: false,
                keepers: { rotation: String(args.passwordRotation ?? 0) },
            },
            { parent: this },
        );
        const host =
            args.mode.kind === "in-cluster"
                ? pulumi.output(args.namespace).apply(inClusterDatabaseHost)
                : pulumi.output(args.mode.host);

        if (args.mode.kind === "in-cluster") {
            createInClusterServer(name, args, args.mode, password.result, child);
        } else {
            new RoleDatabase(
                `${name}-role-database`,
                {
                    admin: pulumi.secret({
                        host: args.mode.host,
                        port: args.port,
                        user: args.mode.adminUser,
                        password: args.mode.adminPassword,
                    }),
                    role: args.user,
                    password: password.result,
                    database: args.databaseName,
                    dropOnDelete: !args.protect,
                },
                { parent: this, protect: args.protect },
            );
        }

        const url = pulumi.secret(
            pulumi.interpolate`postgresql://${args.user}:${password.result}@${host}:${args.port}/${args.databaseName}`,
        );
        const secret = new k8s.core.v1.Secret(
            `${name}-secret`,
            {
                metadata: {
                    name: DATABASE_SECRET_NAME,
                    namespace: args.namespace,
                    labels: appLabels("postgres", args.environment),
                    annotations: {
                        [FINGERPRINT_ANNOTATION]: fingerprintAnnotation(args.fingerprintKey, {
                            DATABASE_PASSWORD: password.result,
                        }),
                    },
                },
                type: "Opaque",
                stringData: {
                    DATABASE_URL: url,
                    PGUSER: args.user,
                    PGDATABASE: args.databaseName,
                    PGPASSWORD: password.result,
                },
            },
            child,
        );
        this.secretName = secret.metadata.name;
        this.host = host;
        this.password = password.result;
        this.url = url;
        this.registerOutputs({
            secretName: this.secretName,
            host: this.host,
            password: this.password,
            url: this.url,
        });
    }
}

function createInClusterServer(
    name: string,
    args: DatabaseArgs,
    mode: Extract<DatabaseMode, { kind: "in-cluster" }>,
    password: pulumi.Output<string>,
    child: pulumi.CustomResourceOptions,
): void {
    const labels = appLabels("postgres", args.environment);
    const selector = selectorLabels("postgres", args.environment);
    const serverSecret = new k8s.core.v1.Secret(
        `${name}-server-secret`,
        {
            metadata: { name: "keybuzz-postgres-server", namespace: args.namespace, labels },
            type: "Opaque",
            stringData: { POSTGRES_PASSWORD: password },
        },
        child,
    );
    new k8s.core.v1.Service(
        `${name}-service`,
        {
            metadata: { name: "postgres", namespace: args.namespace, labels },
            spec: {
                selector,
                ports: [{ name: "postgres", port: args.port, targetPort: 5432 }],
                clusterIP: "None",
            },
        },
        child,
    );
    new k8s.apps.v1.StatefulSet(
        `${name}-statefulset`,
        {
            metadata: { name: "postgres", namespace: args.namespace, labels },
            spec: {
                serviceName: "postgres",
                replicas: 1,
                selector: { matchLabels: selector },
                template: {
                    metadata: { labels },
                    spec: {
                        automountServiceAccountToken: false,
                        ...(args.imagePullSecretName
                            ? { imagePullSecrets: [{ name: args.imagePullSecretName }] }
                            : {}),
                        securityContext: { runAsNonRoot: true, runAsUser: 999, fsGroup: 999 },
                        containers: [
                            {
                                name: "postgres",
                                image: mode.image,
                                ports: [{ name: "postgres", containerPort: 5432 }],
                                env: [
                                    { name: "POSTGRES_USER", value: args.user },
                                    { name: "POSTGRES_DB", value: args.databaseName },
                                    {
                                        name: "POSTGRES_PASSWORD",
                                        valueFrom: {
                                            secretKeyRef: {
                                                name: serverSecret.metadata.name,
                                                key: "POSTGRES_PASSWORD",
                                            },
                                        },
                                    },
                                    { name: "PGDATA", value: "/var/lib/postgresql/data/pgdata" },
                                ],
                                readinessProbe: {
                                    exec: {
                                        command: [
                                            "pg_isready",
                                            "-U",
                                            args.user,
                                            "-d",
                                            args.databaseName,
                                        ],
                                    },
                                    periodSeconds: 10,
                                },
                                livenessProbe: {
                                    exec: { command: ["pg_isready", "-U", args.user] },
                                    periodSeconds: 30,
                                    failureThreshold: 5,
                                },
                                resources: {
                                    requests: { cpu: "250m", memory: "256Mi" },
                                    limits: { cpu: "1", memory: "1Gi" },
                                },
                                securityContext: {
                                    allowPrivilegeEscalation: false,
                                    readOnlyRootFilesystem: false,
                                },
                                volumeMounts: [
                                    { name: "data", mountPath: "/var/lib/postgresql/data" },
                                ],
                            },
                        ],
                    },
                },
                volumeClaimTemplates: [
                    {
                        metadata: { name: "data", labels },
                        spec: {
                            accessModes: ["ReadWriteOnce"],
                            storageClassName: mode.storageClass,
                            resources: { requests: { storage: mode.storageSize } },
                        },
                    },
                ],
                persistentVolumeClaimRetentionPolicy: {
                    whenDeleted: args.protect ? "Retain" : "Delete",
                    whenScaled: "Retain",
                },
            },
        },
        { ...child, protect: args.protect },
    );
}
