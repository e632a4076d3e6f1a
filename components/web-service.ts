import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { appLabels, selectorLabels } from "./labels";

/** An environment variable: a literal (never a credential) or a reference to a Secret key. */
export type EnvVar =
    | { readonly name: string; readonly value: pulumi.Input<string> }
    | {
          readonly name: string;
          readonly secret: { readonly name: pulumi.Input<string>; readonly key: string };
      };

export interface WebServiceArgs {
    /** api, client or website. */
    readonly app: string;
    readonly environment: string;
    readonly namespace: pulumi.Input<string>;
    /** Image reference to run; pinned by digest when the digest is known. */
    readonly image: pulumi.Input<string>;
    /** Ingress hosts; TLS for all of them. */
    readonly hosts: readonly string[];
    readonly replicas: number;
    readonly port: number;
    readonly readinessPath: string;
    readonly livenessPath: string;
    readonly resources: {
        readonly cpuRequest: string;
        readonly memoryRequest: string;
        readonly cpuLimit: string;
        readonly memoryLimit: string;
    };
    readonly env: readonly EnvVar[];
    readonly serviceAccountName: pulumi.Input<string>;
    readonly imagePullSecretName: pulumi.Input<string>;
    /** Ingress class. Default "nginx". */
    readonly ingressClassName?: string;
    /**
     * Wait for the ingress controller to publish the Ingress's address, as the provider does
     * by default. false only on a cluster with no ingress controller (the local cluster),
     * where no address ever comes; set per stack (`kubernetes.awaitIngress`).
     */
    readonly awaitIngress: boolean;
    readonly provider: k8s.Provider;
}

/**
 * One web app: Deployment (probes, limits, non-root, rolling update), Service, TLS Ingress,
 * and a PodDisruptionBudget when it runs more than one replica.
 */
export class WebService extends pulumi.ComponentResource {
    public readonly deploymentName: pulumi.Output<string>;
    public readonly image: pulumi.Output<string>;
    public readonly url: pulumi.Output<string>;

    constructor(name: string, args: WebServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("keybuzz:platform:WebService", name, {}, opts);
        if (args.hosts.length === 0)
            throw new Error(`WebService ${name}: hosts must list at least one host`);
        const child = { parent: this, provider: args.provider };
        const labels = appLabels(args.app, args.environment);
        const selector = selectorLabels(args.app, args.environment);
        const resourceName = `keybuzz-${args.app}`;

        const deployment = new k8s.apps.v1.Deployment(
            `${name}-deployment`,
            {
                metadata: {
                    name: resourceName,
                    namespace: args.namespace,
                    labels,
                    // This program is the source of truth: a change made behind its back
                    // (`kubectl scale`, `kubectl set env`) is overwritten by the next `up`
                    // instead of failing it with a server-side-apply field conflict.
                    annotations: { "pulumi.com/patchForce": "true" },
                },
                spec: deploymentSpec(args, labels, selector),
            },
            child,
        );
        const service = new k8s.core.v1.Service(
            `${name}-service`,
            {
                metadata: { name: resourceName, namespace: args.namespace, labels },
                spec: { selector, ports: [{ name: "http", port: 80, targetPort: args.port }] },
            },
            child,
        );
        new k8s.networking.v1.Ingress(
            `${name}-ingress`,
            {
                metadata: {
                    name: resourceName,
                    namespace: args.namespace,
                    labels,
                    annotations: args.awaitIngress ? {} : { "pulumi.com/skipAwait": "true" },
                },
                spec: {
                    ingressClassName: args.ingressClassName ?? "nginx",
                    tls: [{ hosts: [...args.hosts], secretName: `${resourceName}-tls` }],
                    rules: args.hosts.map((host) => ({
                        host,
                        http: {
                            paths: [
                                {
                                    path: "/",
                                    pathType: "Prefix",
                                    backend: {
                                        service: {
                                            name: service.metadata.name,
                                            port: { number: 80 },
                                        },
                                    },
                                },
                            ],
                        },
                    })),
                },
            },
            child,
        );
        if (args.replicas > 1) {
            new k8s.policy.v1.PodDisruptionBudget(
                `${name}-pdb`,
                {
                    metadata: { name: resourceName, namespace: args.namespace, labels },
                    spec: {
                        minAvailable: Math.max(1, args.replicas - 1),
                        selector: { matchLabels: selector },
                    },
                },
                child,
            );
        }
        this.deploymentName = deployment.metadata.name;
        this.image = pulumi.output(args.image);
        this.url = pulumi.output(`https://${args.hosts[0]}`);
        this.registerOutputs({
            deploymentName: this.deploymentName,
            image: this.image,
            url: this.url,
        });
    }
}

export function containerEnv(env: readonly EnvVar[]): k8s.types.input.core.v1.EnvVar[] {
    return env.map((e) =>
        "secret" in e
            ? {
                  name: e.name,
                  valueFrom: { secretKeyRef: { name: e.secret.name, key: e.secret.key } },
              }
            : { name: e.name, value: e.value },
    );
}

function deploymentSpec(
    args: WebServiceArgs,
    labels: Record<string, string>,
    selector: Record<string, string>,
): k8s.types.input.apps.v1.DeploymentSpec {
    return {
        replicas: args.replicas,
        selector: { matchLabels: selector },
        strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
        template: {
            metadata: { labels },
            spec: {
                serviceAccountName: args.serviceAccountName,
                automountServiceAccountToken: false,
                imagePullSecrets: [{ name: args.imagePullSecretName }],
                securityContext: {
                    runAsNonRoot: true,
                    runAsUser: 10001,
                    runAsGroup: 10001,
                    seccompProfile: { type: "RuntimeDefault" },
                },
                containers: [
                    {
                        name: args.app,
                        image: args.image,
                        ports: [{ name: "http", containerPort: args.port }],
                        // The deployed reference, so /debug/version can report what actually runs.
                        env: [
                            ...containerEnv(args.env),
                            // The port the Service targets, as Next.js and the project's images read it.
                            { name: "PORT", value: String(args.port) },
                            { name: "KEYBUZZ_IMAGE", value: args.image },
                            { name: "KEYBUZZ_ENVIRONMENT", value: args.environment },
                        ],
                        readinessProbe: {
                            httpGet: { path: args.readinessPath, port: "http" },
                            periodSeconds: 10,
                            failureThreshold: 3,
                        },
                        livenessProbe: {
                            httpGet: { path: args.livenessPath, port: "http" },
                            initialDelaySeconds: 15,
                            periodSeconds: 20,
                            failureThreshold: 3,
                        },
                        resources: {
                            requests: {
                                cpu: args.resources.cpuRequest,
                                memory: args.resources.memoryRequest,
                            },
                            limits: {
                                cpu: args.resources.cpuLimit,
                                memory: args.resources.memoryLimit,
                            },
                        },
                        securityContext: {
                            allowPrivilegeEscalation: false,
                            capabilities: { drop: ["ALL"] },
                        },
                    },
                ],
            },
        },
    };
}
