import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { appLabels, selectorLabels } from "./labels";

export interface EnvironmentArgs {
    /** Environment name (dev, prod, …); labels every resource. */
    readonly environment: string;
    /** Namespace to create. */
    readonly namespace: string;
    /** Apps that get a ServiceAccount and network access (the program passes api, client, website). */
    readonly apps: readonly string[];
    /** Apps reached from the ingress controller. Default: all apps. */
    readonly publicApps?: readonly string[];
    /** Namespace of the ingress controller allowed to reach the web apps. Default "ingress-nginx". */
    readonly ingressNamespace?: string;
    /** Port the API uses to reach PostgreSQL. */
    readonly databasePort: number;
    /** Protect the namespace from deletion. */
    readonly protect: boolean;
    /** Kubernetes provider of the stack. */
    readonly provider: k8s.Provider;
}

/**
 * One environment's namespace with a default-deny network, the explicit allows the apps
 * need, and one ServiceAccount per app without an automounted API token.
 */
export class Environment extends pulumi.ComponentResource {
    public readonly namespace: pulumi.Output<string>;
    public readonly serviceAccountNames: pulumi.Output<Record<string, string>>;

    constructor(name: string, args: EnvironmentArgs, opts?: pulumi.ComponentResourceOptions) {
        super("keybuzz:platform:Environment", name, {}, opts);
        const child = { parent: this, provider: args.provider };
        const ns = new k8s.core.v1.Namespace(
            `${name}-ns`,
            {
                metadata: {
                    name: args.namespace,
                    labels: { "keybuzz.io/environment": args.environment },
                },
            },
            { ...child, protect: args.protect },
        );
        const namespace = ns.metadata.name;
        for (const policy of networkPolicies(args)) {
            new k8s.networking.v1.NetworkPolicy(
                `${name}-${policy.name}`,
                { metadata: { name: policy.name, namespace }, spec: policy.spec },
                child,
            );
        }
        const accounts: Record<string, pulumi.Output<string>> = {};
        for (const app of args.apps) {
            const sa = new k8s.core.v1.ServiceAccount(
                `${name}-${app}-sa`,
                {
                    metadata: {
                        name: `keybuzz-${app}`,
                        namespace,
                        labels: appLabels(app, args.environment),
                    },
                    automountServiceAccountToken: false,
                },
                child,
            );
            accounts[app] = sa.metadata.name;
        }
        this.namespace = namespace;
        this.serviceAccountNames = pulumi.output(accounts);
        this.registerOutputs({
            namespace: this.namespace,
            serviceAccountNames: this.serviceAccountNames,
        });
    }
}

type PolicySpec = k8s.types.input.networking.v1.NetworkPolicySpec;

/** The namespace's network rules: deny everything, then allow what the apps need by name. */
export function networkPolicies(
    args: Pick<
        EnvironmentArgs,
        "environment" | "apps" | "publicApps" | "ingressNamespace" | "databasePort"
    >,
): Array<{ name: string; spec: PolicySpec }> {
    const sel = (app: string) => ({ matchLabels: selectorLabels(app, args.environment) });
    const ingressNs = args.ingressNamespace ?? "ingress-nginx";
    const policies: Array<{ name: string; spec: PolicySpec }> = [
        { name: "default-deny", spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] } },
        {
            name: "allow-dns",
            spec: {
                podSelector: {},
                policyTypes: ["Egress"],
                egress: [
                    {
                        to: [
                            {
                                namespaceSelector: {},
                                podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
                            },
                        ],
                        ports: [
                            { protocol: "UDP", port: 53 },
                            { protocol: "TCP", port: 53 },
                        ],
                    },
                ],
            },
        },
    ];
    for (const app of args.publicApps ?? args.apps) {
        policies.push({
            name: `allow-ingress-to-${app}`,
            spec: {
                podSelector: sel(app),
                policyTypes: ["Ingress"],
                ingress: [
                    {
                        from: [
                            {
                                namespaceSelector: {
                                    matchLabels: { "kubernetes.io/metadata.name": ingressNs },
                                },
                            },
                        ],
                    },
                ],
            },
        });
    }
    if (args.apps.includes("api")) {
        policies.push({
            name: "allow-api-to-database",
            spec: {
                podSelector: sel("api"),
                policyTypes: ["Egress"],
                egress: [{ ports: [{ protocol: "TCP", port: args.databasePort }] }],
            },
        });
        policies.push({
            name: "allow-database-from-api",
            spec: {
                podSelector: sel("postgres"),
                policyTypes: ["Ingress"],
                ingress: [
                    {
                        from: [{ podSelector: sel("api") }],
                        ports: [{ protocol: "TCP", port: args.databasePort }],
                    },
                ],
            },
        });
    }
    // OAuth providers and SMTP are outside the cluster: HTTPS and submission only.
    for (const app of args.apps.filter((a) => a !== "website")) {
        policies.push({
            name: `allow-${app}-egress-https-smtp`,
            spec: {
                podSelector: sel(app),
                policyTypes: ["Egress"],
                egress: [
                    {
                        ports: [
                            { protocol: "TCP", port: 443 },
                            { protocol: "TCP", port: 587 },
                        ],
                    },
                ],
            },
        });
    }
    return policies;
}
