/**
 * The local cluster's real node: containerd (Debian's, with runc) and a kubelet and
 * kube-proxy built from the same k8s.io/kubernetes module as the control plane, CNI from
 * Debian's plugins (bridge, host-local, portmap; containerd adds loopback). Pods run real
 * processes pulled from the cluster's own registry.
 *
 * Its address: an empty bridge interface with one private address (NODE_IP) that routes nowhere,
 * because the kubelet refuses a loopback node IP and must not listen on the machine's real
 * interface. Every file the components take a flag for is inside the cluster's folder; what
 * they write elsewhere is recorded and undone (host-changes.ts). One real node per machine:
 * kube-proxy's iptables chains and the kubelet's cgroup tree have fixed names, so a second
 * cluster:up on the same machine is refused while another clone's node runs (NODE_LOCK).
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { pack } from "tar-stream";
import { Started, startDetached, isSameProcess } from "./processes";

export const REAL_NODE_NAME = "keybuzz-node-0";
export const NODE_IP = "10.254.254.1";
export const NODE_LINK = "keybuzz-node0";
export const POD_CIDR = "10.244.0.0/24";
export const BRIDGE = "keybuzz-cni0";
export const SERVICE_CIDR = "10.96.0.0/16";
/** The sandbox image, imported into containerd at start (never pulled: nothing serves it). */
export const PAUSE_IMAGE = "keybuzz.local/pause:3.10";
export const NODE_LOCK = "/run/keybuzz-platform/node.json";

export interface NodeBinaries {
    readonly containerd: string;
    readonly ctr: string;
    readonly runc: string;
    readonly cniDir: string;
    readonly kubelet: string;
    readonly kubeProxy: string;
}

export function nodeBinariesFromEnv(env: NodeJS.ProcessEnv = process.env): NodeBinaries {
    const dir = env.KEYBUZZ_KUBE_NODE_DIR;
    if (!dir)
        throw new Error(
            "KEYBUZZ_KUBE_NODE_DIR is not set; run this through npm (npm run cluster:up)",
        );
    return {
        containerd: "/usr/bin/containerd",
        ctr: "/usr/bin/ctr",
        runc: "/usr/sbin/runc",
        cniDir: "/usr/lib/cni",
        kubelet: path.join(dir, "kubelet"),
        kubeProxy: path.join(dir, "kube-proxy"),
    };
}

export interface NodeLayout {
    readonly dir: string;
    readonly containerdConfig: string;
    readonly socket: string;
    readonly kubeletConfig: string;
    readonly kubeProxyConfig: string;
    readonly cniConf: string;
}

export function nodeLayout(clusterDir: string): NodeLayout {
    const dir = path.join(clusterDir, "node");
    return {
        dir,
        containerdConfig: path.join(dir, "containerd", "config.toml"),
        socket: path.join(dir, "containerd", "containerd.sock"),
        kubeletConfig: path.join(dir, "kubelet-config.yaml"),
        kubeProxyConfig: path.join(dir, "kube-proxy-config.yaml"),
        cniConf: path.join(dir, "cni", "net.d"),
    };
}

function sh(cmd: string, args: string[]): { code: number; out: string } {
    const r = spawnSync(cmd, args, { encoding: "utf8" });
    return { code: r.status ?? -1, out: `${r.stdout ?? ""}${r.stderr ?? ""}`.trim() };
}

/** Takes the machine's node lock, or says which cluster holds it. */
export function takeNodeLock(clusterDir: string, owner: () => Started | undefined): void {
    fs.mkdirSync(path.dirname(NODE_LOCK), { recursive: true });
    try {
        const held = JSON.parse(fs.readFileSync(NODE_LOCK, "utf8")) as {
            clusterDir: string;
            containerd?: Started;
        };
        if (held.clusterDir !== clusterDir && held.containerd && isSameProcess(held.containerd))
            throw new Error(
                `another cluster runs this machine's real node (${held.clusterDir}): one real node per machine, since kube-proxy's iptables chains and the kubelet's cgroups have fixed names. Stop it first (KEYBUZZ_CLUSTER_DIR=${held.clusterDir} npm run cluster:down, or npm run cluster:down in that clone)`,
            );
    } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "ENOENT" && !(e instanceof SyntaxError)) throw e;
    }
    fs.writeFileSync(NODE_LOCK, JSON.stringify({ clusterDir, containerd: owner() }));
}

