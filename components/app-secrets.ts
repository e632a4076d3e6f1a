import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { fingerprintAnnotation, FINGERPRINT_ANNOTATION } from "./fingerprint";
import { appLabels } from "./labels";

export interface AppSecretsArgs {
    readonly environment: string;
    readonly namespace: pulumi.Input<string>;
    /** NEXTAUTH_SECRET override; default: generated for this environment. */
    readonly nextauthSecret?: pulumi.Input<string>;
    readonly googleClientSecret: pulumi.Input<string>;
    readonly azureAdClientSecret: pulumi.Input<string>;
    readonly smtpPassword: pulumi.Input<string>;
    /** Private registry the image pull Secret is for. */
    readonly registry: {
        readonly server: string;
        readonly username: string;
        readonly password: pulumi.Input<string>;
    };
    /** Organisation-wide key for the credential fingerprints annotated on the Secret. */
    readonly fingerprintKey: pulumi.Input<string>;
    readonly provider: k8s.Provider;
}

/** Secret names and keys the apps reference (secretKeyRef); values never appear in env. */
export const CLIENT_AUTH_SECRET = "keybuzz-client-auth";
export const REGISTRY_PULL_SECRET = "keybuzz-registry";

/**
 * The client's NextAuth and OAuth/SMTP credentials and the registry pull credential, each in
 * a Kubernetes Secret of this environment's namespace.
 */
export class AppSecrets extends pulumi.ComponentResource {
    public readonly clientAuthSecretName: pulumi.Output<string>;
    public readonly pullSecretName: pulumi.Output<string>;
    /** Secret outputs, for fingerprinting only. */
    public readonly nextauthSecret: pulumi.Output<string>;

    constructor(name: string, args: AppSecretsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("keybuzz:platform:AppSecrets", name, {}, opts);
        const child = { parent: this, provider: args.provider };
        const nextauth = args.nextauthSecret
            ? pulumi.secret(args.nextauthSecret)
            : new random.RandomPassword(
                  `${name}-nextauth`,
                  { length: 48, special: false },
                  { parent: this },
              ).result;
        const credentials = {
            NEXTAUTH_SECRET: nextauth,
            GOOGLE_CLIENT_SECRET: pulumi.secret(args.googleClientSecret),
            AZURE_AD_CLIENT_SECRET: pulumi.secret(args.azureAdClientSecret),
            EMAIL_SERVER_PASSWORD: pulumi.secret(args.smtpPassword),
        };
        const auth = new k8s.core.v1.Secret(
            `${name}-client-auth`,
            {
                metadata: {
                    name: CLIENT_AUTH_SECRET,
                    namespace: args.namespace,
                    labels: appLabels("client", args.environment),
                    annotations: {
                        [FINGERPRINT_ANNOTATION]: fingerprintAnnotation(
                            args.fingerprintKey,
                            credentials,
                        ),
                    },
                },
                type: "Opaque",
                stringData: credentials,
            },
            child,
        );
        const dockerConfig = pulumi.secret(args.registry.password).apply((password) =>
            JSON.stringify({
                auths: {
                    [args.registry.server]: {
                        auth: Buffer.from(`${args.registry.username}:${password}`).toString(
                            "base64",
                        ),
                    },
                },
            }),
        );
        const pull = new k8s.core.v1.Secret(
            `${name}-registry`,
            {
                metadata: {
                    name: REGISTRY_PULL_SECRET,
                    namespace: args.namespace,
                    labels: { "keybuzz.io/environment": args.environment },
                },
                type: "kubernetes.io/dockerconfigjson",
                stringData: { ".dockerconfigjson": dockerConfig },
            },
            child,
        );
        this.clientAuthSecretName = auth.metadata.name;
        this.pullSecretName = pull.metadata.name;
        this.nextauthSecret = pulumi.secret(nextauth);
        this.registerOutputs({
            clientAuthSecretName: this.clientAuthSecretName,
            pullSecretName: this.pullSecretName,
            nextauthSecret: this.nextauthSecret,
        });
    }
}
