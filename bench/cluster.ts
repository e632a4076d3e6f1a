/**
 * bench/cluster: the local cluster with its real node, and the dev-like stack on it, as users
 * run them.
 *  - `npm run cluster:up` from nothing (the checkout's cluster folder, stopped first) to a
 *    Ready node, then to the first Ready pod of the API image (pushed with `npm run images`),
 *    median of 3; peak RSS of kubelet + containerd (+ shims) while pods run;
 *  - the dev-like stack (Pulumi.dev.yaml pointed at the local cluster, its registry and the
 *    machine's PostgreSQL) through `npm run pulumi -- up|destroy`: cold up, an image change
 *    (the API's good build → its stale build), destroy, median of 3 each;
 *  - the peer, in the same run: `kubectl apply --server-side` of the same objects (read back
 *    from the cluster after an up) followed by `kubectl rollout status`, the same image change,
 *    and `kubectl delete namespace --wait`. kubectl creates no database role; Pulumi does.
 * The developer's cluster is stopped by this benchmark (its stack deployed again when it was).
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import {
    grantPulls,
    kubectl,
    localCluster,
    localImages,
    localRegistry,
} from "../test/support/local-cluster";
import { npmRun } from "../test/support/run";
import { ROOT } from "../test/support/stacks";
import { median } from "./stats";

const RUNS = Number(process.env.KEYBUZZ_BENCH_RUNS ?? 3);
const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
function timed(what: string, fn: () => { code: number; stdout: string; stderr: string }): number {
    const t = performance.now();
    const r = fn();
    const ms = performance.now() - t;
    if (r.code !== 0)
        throw new Error(
            `${what} failed (${r.code}): ${r.stdout.slice(-2000)}${r.stderr.slice(-2000)}`,
        );
    return ms;
}
const sleepSync = (s: number) => spawnSync("sleep", [String(s)]);

function rssKiB(names: string[]): number {
    let total = 0;
    for (const d of fs.readdirSync("/proc").filter((x) => /^\d+$/.test(x))) {
        try {
            const status = fs.readFileSync(`/proc/${d}/status`, "utf8");
            const name = /^Name:\s+(\S+)/m.exec(status)?.[1] ?? "";
            if (names.some((n) => name.startsWith(n)))
                total += Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0);
        } catch {
            // exited
        }
    }
    return total;
}

// 1. Cluster start from nothing, to a Ready node and to the first Ready pod.
const userStack =
    npmRun("cluster:status", []).code === 0 &&
    kubectl(["get", "namespace", "keybuzz-local"]).code === 0;
const toNode: number[] = [];
const toPod: number[] = [];
let peakNodeRss = 0;
for (let i = 0; i < RUNS; i++) {
    npmRun("cluster:down", []);
    const t0 = performance.now();
    timed("cluster:up", () => npmRun("cluster:up", []));
    toNode.push(performance.now() - t0);
    const api = localImages("good").api;
    const t1 = performance.now();
    const manifest = path.join(os.tmpdir(), `keybuzz-bench-pod-${process.pid}.json`);
    const pusher = JSON.parse(
        fs.readFileSync(path.join(path.dirname(localCluster()), "registry", "pusher.json"), "utf8"),
    );
    kubectl([
        "create",
        "secret",
        "docker-registry",
        "pull",
        `--docker-server=${localRegistry()}`,
        `--docker-username=${pusher.username}`,
        `--docker-password=${pusher.password}`,
    ]);
    fs.writeFileSync(
        manifest,
        JSON.stringify({
            apiVersion: "apps/v1",
            kind: "Deployment",
            metadata: { name: "bench-api", namespace: "default" },
            spec: {
                replicas: 3,
                selector: { matchLabels: { app: "bench-api" } },
                template: {
                    metadata: { labels: { app: "bench-api" } },
                    spec: {
                        imagePullSecrets: [{ name: "pull" }],
                        containers: [
                            {
                                name: "api",
                                image: api,
                                readinessProbe: {
                                    httpGet: { path: "/health", port: 3001 },
                                    periodSeconds: 1,
                                },
                            },
                        ],
                    },
                },
            },
        }),
    );
    timed("kubectl apply + rollout status", () =>
        chain(
            () => kubectl(["apply", "-f", manifest]),
            () => kubectl(["rollout", "status", "deployment/bench-api", "--timeout=120s"]),
        ),
    );
    toPod.push(performance.now() - t1 + toNode[i]);
    for (let s = 0; s < 5; s++) {
        peakNodeRss = Math.max(peakNodeRss, rssKiB(["kubelet", "containerd"]));
        sleepSync(1);
    }
    kubectl(["delete", "deployment", "bench-api", "--wait=true"]);
    fs.rmSync(manifest, { force: true });
}
console.log(
    `bench/cluster — npm run cluster:up from nothing to node ${"keybuzz-node-0"} Ready (etcd, API server, controller-manager, scheduler, registry, containerd, kubelet, kube-proxy): ${secs(median(toNode))} median of ${RUNS} (${toNode.map((x) => (x / 1000).toFixed(1)).join(", ")} s)`,
);
console.log(
    `bench/cluster — … to the first Deployment of the API image rolled out (3 pods Ready, image pushed by npm run images first): ${secs(median(toPod))} median of ${RUNS} (${toPod.map((x) => (x / 1000).toFixed(1)).join(", ")} s)`,
);
console.log(
    `bench/cluster — peak RSS of kubelet + containerd + shims with 3 pods: ${(peakNodeRss / 1024).toFixed(0)} MiB`,
);

// 2. The dev-like stack through the real CLI and provider.
const kubeconfig = localCluster();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "keybuzz-bench-stack-"));
const env = { PULUMI_BACKEND_URL: `file://${path.join(tmp, "state")}`, KUBECONFIG: kubeconfig };
fs.mkdirSync(path.join(tmp, "state"));
const configFile = path.join(tmp, "Pulumi.dev.yaml");
const doc = parse(fs.readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8"));
// Real images: the API's good build, then its stale build (both answer /health).
const good = localImages("good");
const IMAGES = [good.api, localImages("stale").api];
function writeConfig(image: string) {
    const d = structuredClone(doc);
    d.config["keybuzz-platform:kubernetes"] = { context: "keybuzz-local", awaitIngress: false };
    // The machine's PostgreSQL trusts local logins: the admin password is not checked here.
    Object.assign(d.config["keybuzz-platform:database"], {
        host: "127.0.0.1",
        port: 5432,
        adminUser: "postgres",
        name: "keybuzz_dev_bench",
        user: "keybuzz_api_dev_bench",
    });
    d.config["keybuzz-platform:protect"] = "false";
    for (const app of ["client", "website"])
        d.config["keybuzz-platform:services"][app].image = good[app];
    d.config["keybuzz-platform:services"].api.image = image;
    d.config["keybuzz-platform:registry"] = {
        server: localRegistry(),
        username: "keybuzz-dev-bench",
    };
    fs.writeFileSync(configFile, stringify(d));
}
const pulumi = (...args: string[]) =>
    npmRun(
        "pulumi",
        [...args, "--stack", "dev", "--config-file", configFile, "--yes", "--skip-preview"],
        env,
    );
writeConfig(IMAGES[0]);
grantPulls(configFile);
npmRun("pulumi", ["stack", "init", "dev", "--non-interactive"], env);
const ours = { up: [] as number[], update: [] as number[], destroy: [] as number[] };
let manifests = "";
for (let i = 0; i < RUNS; i++) {
    writeConfig(IMAGES[0]);
    ours.up.push(timed("pulumi up", () => pulumi("up")));
    if (!manifests) manifests = liveManifests("keybuzz-dev");
    writeConfig(IMAGES[1]);
    ours.update.push(timed("pulumi up (image change)", () => pulumi("up")));
    ours.destroy.push(timed("pulumi destroy", () => pulumi("destroy")));
}

// 3. The peer on the same objects.
const manifestFile = path.join(tmp, "manifests.yaml");
const peer = { up: [] as number[], update: [] as number[], destroy: [] as number[] };
const rollout = () =>
    kubectl(["rollout", "status", "deployment", "-n", "keybuzz-dev", "--timeout=300s"]);
for (let i = 0; i < RUNS; i++) {
    fs.writeFileSync(manifestFile, manifests);
    peer.up.push(
        timed("kubectl apply", () =>
            chain(() => kubectl(["apply", "--server-side", "-f", manifestFile]), rollout),
        ),
    );
    fs.writeFileSync(manifestFile, manifests.split(IMAGES[0]).join(IMAGES[1]));
    peer.update.push(
        timed("kubectl apply (image change)", () =>
            chain(() => kubectl(["apply", "--server-side", "-f", manifestFile]), rollout),
        ),
    );
    peer.destroy.push(
        timed("kubectl delete", () =>
            kubectl(["delete", "namespace", "keybuzz-dev", "--wait=true"]),
        ),
    );
}
fs.rmSync(tmp, { recursive: true, force: true });
if (userStack) npmRun("up", []);
for (const step of ["up", "update", "destroy"] as const) {
    const o = median(ours[step]);
    const p = median(peer[step]);
    console.log(
        `bench/cluster — dev-like stack ${step === "up" ? "cold up" : step === "update" ? "image-change update" : "destroy"}: npm run pulumi ${secs(o)} vs kubectl ${secs(p)} → ${(o / p).toFixed(1)}× kubectl (medians of ${RUNS}; ours ${ours[step].map((x) => (x / 1000).toFixed(1)).join(", ")} s)`,
    );
}

function chain(...steps: (() => { code: number; stdout: string; stderr: string })[]) {
    let last = { code: 0, stdout: "", stderr: "" };
    for (const s of steps) {
        last = s();
        if (last.code !== 0) return last;
    }
    return last;
}

/** The stack's objects as plain manifests, read back from the API server. */
function liveManifests(ns: string): string {
    const kinds =
        "serviceaccounts,secrets,services,deployments,networkpolicies,ingresses,poddisruptionbudgets";
    const items = JSON.parse(
        spawnSync("kubectl", ["--kubeconfig", kubeconfig, "get", kinds, "-n", ns, "-o", "json"], {
            encoding: "utf8",
            maxBuffer: 64 << 20,
        }).stdout,
    ).items;
    const nsObject = {
        apiVersion: "v1",
        kind: "Namespace",
        metadata: { name: ns, labels: { "keybuzz.io/environment": "dev" } },
    };
    const clean = items
        .filter((o: any) => !(o.kind === "ServiceAccount" && o.metadata.name === "default"))
        .map((o: any) => {
            const {
                uid,
                resourceVersion,
                creationTimestamp,
                managedFields,
                generation,
                ...metadata
            } = o.metadata;
            (void uid, resourceVersion, creationTimestamp, managedFields, generation);
            if (metadata.annotations)
                delete metadata.annotations["deployment.kubernetes.io/revision"];
            const spec = o.spec ? { ...o.spec } : undefined;
            if (o.kind === "Service" && spec) (delete spec.clusterIP, delete spec.clusterIPs);
            const { status, ...rest } = o;
            void status;
            return { ...rest, metadata, ...(spec ? { spec } : {}) };
        });
    return [nsObject, ...clean].map((o) => stringify(o)).join("---\n");
}
