/**
 * The few Kubernetes API calls the control plane's lifecycle needs (health, version,
 * nodes, creating the fake node and the StorageClass), over undici with the admin client
 * certificate. Not a general client: the product talks to clusters through the Pulumi
 * provider and kubectl.
 */
import * as fs from "node:fs";
import { Agent, request } from "undici";
import { Pki } from "./pki";

export class KubeApi {
    private readonly agent: Agent;

    constructor(
        readonly server: string,
        pki: Pki,
    ) {
        this.agent = new Agent({
            connect: {
                ca: fs.readFileSync(pki.caCert),
                cert: fs.readFileSync(pki.adminCert),
                key: fs.readFileSync(pki.adminKey),
            },
            headersTimeout: 5_000,
            bodyTimeout: 5_000,
        });
    }

    async call(
        method: "GET" | "POST" | "PUT" | "DELETE",
        path: string,
        body?: unknown,
    ): Promise<{ status: number; json: any }> {
        const res = await request(this.server + path, {
            method,
            dispatcher: this.agent,
            headers: body === undefined ? {} : { "content-type": "application/json" },
            body: body === undefined ? undefined : JSON.stringify(body),
        });
        const text = await res.body.text();
        let json: unknown = undefined;
        try {
            json = text ? JSON.parse(text) : undefined;
        } catch {
            json = text;
        }
        return { status: res.statusCode, json };
    }

    /** Creates the object unless it exists (409 is success: `up` is idempotent). */
    async ensure(collectionPath: string, object: unknown): Promise<void> {
        const { status, json } = await this.call("POST", collectionPath, object);
        if (status !== 201 && status !== 409)
            throw new Error(
                `creating ${collectionPath} answered ${status}: ${JSON.stringify(json)?.slice(0, 300)}`,
            );
    }

    async readyz(): Promise<boolean> {
        try {
            return (await this.call("GET", "/readyz")).status === 200;
        } catch {
            return false;
        }
    }

    async version(): Promise<string> {
        return (await this.call("GET", "/version")).json.gitVersion;
    }

    async readyNodes(): Promise<string[]> {
        const { status, json } = await this.call("GET", "/api/v1/nodes");
        if (status !== 200) return [];
        // Ready, and schedulable: the node lifecycle controller lifts the not-ready taint.
        return (json.items ?? [])
            .filter((n: any) =>
                (n.status?.conditions ?? []).some(
                    (c: any) => c.type === "Ready" && c.status === "True",
                ),
            )
            .filter(
                (n: any) =>
                    !(n.spec?.taints ?? []).some(
                        (t: any) =>
                            t.key === "node.kubernetes.io/not-ready" ||
                            t.key === "node.kubernetes.io/unreachable",
                    ),
            )
            .map((n: any) => n.metadata.name as string);
    }

    async close(): Promise<void> {
        await this.agent.close();
    }
}
