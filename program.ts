/**
 * The KeyBuzz platform for one environment: wires validated config to components.
 * Nothing here reads config or branches on the stack name; what differs between
 * environments is in Pulumi.<stack>.yaml.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { SERVICE_NAMES, ServiceName } from "./config/schema";
import { SecretValue } from "./config/secret";
import { identityOf, StackConfig } from "./config/validate";
import { AppSecrets, CLIENT_AUTH_SECRET } from "./components/app-secrets";
import { Database } from "./components/database/database";
import { Environment } from "./components/environment";
import { PromotedImage, Promotion } from "./components/promotion";
import { EnvironmentIdentity } from "./config/identity";
import { kubernetesProviderVersion } from "./config/toolchain";
import { fingerprint } from "./components/fingerprint";
import { promotionSettings } from "./promotion/settings";
import { EnvVar, WebService } from "./components/web-service";

/** A decrypted config secret as a secret Output; the engine always decrypts, so a missing value is a broken run. */
function secretOf(s: SecretValue): pulumi.Output<string> {
    if (s.value === undefined)
        throw new Error(
            `config secret ${s.key} was not decrypted; run through pulumi (npm run up/preview), which decrypts the stack's secrets`,
        );
    return pulumi.secret(s.value);
}

function optionalSecretOf(s: SecretValue | undefined): pulumi.Output<string> | undefined {
    return s === undefined ? undefined : secretOf(s);
}

/** The environment variables each app receives; credentials only as Secret references. */
export function appEnv(
    config: StackConfig,
    databaseSecret: pulumi.Input<string>,
): Record<ServiceName, EnvVar[]> {
    const clientUrl = `https://${config.services.client.hosts[0]}`;
    const authRef = (key: string): EnvVar => ({
        name: key,
        secret: { name: CLIENT_AUTH_SECRET, key },
    });
    return {
        api: [
            { name: "DATABASE_URL", secret: { name: databaseSecret, key: "DATABASE_URL" } },
            { name: "PUBLIC_URL", value: `https://${config.backendHost}` },
            { name: "CLIENT_URL", value: clientUrl },
        ],
        client: [
            // Derived from this environment's own hosts, never free-form: PROD cannot point at backend-dev.
            { name: "NEXTAUTH_URL", value: clientUrl },
            { name: "NEXT_PUBLIC_BACKEND_URL", value: `https://${config.backendHost}` },
            authRef("NEXTAUTH_SECRET"),
            { name: "GOOGLE_CLIENT_ID", value: config.auth.googleClientId },
            authRef("GOOGLE_CLIENT_SECRET"),
            { name: "AZURE_AD_CLIENT_ID", value: config.auth.azureAdClientId },
            { name: "AZURE_AD_TENANT_ID", value: config.auth.azureAdTenantId },
            authRef("AZURE_AD_CLIENT_SECRET"),
            { name: "EMAIL_SERVER_HOST", value: config.auth.smtp.host },
            { name: "EMAIL_SERVER_PORT", value: String(config.auth.smtp.port) },
            { name: "EMAIL_SERVER_USER", value: config.auth.smtp.user },
            authRef("EMAIL_SERVER_PASSWORD"),
            { name: "EMAIL_FROM", value: config.auth.smtp.from },
        ],
        website: [{ name: "CLIENT_URL", value: clientUrl }],
    };
}

export interface PlatformOutputs {
    environment: string;
    namespace: pulumi.Output<string>;
    urls: Record<ServiceName, string>;
    backendUrl: string;
    images: Record<ServiceName, pulumi.Output<string>>;
    databaseSecretName: pulumi.Output<string>;
    /** The environment's DATABASE_URL, a secret output (for db:cutover --target-stack). */
    databaseUrl: pulumi.Output<string>;
    /** This environment's identity, as every other stack and the policy pack compare it. */
    identity: EnvironmentIdentity;
    credentialFingerprints: Record<string, pulumi.Output<string>>;
    /** What the promotion moved (service → digest, source image, immutable tag); empty without promotion. */
    promotions: pulumi.Output<Record<string, PromotedImage>>;
}

