/**
 * The local Kubernetes control plane behind `npm run cluster:up|down|status`: etcd,
 * kube-apiserver, kube-controller-manager, kube-scheduler and kwok (fake kubelets), all
 * built from Go modules by setup, all on 127.0.0.1 ports the kernel hands out, all state
 * in one gitignored folder that `down` removes.
 *
 * By default the cluster has one real node (cluster/node.ts: containerd, runc, CNI, kubelet,
 * kube-proxy) and its own registry (cluster/registry.ts); KEYBUZZ_CLUSTER_NODE=kwok gives the
 * old fake node instead (kwok: Pods marked Running whatever their image), for tests of the
 * control plane alone. How it differs from a real cluster: README, "The local cluster".
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
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
import { HostRecord, recordHost, restoreHost, unmountUnder } from "./host-changes";
import {
    addNodeAddress,
    nodeBinariesFromEnv,
    BRIDGE,
    importSandboxImage,
    killContainers,
    NODE_LINK,
    NodeBinaries,
    nodeLayout,
    REAL_NODE_NAME,
    releaseNodeLock,
    SERVICE_CIDR,
    startContainerd,
    startKubelet,
    startKubeProxy,
    takeNodeLock,
    writeNodeConfig,
} from "./node";
import {
    grantAccount,
    prepareRegistry,
    REGISTRY_BINARY,
    registryLayout,
    registryPort,
} from "./registry";
import { buildPauseImage } from "../images/build";
import { ensureVolumes } from "./volumes";

export const CONTEXT = "keybuzz-local";
export const KWOK_NODE_NAME = "kwok-node-0";
export type NodeKind = "real" | "kwok";

export function nodeKindFromEnv(env: NodeJS.ProcessEnv = process.env): NodeKind {
    const v = env.KEYBUZZ_CLUSTER_NODE ?? "real";
    if (v !== "real" && v !== "kwok")
        throw new Error(
            `KEYBUZZ_CLUSTER_NODE=${v.slice(0, 40)}: give real (the default: a kubelet running real containers) or kwok (a fake node, nothing runs)`,
        );
    return v;
}
/** Name of the StorageClass kwok's volume stages provision fake volumes for (kwok node only). */
export const KWOK_STORAGE_CLASS = "kwok-volume";

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
    readonly nodeKind?: NodeKind;
    /** host:port of the cluster's registry (real node). */
    readonly registry?: string;
    /** The machine as it was before the real node started: what down restores. */
    readonly host?: HostRecord;
}

export interface Binaries {
    readonly etcd: string;
    readonly apiserver: string;
    readonly controllerManager: string;
    readonly scheduler: string;
    readonly kwok: string;
    readonly kwokStages: string;
    readonly node?: NodeBinaries;
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
        node: env.KEYBUZZ_KUBE_NODE_DIR ? nodeBinariesFromEnv(env) : undefined,
    };
}

