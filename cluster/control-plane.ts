/**
 * The local Kubernetes control plane behind `npm run cluster:up|down|status`: etcd,
 * kube-apiserver, kube-controller-manager, kube-scheduler and kwok (fake kubelets), all
 * built from Go modules by setup, all on 127.0.0.1 ports the kernel hands out, all state
 * in one gitignored folder that `down` removes.
 *
 * How it differs from a real cluster (README, "The local cluster"): no container ever
 * runs (kwok marks Pods Running and Ready as soon as they are scheduled, whatever their
 * image or probes), pod and node IPs are made up and never reachable, there is no ingress
 * controller, no CNI (NetworkPolicies are stored, not enforced), one admin identity drives
 * every component, and etcd runs without fsync.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { KubeApi } from "./kube-api";
import { createPki, Pki, pkiPaths } from "./pki";
import { freeLoopbackPort } from "./ports";
import {
    isAlive,
    lastLines,
    isSameProcess,
    strayProcesses,
    sleep,
    startDetached,
    Started,
    stopProcess,
} from "./processes";
import { readInputFile } from "../lib/input-file";

export const CONTEXT = "keybuzz-local";
export const NODE_NAME = "kwok-node-0";
/** Name of the StorageClass kwok's volume stages provision fake volumes for. */
export const STORAGE_CLASS = "kwok-volume";

export interface ClusterLayout {
    readonly dir: string;
    readonly kubeconfig: string;
    readonly stateFile: string;
    readonly logs: string;
    readonly pki: Pki;
}

export interface ClusterState {
    readonly apiServer: string;
    readonly ports: Record<string, number>;
    readonly processes: Started[];
    readonly startedAt: string;
}

export interface Binaries {
    readonly etcd: string;
    readonly apiserver: string;
    readonly controllerManager: string;
    readonly scheduler: string;
    readonly kwok: string;
    readonly kwokStages: string;
}

export function layout(dir: string): ClusterLayout {
    return {
        dir,
        kubeconfig: path.join(dir, "kubeconfig"),
        stateFile: path.join(dir, "state.json"),
        logs: path.join(dir, "logs"),
        pki: pkiPaths(path.join(dir, "pki")),
    };
}

/** The binaries scripts/toolchain.sh built, from the folders scripts/env.sh names. */
export function binariesFromEnv(env: NodeJS.ProcessEnv = process.env): Binaries {
    const need = (name: string) => {
        const v = env[name];
        if (!v)
            throw new Error(
                `${name} is not set; run this through npm (npm run cluster:up), which sets up the toolchain paths`,
            );
        return v;
    };
    const kube = need("KEYBUZZ_KUBE_DIR");
    const kwok = need("KEYBUZZ_KWOK_DIR");
    return {
        etcd: path.join(need("KEYBUZZ_ETCD_DIR"), "etcd"),
        apiserver: path.join(kube, "kube-apiserver"),
        controllerManager: path.join(kube, "kube-controller-manager"),
        scheduler: path.join(kube, "kube-scheduler"),
        kwok: path.join(kwok, "kwok"),
        kwokStages: path.join(kwok, "stages"),
    };
}

export function readState(l: ClusterLayout): ClusterState | undefined {
    try {
        // Bounded and by type: a state file replaced by a device or FIFO must not hang or fill memory.
        return JSON.parse(
            readInputFile(l.stateFile, "cluster state file", 1 << 20),
        ) as ClusterState;
    } catch {
        return undefined;
    }
}

export interface Health {
    readonly running: boolean;
    readonly version?: string;
    readonly readyNodes: string[];
    readonly apiServer?: string;
    readonly problem?: string;
}