export function releaseNodeLock(clusterDir: string): void {
    try {
        const held = JSON.parse(fs.readFileSync(NODE_LOCK, "utf8")) as { clusterDir: string };
        if (held.clusterDir === clusterDir) fs.rmSync(NODE_LOCK, { force: true });
    } catch {
        // no lock, or not ours
    }
}

/** An empty bridge carrying the node's address: no port, so it routes nowhere off this machine (this kernel has no dummy interfaces). */
export function addNodeAddress(): void {
    if (!fs.existsSync(`/sys/class/net/${NODE_LINK}`)) {
        const add = sh("ip", ["link", "add", NODE_LINK, "type", "bridge"]);
        if (add.code !== 0) throw new Error(`ip link add ${NODE_LINK} type bridge: ${add.out}`);
    }
    sh("ip", ["addr", "replace", `${NODE_IP}/32`, "dev", NODE_LINK]);
    const up = sh("ip", ["link", "set", NODE_LINK, "up"]);
    if (up.code !== 0) throw new Error(`ip link set ${NODE_LINK} up: ${up.out}`);
}

export function writeNodeConfig(
    n: NodeLayout,
    bin: NodeBinaries,
    o: {
        kubeconfig: string;
        caCert: string;
        healthzPort: number;
        proxyHealthzPort: number;
        proxyMetricsPort: number;
        registry: string;
    },
): void {
    for (const d of [
        path.dirname(n.containerdConfig),
        n.cniConf,
        path.join(n.dir, "containerd", "certs.d", o.registry),
    ])
        fs.mkdirSync(d, { recursive: true, mode: 0o700 });
    const c = path.join(n.dir, "containerd");
    fs.writeFileSync(
        n.containerdConfig,
        `version = 2
root = "${c}/root"
state = "${c}/state"
[grpc]
  address = "${n.socket}"
[ttrpc]
  address = "${n.socket}.ttrpc"
[debug]
  level = "warn"
[plugins."io.containerd.internal.v1.opt"]
  path = "${c}/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "${PAUSE_IMAGE}"
  stream_server_address = "127.0.0.1"
  enable_cdi = false
  # No CAP_SYS_RESOURCE on this kind of machine: runc cannot lower oom_score_adj (the pause
  # container asks for -998). Clamped to containerd's own value instead.
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        BinaryName = "${bin.runc}"
        Root = "${c}/runc"
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "${bin.cniDir}"
    conf_dir = "${n.cniConf}"
  [plugins."io.containerd.grpc.v1.cri".registry]
    config_path = "${c}/certs.d"
`,
    );
    // The cluster's registry speaks plain HTTP on loopback.
    fs.writeFileSync(
        path.join(c, "certs.d", o.registry, "hosts.toml"),
        `server = "http://${o.registry}"\n[host."http://${o.registry}"]\n  capabilities = ["pull", "resolve"]\n`,
    );
    fs.writeFileSync(
        path.join(n.cniConf, "10-keybuzz.conflist"),
        JSON.stringify(
            {
                cniVersion: "0.4.0",
                name: "keybuzz-local",
                plugins: [
                    {
                        type: "bridge",
                        bridge: BRIDGE,
                        isGateway: true,
                        ipMasq: true,
                        hairpinMode: true,
                        ipam: {
                            type: "host-local",
                            ranges: [[{ subnet: POD_CIDR }]],
                            routes: [{ dst: "0.0.0.0/0" }],
                            dataDir: path.join(n.dir, "cni", "ipam"),
                        },
                    },
                    { type: "portmap", capabilities: { portMappings: true } },
                ],
            },
            null,
            2,
        ),
    );
    fs.writeFileSync(
        n.kubeletConfig,
        `apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
# A cgroup v1 host without systemd.
cgroupDriver: cgroupfs
failCgroupV1: false
failSwapOn: false
containerRuntimeEndpoint: unix://${n.socket}
# Only the API server (the admin client certificate, signed by the cluster's CA) may use the
# kubelet's API; it asks the API server whether a caller may (logs, exec, port-forward).
authentication:
  anonymous:
    enabled: false
  x509:
    clientCAFile: ${o.caCert}
  webhook:
    enabled: true
authorization:
  mode: Webhook
address: ${NODE_IP}
port: 10250
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: ${o.healthzPort}
podLogsDir: ${path.join(n.dir, "pod-logs")}
volumePluginDir: ${path.join(n.dir, "volume-plugins")}
clusterDomain: cluster.local
resolvConf: /etc/resolv.conf
serializeImagePulls: false
protectKernelDefaults: false
# Images are few and local: never collected (the sandbox image is imported, not pullable).
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard:
  memory.available: "100Mi"
  nodefs.available: "1%"
  imagefs.available: "1%"
`,
    );
    fs.writeFileSync(
        n.kubeProxyConfig,
        `apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection:
  kubeconfig: ${o.kubeconfig}
mode: iptables
clusterCIDR: ${POD_CIDR}
hostnameOverride: ${REAL_NODE_NAME}
bindAddress: ${NODE_IP}
healthzBindAddress: 127.0.0.1:${o.proxyHealthzPort}
metricsBindAddress: 127.0.0.1:${o.proxyMetricsPort}
nodePortAddresses: ["${NODE_IP}/32"]
# Leave the machine's conntrack settings alone.
conntrack:
  maxPerCore: 0
  tcpEstablishedTimeout: 0s
  tcpCloseWaitTimeout: 0s
iptables:
  localhostNodePorts: false
`,
    );
}