/** Registers every resource of one environment. `others`: the other environments' identities (layer scan). */
export function deployPlatform(
    config: StackConfig,
    others: readonly EnvironmentIdentity[] = [],
): PlatformOutputs {
    const provider = new k8s.Provider(
        "k8s",
        { context: config.kubernetes.context, enableServerSideApply: true },
        // The provider build setup installs (tools/versions.env), not the npm SDK's release.
        { version: kubernetesProviderVersion() },
    );
    const env = new Environment(config.environment, {
        environment: config.environment,
        namespace: config.namespace,
        apps: SERVICE_NAMES,
        databasePort: config.database.port,
        protect: config.protect,
        provider,
    });
    const key = secretOf(config.fingerprintKey);
    const secrets = new AppSecrets(`${config.environment}-secrets`, {
        environment: config.environment,
        namespace: env.namespace,
        nextauthSecret: optionalSecretOf(config.nextauthSecret),
        googleClientSecret: secretOf(config.googleClientSecret),
        azureAdClientSecret: secretOf(config.azureAdClientSecret),
        smtpPassword: secretOf(config.smtpPassword),
        registry: {
            server: config.registry.server,
            username: config.registry.username,
            password: secretOf(config.registryPassword),
        },
        fingerprintKey: key,
        provider,
    });
    const db = new Database(`${config.environment}-db`, {
        environment: config.environment,
        namespace: env.namespace,
        mode:
            config.database.mode === "in-cluster"
                ? {
                      kind: "in-cluster",
                      storageSize: config.database.storageSize,
                      storageClass: config.database.storageClass,
                      image: config.database.image,
                  }
                : {
                      kind: "external",
                      host: config.database.host,
                      adminUser: config.database.adminUser,
                      adminPassword: secretOf(config.database.adminPassword),
                  },
        port: config.database.port,
        databaseName: config.database.name,
        user: config.database.user,
        protect: config.protect,
        passwordRotation: config.database.passwordRotation,
        imagePullSecretName: secrets.pullSecretName,
        fingerprintKey: key,
        provider,
    });
    const envVars = appEnv(config, db.secretName);
    const promotion = config.promotion
        ? new Promotion(`${config.environment}-promotion`, {
              settings: promotionSettings(config),
              services: SERVICE_NAMES,
              sourceImages: new pulumi.StackReference(config.promotion.sourceStack).getOutput(
                  "images",
              ) as pulumi.Output<Record<string, string>>,
              rollbackTo: config.promotion.rollbackTo,
              registry: {
                  username: config.registry.username,
                  password: secretOf(config.registryPassword),
              },
              others,
          })
        : undefined;
    const services = {} as Record<ServiceName, WebService>;
    for (const app of SERVICE_NAMES) {
        const s = config.services[app];
        services[app] = new WebService(`${config.environment}-${app}`, {
            app,
            environment: config.environment,
            namespace: env.namespace,
            image: promotion ? promotion.images.apply((i) => i[app]) : s.image,
            hosts: s.hosts,
            replicas: s.replicas,
            port: s.port,
            readinessPath: s.readinessPath,
            livenessPath: s.livenessPath,
            resources: s.resources,
            env: envVars[app],
            serviceAccountName: env.serviceAccountNames.apply((a) => a[app]),
            imagePullSecretName: secrets.pullSecretName,
            awaitIngress: config.kubernetes.awaitIngress,
            provider,
        });
    }
    const credentials: Record<string, pulumi.Input<string> | undefined> = {
        databasePassword: db.password,
        nextauthSecret: secrets.nextauthSecret,
        googleClientSecret: secretOf(config.googleClientSecret),
        azureAdClientSecret: secretOf(config.azureAdClientSecret),
        smtpPassword: secretOf(config.smtpPassword),
    };
    const credentialFingerprints: Record<string, pulumi.Output<string>> = {};
    for (const [name, value] of Object.entries(credentials))
        if (value !== undefined) credentialFingerprints[name] = fingerprint(key, value);

    return {
        environment: config.environment,
        namespace: env.namespace,
        urls: Object.fromEntries(
            SERVICE_NAMES.map((a) => [a, `https://${config.services[a].hosts[0]}`]),
        ) as Record<ServiceName, string>,
        backendUrl: `https://${config.backendHost}`,
        images: Object.fromEntries(SERVICE_NAMES.map((a) => [a, services[a].image])) as Record<
            ServiceName,
            pulumi.Output<string>
        >,
        databaseSecretName: db.secretName,
        databaseUrl: db.url,
        identity: identityOf(config, `stack ${config.stack}`),
        credentialFingerprints,
        promotions: promotion
            ? promotion.promoted
            : pulumi.output<Record<string, PromotedImage>>({}),
    };
}