export async function health(l: ClusterLayout): Promise<Health> {
    const state = readState(l);
    if (!state) return { running: false, readyNodes: [], problem: "not started (no state)" };
    const dead = state.processes.filter((p) => !isAlive(p.pid)).map((p) => p.name);
    if (dead.length)
        return {
            running: false,
            readyNodes: [],
            apiServer: state.apiServer,
            problem: `process exited: ${dead.join(", ")}`,
        };
    const api = new KubeApi(state.apiServer, l.pki);
    try {
        if (!(await api.readyz()))
            return {
                running: false,
                readyNodes: [],
                apiServer: state.apiServer,
                problem: "the API server does not answer /readyz",
            };
        const readyNodes = await api.readyNodes();
        return {
            running: readyNodes.length > 0,
            version: await api.version(),
            readyNodes,
            apiServer: state.apiServer,
            problem: readyNodes.length ? undefined : "no node is Ready",
        };
    } catch (e) {
        return {
            running: false,
            readyNodes: [],
            apiServer: state.apiServer,
            problem: (e as Error).message,
        };
    } finally {
        await api.close();
    }
}

function kubeconfigYaml(server: string, pki: Pki): string {
    const b64 = (f: string) => fs.readFileSync(f).toString("base64");
    return [
        "apiVersion: v1",
        "kind: Config",
        `current-context: ${CONTEXT}`,
        "clusters:",
        `- name: ${CONTEXT}`,
        "  cluster:",
        `    server: ${server}`,
        `    certificate-authority-data: ${b64(pki.caCert)}`,
        "contexts:",
        `- name: ${CONTEXT}`,
        "  context:",
        `    cluster: ${CONTEXT}`,
        `    user: ${CONTEXT}-admin`,
        "users:",
        `- name: ${CONTEXT}-admin`,
        "  user:",
        `    client-certificate-data: ${b64(pki.adminCert)}`,
        `    client-key-data: ${b64(pki.adminKey)}`,
        "",
    ].join("\n");
}