export function startContainerd(n: NodeLayout, bin: NodeBinaries, logs: string): Started {
    return startDetached("containerd", bin.containerd, ["--config", n.containerdConfig], logs);
}

export function startKubelet(
    n: NodeLayout,
    bin: NodeBinaries,
    kubeconfig: string,
    logs: string,
): Started {
    return startDetached(
        "kubelet",
        bin.kubelet,
        [
            `--config=${n.kubeletConfig}`,
            `--kubeconfig=${kubeconfig}`,
            `--root-dir=${path.join(n.dir, "kubelet")}`,
            `--cert-dir=${path.join(n.dir, "kubelet-pki")}`,
            `--hostname-override=${REAL_NODE_NAME}`,
            `--node-ip=${NODE_IP}`,
            "--node-labels=keybuzz.io/node=real",
            "--v=0",
        ],
        logs,
    );
}

export function startKubeProxy(n: NodeLayout, bin: NodeBinaries, logs: string): Started {
    return startDetached(
        "kube-proxy",
        bin.kubeProxy,
        [`--config=${n.kubeProxyConfig}`, "--v=0"],
        logs,
    );
}

/** A tar of an OCI image layout, as `ctr images import` takes it. */
async function tarOfLayout(layoutDir: string): Promise<Buffer> {
    const p = pack();
    const chunks: Buffer[] = [];
    const done = (async () => {
        for await (const c of p) chunks.push(c as Buffer);
    })();
    const walk = (rel: string) => {
        for (const name of fs.readdirSync(path.join(layoutDir, rel)).sort()) {
            const r = rel ? `${rel}/${name}` : name;
            const st = fs.statSync(path.join(layoutDir, r));
            if (st.isDirectory()) walk(r);
            else
                p.entry(
                    { name: r, size: st.size, mode: 0o644 },
                    fs.readFileSync(path.join(layoutDir, r)),
                );
        }
    };
    walk("");
    p.finalize();
    await done;
    return Buffer.concat(chunks);
}

export async function importSandboxImage(
    n: NodeLayout,
    bin: NodeBinaries,
    layoutDir: string,
): Promise<void> {
    const tar = path.join(n.dir, "pause.tar");
    fs.writeFileSync(tar, await tarOfLayout(layoutDir));
    const r = sh(bin.ctr, [
        "--address",
        n.socket,
        "-n",
        "k8s.io",
        "images",
        "import",
        "--base-name",
        PAUSE_IMAGE.split(":")[0],
        tar,
    ]);
    if (r.code !== 0) throw new Error(`ctr images import of the pause image failed: ${r.out}`);
}

/** Kills every container containerd still runs for this node (after the kubelet stopped). */
export function killContainers(n: NodeLayout, bin: NodeBinaries): void {
    if (!fs.existsSync(n.socket)) return;
    const ctr = (...a: string[]) =>
        sh(bin.ctr, ["--address", n.socket, "--timeout", "10s", "-n", "k8s.io", ...a]);
    const tasks = ctr("tasks", "ls", "-q");
    for (const id of tasks.code === 0 ? tasks.out.split("\n").filter(Boolean) : []) {
        ctr("tasks", "kill", "-s", "SIGKILL", id);
    }
    for (let i = 0; i < 20; i++) {
        const left = ctr("tasks", "ls", "-q");
        for (const id of left.code === 0 ? left.out.split("\n").filter(Boolean) : [])
            ctr("tasks", "delete", "-f", id);
        if (left.code !== 0 || !left.out.trim()) break;
        spawnSync("sleep", ["0.2"]);
    }
}