/** Every executable of the cluster, to find its processes when no state recorded them. */
export function executablesOf(bin: Binaries): string[] {
    const { node, kwokStages: _stages, ...control } = bin;
    return [
        ...Object.values(control),
        ...(node
            ? [node.containerd, node.kubelet, node.kubeProxy, "/usr/bin/containerd-shim-runc-v2"]
            : []),
        REGISTRY_BINARY,
    ];
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
 * Starts the cluster unless it already runs and is healthy. Returns the kubeconfig path. A
 * half-started or broken earlier cluster is torn down first; a failure here tears down what
 * this call started, so `up` never leaves a partial cluster behind.
 */
export async function up(
    l: ClusterLayout,
    bin: Binaries,
    progress: Progress,
    nodeKind: NodeKind = "real",
): Promise<{ kubeconfig: string; reused: boolean; seconds: number }> {
    const t0 = Date.now();
    const before = readState(l);
    if ((await health(l)).running && (before?.nodeKind ?? "kwok") === nodeKind) {
        if (nodeKind === "real")
            await withApi(l, before!.apiServer, (api) => ensureVolumes(api, l.dir));
        return { kubeconfig: l.kubeconfig, reused: true, seconds: 0 };
    }
    await down(l, () => {}, executablesOf(bin));
    const needed: Record<string, string> = {
        etcd: bin.etcd,
        apiserver: bin.apiserver,
        controllerManager: bin.controllerManager,
        scheduler: bin.scheduler,
    };
    if (nodeKind === "kwok") Object.assign(needed, { kwok: bin.kwok, kwokStages: bin.kwokStages });
    else {
        if (!bin.node)
            throw new Error(
                "KEYBUZZ_KUBE_NODE_DIR is not set; run this through npm (npm run cluster:up)",
            );
        Object.assign(needed, {
            kubelet: bin.node.kubelet,
            "kube-proxy": bin.node.kubeProxy,
            containerd: bin.node.containerd,
            runc: bin.node.runc,
            "CNI plugins": path.join(bin.node.cniDir, "bridge"),
            "docker-registry": REGISTRY_BINARY,
        });
    }
    for (const [name, file] of Object.entries(needed)) {
        if (!fs.existsSync(file))
            throw new Error(`${name} is not installed (${file} is missing); run npm run setup`);
    }
    fs.mkdirSync(l.dir, { recursive: true, mode: 0o700 });
    fs.writeFileSync(path.join(l.dir, CLUSTER_MARKER), "created by npm run cluster:up\n");
    const processes: Started[] = [];
    const ports: Record<string, number> = {};
    for (const name of [
        "etcdClient",
        "etcdPeer",
        "apiserver",
        "controllerManager",
        "scheduler",
        "kubeletHealthz",
        "proxyHealthz",
        "proxyMetrics",
    ])
        ports[name] = await freeLoopbackPort();
    const apiServer = `https://127.0.0.1:${ports.apiserver}`;
    let registry: string | undefined;
    let host: HostRecord | undefined;
    const save = () =>
        fs.writeFileSync(
            l.stateFile,
            JSON.stringify(
                {
                    apiServer,
                    ports,
                    processes,
                    startedAt: new Date(t0).toISOString(),
                    nodeKind,
                    registry,
                    host,
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
                `--service-cluster-ip-range=${SERVICE_CIDR}`,
                "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
                `--service-account-key-file=${l.pki.serviceAccountPub}`,
                `--service-account-signing-key-file=${l.pki.serviceAccountKey}`,
                "--authorization-mode=Node,RBAC",
                // Endpoints may not hold loopback addresses: do not publish the API server's.
                "--endpoint-reconciler-type=none",
                "--allow-privileged=true",
                "--profiling=false",
                // logs, exec and port-forward: the kubelet answers on the node's address and
                // accepts only clients signed by the cluster's CA.
                "--kubelet-preferred-address-types=InternalIP",
                `--kubelet-client-certificate=${l.pki.adminCert}`,
                `--kubelet-client-key=${l.pki.adminKey}`,
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
            progress("starting kube-controller-manager and kube-scheduler");
            const controllerManager = startDetached(
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
            );
            processes.push(controllerManager);
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
            save();
            if (nodeKind === "kwok") await startKwokNode(l, bin, api, processes, save);
            else {
                const started = await startRealNode(
                    l,
                    bin.node!,
                    ports,
                    progress,
                    processes,
                    (r, h) => {
                        registry = r ?? registry;
                        host = h ?? host;
                        save();
                    },
                );
                await waitFor(`node ${REAL_NODE_NAME} Ready`, started, 90_000, async () =>
                    (await api.readyNodes()).includes(REAL_NODE_NAME),
                );
                await ensureVolumes(api, l.dir);
            }
            await waitFor(
                "the default ServiceAccount",
                controllerManager,
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
        await down(l, () => {}, executablesOf(bin));
        throw e;
    }
}

async function withApi<T>(
    l: ClusterLayout,
    server: string,
    f: (api: KubeApi) => Promise<T>,
): Promise<T> {
    const api = new KubeApi(server, l.pki);
    try {
        return await f(api);
    } finally {
        await api.close();
    }
}

async function startKwokNode(
    l: ClusterLayout,
    bin: Binaries,
    api: KubeApi,
    processes: Started[],
    save: () => void,
): Promise<void> {
    const stages = fs
        .readdirSync(bin.kwokStages)
        .filter((f) => f.endsWith(".yaml"))
        .map((f) => path.join(bin.kwokStages, f));
    const kwok = startDetached(
        "kwok",
        bin.kwok,
        [
            `--kubeconfig=${l.kubeconfig}`,
            "--manage-all-nodes=false",
            "--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake",
            "--cidr=10.244.0.0/16",
            "--node-ip=10.0.0.1",
            // kwok renews the node's Lease (the heartbeat the node lifecycle controller
            // reads); without it the node flaps to NotReady every grace period.
            "--node-lease-duration-seconds=40",
            `--config=${stages.join(",")}`,
        ],
        l.logs,
    );
    processes.push(kwok);
    save();
    await api.ensure("/api/v1/nodes", {
        apiVersion: "v1",
        kind: "Node",
        metadata: {
            name: KWOK_NODE_NAME,
            annotations: { "kwok.x-k8s.io/node": "fake", "node.alpha.kubernetes.io/ttl": "0" },
            labels: {
                "kubernetes.io/hostname": KWOK_NODE_NAME,
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
            name: KWOK_STORAGE_CLASS,
            annotations: { "storageclass.kubernetes.io/is-default-class": "true" },
        },
        provisioner: "kwok.x-k8s.io/volume",
        volumeBindingMode: "Immediate",
        reclaimPolicy: "Delete",
    });
    await waitFor(`node ${KWOK_NODE_NAME} Ready`, kwok, 60_000, async () =>
        (await api.readyNodes()).includes(KWOK_NODE_NAME),
    );
}

/** Registry, containerd (with the pause image imported), kubelet and kube-proxy. */
async function startRealNode(
    l: ClusterLayout,
    bin: NodeBinaries,
    ports: Record<string, number>,
    progress: Progress,
    processes: Started[],
    record: (registry?: string, host?: HostRecord) => void,
): Promise<Started> {
    const n = nodeLayout(l.dir);
    const r = registryLayout(l.dir);
    const registry = `127.0.0.1:${await registryPort(freeLoopbackPort)}`;
    prepareRegistry(r, registry);
    progress(`starting the cluster's registry on ${registry}`);
    const reg = startDetached("docker-registry", REGISTRY_BINARY, ["serve", r.config], l.logs);
    processes.push(reg);
    record(registry);
    await waitFor(`the registry on ${registry}`, reg, 30_000, async () => {
        try {
            return (
                (await fetch(`http://${registry}/v2/`, { signal: AbortSignal.timeout(2000) }))
                    .status === 401
            );
        } catch {
            return false;
        }
    });
    // What the node will change outside its folder, on disk before anything can change it.
    takeNodeLock(l.dir, () => undefined);
    record(undefined, recordHost());
    addNodeAddress();
    writeNodeConfig(n, bin, {
        kubeconfig: l.kubeconfig,
        caCert: l.pki.caCert,
        healthzPort: ports.kubeletHealthz,
        proxyHealthzPort: ports.proxyHealthz,
        proxyMetricsPort: ports.proxyMetrics,
        registry,
    });
    progress("starting containerd");
    const containerd = startContainerd(n, bin, l.logs);
    processes.push(containerd);
    record();
    takeNodeLock(l.dir, () => containerd);
    await waitFor("containerd's socket", containerd, 30_000, async () => fs.existsSync(n.socket));
    const pause = await buildPauseImage(path.join(l.dir, "images"));
    await importSandboxImage(n, bin, pause.layout);
    progress(`starting kubelet and kube-proxy (node ${REAL_NODE_NAME})`);
    const kubelet = startKubelet(n, bin, l.kubeconfig, l.logs);
    processes.push(kubelet);
    processes.push(startKubeProxy(n, bin, l.logs));
    record();
    return kubelet;
}

/** Written by up into the folder it creates; down deletes only a folder that has it. */
export const CLUSTER_MARKER = ".keybuzz-cluster";

const STOP_ORDER = [
    "kwok",
    "kube-scheduler",
    "kube-controller-manager",
    "kube-proxy",
    "kubelet",
    "containerd-shim-runc-v2",
    "containerd",
    "docker-registry",
    "kube-apiserver",
    "etcd",
];

/**
 * Stops every process started for this folder and undoes what the node changed on the
 * machine, then removes the folder. Pods go first, through the kubelet (so CNI tears their
 * network down), with the controllers stopped so nothing replaces them; whatever a killed
 * component left is removed by hand. Safe to run when nothing runs.
 */
export async function down(
    l: ClusterLayout,
    progress: Progress,
    /** The toolchain's binaries, to find processes of a crashed up (strayProcesses). */
    executables?: readonly string[],
): Promise<{ stopped: string[] }> {
    const state = readState(l);
    const byName = new Map<string, number[]>();
    const add = (name: string, pid: number) => {
        if (![...byName.values()].flat().includes(pid))
            byName.set(name, [...(byName.get(name) ?? []), pid]);
    };
    // Only the very processes recorded: same pid, start time and executable.
    for (const p of state?.processes ?? []) if (isSameProcess(p)) add(p.name, p.pid);
    // A crashed up that never wrote its state: our own binaries, with this folder as an argument.
    for (const p of strayProcesses(l.dir, executables ?? []))
        add(STOP_ORDER.find((n) => p.exe.endsWith(`/${n}`)) ?? "other", p.pid);
    const stopped: string[] = [];
    const stop = async (name: string) => {
        for (const pid of byName.get(name) ?? []) {
            progress(`stopping ${name} (pid ${pid})`);
            await stopProcess(pid, name === "kube-apiserver" ? 20_000 : 10_000);
            stopped.push(name);
        }
        byName.delete(name);
    };
    for (const name of ["kwok", "kube-scheduler", "kube-controller-manager"]) await stop(name);
    const n = nodeLayout(l.dir);
    const real = state?.nodeKind === "real" || fs.existsSync(n.dir);
    if (real) {
        if (byName.has("kubelet") && byName.has("kube-apiserver") && state)
            await deletePods(l, state.apiServer, n.socket, progress);
        for (const name of ["kube-proxy", "kubelet"]) await stop(name);
        const nodeBin = safeNodeBinaries();
        if (byName.has("containerd") && nodeBin) killContainers(n, nodeBin);
        killPodProcesses();
        for (const name of ["containerd-shim-runc-v2", "containerd"]) await stop(name);
        // Strays of a crashed up that recorded nothing: shims of this folder's containerd.
        for (const p of strayProcesses(l.dir, ["/usr/bin/containerd-shim-runc-v2"]))
            await stopProcess(p.pid, 5_000);
        if (nodeBin) spawnSync(nodeBin.kubeProxy, ["--cleanup"], { stdio: "ignore" });
        unmountUnder(l.dir);
        if (state?.host) restoreHost(state.host, [BRIDGE, NODE_LINK]);
        else
            for (const link of [BRIDGE, NODE_LINK])
                if (fs.existsSync(`/sys/class/net/${link}`))
                    spawnSync("ip", ["link", "delete", link]);
        releaseNodeLock(l.dir);
    }
    for (const name of [...STOP_ORDER, "other"]) await stop(name);
    // Only a folder this tool created (its marker inside): a state folder pointed at
    // something else by mistake is left where it is.
    if (fs.existsSync(path.join(l.dir, CLUSTER_MARKER))) {
        unmountUnder(l.dir);
        fs.rmSync(l.dir, { recursive: true, force: true });
    } else if (fs.existsSync(l.dir))
        progress(
            `left ${l.dir} in place: it has no ${CLUSTER_MARKER} marker, so this tool did not create it`,
        );
    return { stopped };
}

function safeNodeBinaries(): NodeBinaries | undefined {
    try {
        return nodeBinariesFromEnv();
    } catch {
        return undefined;
    }
}

/** Deletes every Pod now (grace 0) and waits until containerd runs no task, at most 30 s. */
async function deletePods(
    l: ClusterLayout,
    server: string,
    socket: string,
    progress: Progress,
): Promise<void> {
    try {
        await withApi(l, server, async (api) => {
            const pods = await api.call("GET", "/api/v1/pods");
            const items: any[] = pods.json?.items ?? [];
            if (!items.length) return;
            progress(`stopping ${items.length} pod(s) through the kubelet`);
            for (const p of items)
                await api.call(
                    "DELETE",
                    `/api/v1/namespaces/${p.metadata.namespace}/pods/${p.metadata.name}?gracePeriodSeconds=0`,
                );
        });
        const deadline = Date.now() + 30_000;
        while (Date.now() < deadline) {
            const r = spawnSync(
                "/usr/bin/ctr",
                ["--address", socket, "-n", "k8s.io", "tasks", "ls", "-q"],
                { encoding: "utf8" },
            );
            if (r.status !== 0 || !r.stdout.trim()) break;
            await sleep(300);
        }
    } catch {
        // the API or containerd is gone: killContainers and killPodProcesses do it by hand
    }
}

/** Every process in the kubelet's cgroup tree (one real node per machine: it is ours). */
function killPodProcesses(): void {
    for (const controller of ["memory", "pids", "cpu", "freezer"]) {
        const root = `/sys/fs/cgroup/${controller}/kubepods`;
        if (!fs.existsSync(root)) continue;
        const walk = (dir: string) => {
            for (const e of fs.readdirSync(dir, { withFileTypes: true }))
                if (e.isDirectory()) walk(path.join(dir, e.name));
            try {
                for (const pid of fs
                    .readFileSync(path.join(dir, "cgroup.procs"), "utf8")
                    .split("\n")
                    .filter(Boolean))
                    try {
                        process.kill(Number(pid), "SIGKILL");
                    } catch {
                        // exited
                    }
            } catch {
                // removed meanwhile
            }
        };
        walk(root);
    }
}

/**
 * Lets `username`/`password` pull from the cluster's registry (a stack's image pull Secret).
 * The registry reads its accounts at start, so it is restarted when they changed.
 */
export async function grantRegistryAccount(
    l: ClusterLayout,
    username: string,
    password: string,
    progress: Progress,
): Promise<void> {
    const state = readState(l);
    if (!state?.registry)
        throw new Error(
            `the local cluster's registry is not running (${l.dir}); run npm run cluster:up`,
        );
    const r = registryLayout(l.dir);
    if (!grantAccount(r, username, password)) return;
    progress(`registry account ${username} granted; restarting the registry`);
    const old = state.processes.find((p) => p.name === "docker-registry");
    if (old && isSameProcess(old)) await stopProcess(old.pid, 10_000);
    const reg = startDetached("docker-registry", REGISTRY_BINARY, ["serve", r.config], l.logs);
    const processes = [...state.processes.filter((p) => p.name !== "docker-registry"), reg];
    fs.writeFileSync(l.stateFile, JSON.stringify({ ...state, processes }, null, 2));
    await waitFor(`the registry on ${state.registry}`, reg, 30_000, async () => {
        try {
            return (
                (await fetch(`http://${state.registry}/v2/`, { signal: AbortSignal.timeout(2000) }))
                    .status === 401
            );
        } catch {
            return false;
        }
    });
}