async function waitFor(
    what: string,
    started: Started | undefined,
    timeoutMs: number,
    check: () => Promise<boolean>,
): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
        if (await check()) return;
        if (started && !isAlive(started.pid))
            throw new Error(
                `${started.name} exited while waiting for ${what}; last lines of ${started.log}:\n${lastLines(started.log, 15)}`,
            );
        await sleep(200);
    }
    const hint = started ? `; last lines of ${started.log}:\n${lastLines(started.log, 15)}` : "";
    throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}${hint}`);
}

async function httpOk(url: string): Promise<boolean> {
    try {
        const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
        return res.ok;
    } catch {
        return false;
    }
}

export type Progress = (line: string) => void;

/**
 * Starts the control plane unless it already runs and is healthy. Returns the kubeconfig
 * path. A half-started or broken earlier cluster is torn down first; a failure here tears
 * down what this call started, so `up` never leaves a partial cluster behind.
 */
export async function up(
    l: ClusterLayout,
    bin: Binaries,
    progress: Progress,
): Promise<{ kubeconfig: string; reused: boolean; seconds: number }> {
    const t0 = Date.now();
    if ((await health(l)).running) return { kubeconfig: l.kubeconfig, reused: true, seconds: 0 };
    await down(l, () => {}, Object.values(bin));
    for (const [name, file] of Object.entries(bin)) {
        if (!fs.existsSync(file))
            throw new Error(`${name} is not built (${file} is missing); run npm run setup`);
    }
    fs.mkdirSync(l.dir, { recursive: true, mode: 0o700 });
    fs.writeFileSync(path.join(l.dir, CLUSTER_MARKER), "created by npm run cluster:up\n");
    const processes: Started[] = [];
    const ports: Record<string, number> = {};
    for (const name of ["etcdClient", "etcdPeer", "apiserver", "controllerManager", "scheduler"])
        ports[name] = await freeLoopbackPort();
    const apiServer = `https://127.0.0.1:${ports.apiserver}`;
    const save = () =>
        fs.writeFileSync(
            l.stateFile,
            JSON.stringify(
                {
                    apiServer,
                    ports,
                    processes,
                    startedAt: new Date(t0).toISOString(),
                } satisfies ClusterState,
                null,
                2,
            ),
        );
    try {
        progress("generating certificates and the service-account key");
        createPki(path.dirname(l.pki.caCert));
        fs.writeFileSync(l.kubeconfig, kubeconfigYaml(apiServer, l.pki), { mode: 0o600 });
        save();

        const etcdUrl = `http://127.0.0.1:${ports.etcdClient}`;
        const peerUrl = `http://127.0.0.1:${ports.etcdPeer}`;
        progress(`starting etcd on ${etcdUrl}`);
        const etcd = startDetached(
            "etcd",
            bin.etcd,
            [
                "--name=keybuzz-local",
                `--data-dir=${path.join(l.dir, "etcd")}`,
                `--listen-client-urls=${etcdUrl}`,
                `--advertise-client-urls=${etcdUrl}`,
                `--listen-peer-urls=${peerUrl}`,
                `--initial-advertise-peer-urls=${peerUrl}`,
                `--initial-cluster=keybuzz-local=${peerUrl}`,
                // A throw-away cluster: durability across power loss buys nothing here.
                "--unsafe-no-fsync=true",
                "--log-level=warn",
            ],
            l.logs,
        );
        processes.push(etcd);
        save();
        await waitFor("etcd /health", etcd, 30_000, () => httpOk(`${etcdUrl}/health`));

        progress(`starting kube-apiserver on ${apiServer}`);
        const apiserver = startDetached(
            "kube-apiserver",
            bin.apiserver,
            [
                `--etcd-servers=${etcdUrl}`,
                "--bind-address=127.0.0.1",
                "--advertise-address=127.0.0.1",
                `--secure-port=${ports.apiserver}`,
                `--tls-cert-file=${l.pki.serverCert}`,
                `--tls-private-key-file=${l.pki.serverKey}`,
                `--client-ca-file=${l.pki.caCert}`,
                "--service-cluster-ip-range=10.96.0.0/16",
                "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
                `--service-account-key-file=${l.pki.serviceAccountPub}`,
                `--service-account-signing-key-file=${l.pki.serviceAccountKey}`,
                "--authorization-mode=RBAC",
                // Endpoints may not hold loopback addresses: do not publish the API server's.
                "--endpoint-reconciler-type=none",
                "--allow-privileged=true",
                "--profiling=false",
                `--cert-dir=${path.join(l.dir, "pki")}`,
                "--v=0",
            ],
            l.logs,
        );
        processes.push(apiserver);
        save();
        const api = new KubeApi(apiServer, l.pki);
        try {
            await waitFor("kube-apiserver /readyz", apiserver, 90_000, () => api.readyz());
            const kubeconfig = l.kubeconfig;
            progress("starting kube-controller-manager, kube-scheduler and kwok");
            processes.push(
                startDetached(
                    "kube-controller-manager",
                    bin.controllerManager,
                    [
                        `--kubeconfig=${kubeconfig}`,
                        `--authentication-kubeconfig=${kubeconfig}`,
                        `--authorization-kubeconfig=${kubeconfig}`,
                        "--bind-address=127.0.0.1",
                        `--secure-port=${ports.controllerManager}`,
                        `--service-account-private-key-file=${l.pki.serviceAccountKey}`,
                        `--root-ca-file=${l.pki.caCert}`,
                        "--leader-elect=false",
                        "--controllers=*,-nodeipam,-cloud-node-lifecycle,-service-lb-controller,-route",
                        "--profiling=false",
                    ],
                    l.logs,
                ),
            );
            processes.push(
                startDetached(
                    "kube-scheduler",
                    bin.scheduler,
                    [
                        `--kubeconfig=${kubeconfig}`,
                        `--authentication-kubeconfig=${kubeconfig}`,
                        `--authorization-kubeconfig=${kubeconfig}`,
                        "--bind-address=127.0.0.1",
                        `--secure-port=${ports.scheduler}`,
                        "--leader-elect=false",
                        "--profiling=false",
                    ],
                    l.logs,
                ),
            );
            const stages = fs
                .readdirSync(bin.kwokStages)
                .filter((f) => f.endsWith(".yaml"))
                .map((f) => path.join(bin.kwokStages, f));
            processes.push(
                startDetached(
                    "kwok",
                    bin.kwok,
                    [
                        `--kubeconfig=${kubeconfig}`,
                        "--manage-all-nodes=false",
                        "--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake",
                        "--cidr=10.244.0.0/16",
                        "--node-ip=10.0.0.1",
                        // kwok renews the node's Lease (the heartbeat the node lifecycle
                        // controller reads); without it the node flaps to NotReady every
                        // grace period and its pods are marked not ready.
                        "--node-lease-duration-seconds=40",
                        `--config=${stages.join(",")}`,
                    ],
                    l.logs,
                ),
            );
            save();

            progress(`creating node ${NODE_NAME} and StorageClass ${STORAGE_CLASS}`);
            await api.ensure("/api/v1/nodes", {
                apiVersion: "v1",
                kind: "Node",
                metadata: {
                    name: NODE_NAME,
                    annotations: {
                        "kwok.x-k8s.io/node": "fake",
                        "node.alpha.kubernetes.io/ttl": "0",
                    },
                    labels: {
                        "kubernetes.io/hostname": NODE_NAME,
                        "kubernetes.io/os": "linux",
                        "kubernetes.io/arch": "amd64",
                        type: "kwok",
                    },
                },
            });
            await api.ensure("/apis/storage.k8s.io/v1/storageclasses", {
                apiVersion: "storage.k8s.io/v1",
                kind: "StorageClass",
                metadata: {
                    name: STORAGE_CLASS,
                    annotations: { "storageclass.kubernetes.io/is-default-class": "true" },
                },
                provisioner: "kwok.x-k8s.io/volume",
                volumeBindingMode: "Immediate",
                reclaimPolicy: "Delete",
            });
            await waitFor(
                `node ${NODE_NAME} Ready`,
                processes[processes.length - 1],
                60_000,
                async () => (await api.readyNodes()).includes(NODE_NAME),
            );
            await waitFor(
                "the default ServiceAccount",
                processes[processes.length - 3],
                60_000,
                async () =>
                    (await api.call("GET", "/api/v1/namespaces/default/serviceaccounts/default"))
                        .status === 200,
            );
        } finally {
            await api.close();
        }
        return { kubeconfig: l.kubeconfig, reused: false, seconds: (Date.now() - t0) / 1000 };
    } catch (e) {
        await down(l, () => {});
        throw e;
    }
}

/**
 * Stops every process started for this folder (workers first, the API server before etcd:
 * with etcd gone first the API server ignores SIGTERM for a long time) and removes the
 * folder. Safe to run when nothing runs.
 */
/** Written by up into the folder it creates; down deletes only a folder that has it. */
export const CLUSTER_MARKER = ".keybuzz-cluster";

export async function down(
    l: ClusterLayout,
    progress: Progress,
    /** The toolchain's binaries, to find processes of a crashed up (strayProcesses). */
    executables?: readonly string[],
): Promise<{ stopped: string[] }> {
    const order = ["kwok", "kube-scheduler", "kube-controller-manager", "kube-apiserver", "etcd"];
    const state = readState(l);
    const byName = new Map<string, number[]>();
    // Only the very processes recorded: same pid, start time and executable.
    for (const p of state?.processes ?? [])
        if (isSameProcess(p)) byName.set(p.name, [...(byName.get(p.name) ?? []), p.pid]);
    // A crashed up that never wrote its state: our own binaries, with this folder as an argument.
    for (const p of strayProcesses(l.dir, executables ?? [])) {
        const name = order.find((n) => p.exe.endsWith(`/${n}`)) ?? "other";
        if (![...byName.values()].flat().includes(p.pid))
            byName.set(name, [...(byName.get(name) ?? []), p.pid]);
    }
    const stopped: string[] = [];
    for (const name of [...order, "other"]) {
        for (const pid of byName.get(name) ?? []) {
            progress(`stopping ${name} (pid ${pid})`);
            await stopProcess(pid, name === "kube-apiserver" ? 20_000 : 10_000);
            stopped.push(name);
        }
    }
    // Only a folder this tool created (its marker inside): a state folder pointed at
    // something else by mistake is left where it is.
    if (fs.existsSync(path.join(l.dir, CLUSTER_MARKER)))
        fs.rmSync(l.dir, { recursive: true, force: true });
    else if (fs.existsSync(l.dir))
        progress(
            `left ${l.dir} in place: it has no ${CLUSTER_MARKER} marker, so this tool did not create it`,
        );
    return { stopped };
}
