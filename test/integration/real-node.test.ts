import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { leftovers, mountsUnder } from "../../cluster/host-changes";
import { BRIDGE, NODE_LINK, REAL_NODE_NAME } from "../../cluster/node";
import { identity } from "../../cluster/processes";
import { toolVersions } from "../../config/toolchain";
import {
    kubectl,
    kubectlJson,
    localCluster,
    localImages,
    localPostgresImage,
} from "../support/local-cluster";
import { npmRun } from "../support/run";

/**
 * The local cluster's real node, observed through the API and the machine: pods are real
 * processes from images this repository builds, pulled with checked credentials; probes hit
 * the container; Services route through kube-proxy; and cluster:down undoes everything the
 * node did to the machine, also after a kill -9.
 */
describe("the local cluster's real node: containerd, runc, CNI, kubelet and kube-proxy", function () {
    this.timeout(300_000);
    const NS = "keybuzz-node-test";
    let images: Record<string, string>;
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    async function until<T>(what: string, ms: number, f: () => T | undefined): Promise<T> {
        const deadline = Date.now() + ms;
        for (;;) {
            const v = f();
            if (v !== undefined && v !== false) return v;
            if (Date.now() > deadline)
                throw new Error(`timed out after ${ms / 1000}s waiting for ${what}`);
            await sleep(500);
        }
    }
    const apply = (doc: object) => {
        const r = spawnSync("kubectl", ["--kubeconfig", localCluster(), "apply", "-f", "-"], {
            input: JSON.stringify(doc),
            encoding: "utf8",
        });
        assert.equal(r.status, 0, r.stderr);
    };
    const pod = (name: string, spec: object) =>
        apply({
            apiVersion: "v1",
            kind: "Pod",
            metadata: { name, namespace: NS, labels: { app: name } },
            spec,
        });
    const podJson = (name: string) => kubectlJson(["get", "pod", name, "-n", NS]);
    const waiting = (name: string) =>
        podJson(name).status.containerStatuses?.[0]?.state?.waiting?.reason;
    const clusterDir = () => path.dirname(localCluster());
    const state = () => JSON.parse(fs.readFileSync(path.join(clusterDir(), "state.json"), "utf8"));

    before(() => {
        images = localImages("good");
        kubectl(["delete", "namespace", NS, "--ignore-not-found", "--wait=true"]);
        assert.equal(kubectl(["create", "namespace", NS]).code, 0);
        const pusher = JSON.parse(
            fs.readFileSync(path.join(clusterDir(), "registry", "pusher.json"), "utf8"),
        );
        const registry = state().registry;
        const secret = (name: string, password: string) =>
            assert.equal(
                kubectl([
                    "create",
                    "secret",
                    "docker-registry",
                    name,
                    "-n",
                    NS,
                    `--docker-server=${registry}`,
                    `--docker-username=${pusher.username}`,
                    `--docker-password=${password}`,
                ]).code,
                0,
            );
        secret("pull", pusher.password);
        secret("wrong-pull", "not-the-password");
    });
    after(() => kubectl(["delete", "namespace", NS, "--ignore-not-found", "--wait=false"]));

    it("the node is a kubelet of the pinned version on containerd, and the only node", () => {
        const nodes = kubectlJson(["get", "nodes"]).items;
        assert.deepEqual(
            nodes.map((n: any) => n.metadata.name),
            [REAL_NODE_NAME],
        );
        const info = nodes[0].status.nodeInfo;
        assert.equal(info.kubeletVersion, `v${toolVersions().KUBERNETES_VERSION}`);
        assert.match(info.containerRuntimeVersion, /^containerd:\/\/1\.6\.20/);
    });

    it("a pod runs the image's real process: logs, probes through the pod network, a ClusterIP and the API server's service proxy reach it", async () => {
        pod("api", {
            imagePullSecrets: [{ name: "pull" }],
            securityContext: { runAsNonRoot: true, runAsUser: 10001 },
            containers: [
                {
                    name: "api",
                    image: images.api,
                    env: [{ name: "KEYBUZZ_IMAGE", value: images.api }],
                    readinessProbe: { httpGet: { path: "/health", port: 3001 }, periodSeconds: 1 },
                },
            ],
        });
        apply({
            apiVersion: "v1",
            kind: "Service",
            metadata: { name: "api", namespace: NS },
            spec: { selector: { app: "api" }, ports: [{ port: 80, targetPort: 3001 }] },
        });
        await until(
            "the api pod Ready",
            60_000,
            () => podJson("api").status.containerStatuses?.[0]?.ready || undefined,
        );
        const p = podJson("api");
        assert.match(p.status.podIP, /^10\.244\.0\.\d+$/);
        assert.match(
            kubectl(["logs", "-n", NS, "api"]).stdout,
            /keybuzz-api good listening on :3001/,
        );
        // The container's process is a real one on this machine, under the kubelet's cgroups.
        const containerId = p.status.containerStatuses[0].containerID.replace("containerd://", "");
        const procs = fs
            .readdirSync("/proc")
            .filter((d) => /^\d+$/.test(d))
            .filter((d) => {
                try {
                    return fs.readFileSync(`/proc/${d}/cgroup`, "utf8").includes(containerId);
                } catch {
                    return false;
                }
            });
        assert.ok(procs.length >= 1, "no process of the container on the machine");
        assert.match(identity(Number(procs[0]))!.exe, /keybuzz-api/);
        const proxied = kubectl([
            "get",
            "--raw",
            `/api/v1/namespaces/${NS}/services/api:80/proxy/debug/version`,
        ]);
        assert.equal(proxied.code, 0, proxied.stderr);
        assert.equal(JSON.parse(proxied.stdout).image, images.api);
        const clusterIp = kubectlJson(["get", "service", "api", "-n", NS]).spec.clusterIP;
        const res = await fetch(`http://${clusterIp}/health`, {
            signal: AbortSignal.timeout(5000),
        });
        assert.equal(res.status, 200);
        assert.equal((await fetch(`http://${clusterIp}/conversations`)).status, 401);
    });

    it("probes hit the container: a readiness path that 404s keeps the pod unready, a failing liveness probe restarts it", async () => {
        pod("unready", {
            imagePullSecrets: [{ name: "pull" }],
            securityContext: { runAsNonRoot: true, runAsUser: 10001 },
            containers: [
                {
                    name: "website",
                    image: images.website,
                    readinessProbe: {
                        httpGet: { path: "/no-such-page", port: 3000 },
                        periodSeconds: 1,
                    },
                    livenessProbe: {
                        httpGet: { path: "/no-such-page", port: 3000 },
                        periodSeconds: 1,
                        failureThreshold: 2,
                    },
                },
            ],
        });
        await until(
            "a liveness restart",
            90_000,
            () =>
                (podJson("unready").status.containerStatuses?.[0]?.restartCount ?? 0) >= 1 ||
                undefined,
        );
        assert.equal(podJson("unready").status.containerStatuses[0].ready, false);
        const events = kubectl([
            "get",
            "events",
            "-n",
            NS,
            "--field-selector",
            "involvedObject.name=unready",
        ]).stdout;
        assert.match(events, /Readiness probe failed: HTTP probe failed with statuscode: 404/);
    });

    it("an image that exits at start goes CrashLoopBackOff; one pulled without or with wrong credentials goes ImagePullBackOff (the registry answered 401)", async () => {
        const crash = localImages("crash").api;
        pod("crash", {
            imagePullSecrets: [{ name: "pull" }],
            securityContext: { runAsNonRoot: true, runAsUser: 10001 },
            containers: [{ name: "api", image: crash }],
        });
        // Always pulled: an image already on the node would otherwise run without asking the
        // registry (IfNotPresent), as on any real cluster.
        const pulled = { name: "api", image: images.api, imagePullPolicy: "Always" };
        pod("no-credentials", { containers: [pulled] });
        pod("wrong-credentials", {
            imagePullSecrets: [{ name: "wrong-pull" }],
            containers: [pulled],
        });
        await until(
            "CrashLoopBackOff",
            90_000,
            () => waiting("crash") === "CrashLoopBackOff" || undefined,
        );
        assert.match(
            kubectl(["logs", "-n", NS, "crash", "--previous"]).stdout +
                kubectl(["logs", "-n", NS, "crash"]).stdout,
            /crash variant: exiting at start/,
        );
        for (const name of ["no-credentials", "wrong-credentials"]) {
            await until(
                `${name} ImagePullBackOff`,
                90_000,
                () => ["ImagePullBackOff", "ErrImagePull"].includes(waiting(name)) || undefined,
            );
            const events = kubectl([
                "get",
                "events",
                "-n",
                NS,
                "--field-selector",
                `involvedObject.name=${name}`,
            ]).stdout;
            assert.match(events, /401 Unauthorized/);
        }
    });

    it("kubectl exec runs a command in a container that has a shell (the PostgreSQL image)", async () => {
        pod("pg", {
            imagePullSecrets: [{ name: "pull" }],
            securityContext: { runAsNonRoot: true, runAsUser: 999, fsGroup: 999 },
            containers: [
                {
                    name: "pg",
                    image: localPostgresImage(),
                    env: [
                        { name: "POSTGRES_USER", value: "u1" },
                        { name: "POSTGRES_PASSWORD", value: "exec-test-password-1" },
                        { name: "POSTGRES_DB", value: "d1" },
                        { name: "PGDATA", value: "/data/pgdata" },
                    ],
                    volumeMounts: [{ name: "d", mountPath: "/data" }],
                    readinessProbe: {
                        exec: { command: ["pg_isready", "-U", "u1", "-d", "d1"] },
                        periodSeconds: 1,
                    },
                },
            ],
            volumes: [{ name: "d", emptyDir: {} }],
        });
        await until(
            "the PostgreSQL pod Ready",
            90_000,
            () => podJson("pg").status.containerStatuses?.[0]?.ready || undefined,
        );
        const r = kubectl([
            "exec",
            "-n",
            NS,
            "pg",
            "--",
            "/bin/sh",
            "-c",
            "echo uid=$(id -u 2>/dev/null || echo none) pgdata=$PGDATA; test -f /data/pgdata/PG_VERSION && echo initialised",
        ]);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /pgdata=\/data\/pgdata/);
        assert.match(r.stdout, /initialised/);
    });

    it("after a kill -9 of kubelet, containerd and kube-proxy, cluster:up brings the node back; cluster:down then leaves no process, mount, interface, iptables chain, netns, cgroup, sysctl or folder behind", async () => {
        const s = state();
        const dir = clusterDir();
        const userStack = kubectl(["get", "namespace", "keybuzz-local"]).code === 0;
        for (const name of ["kubelet", "containerd", "kube-proxy"]) {
            const p = s.processes.find((x: any) => x.name === name);
            process.kill(p.pid, "SIGKILL");
        }
        const up = npmRun("cluster:up", []);
        assert.equal(up.code, 0, up.stderr);
        await until(
            "the node Ready again",
            90_000,
            () =>
                kubectlJson(["get", "node", REAL_NODE_NAME]).status.conditions.some(
                    (c: any) => c.type === "Ready" && c.status === "True",
                ) || undefined,
        );
        const host = state().host;
        assert.ok(host, "the state records the machine as it was before the node");
        const down = npmRun("cluster:down", []);
        assert.equal(down.code, 0, down.stderr);
        assert.deepEqual(leftovers(host, [BRIDGE, NODE_LINK]), []);
        assert.deepEqual(mountsUnder(dir), []);
        assert.equal(fs.existsSync(dir), false);
        const ps = spawnSync("ps", ["-eo", "args"], { encoding: "utf8" }).stdout;
        for (const program of [
            "kubelet",
            "containerd",
            "kube-proxy",
            "docker-registry",
            "keybuzz-api",
        ])
            assert.ok(
                !ps
                    .split("\n")
                    .some(
                        (l) =>
                            l.includes(dir) ||
                            l.startsWith(`/${program}`) ||
                            l.includes(`/keybuzz-${program}`),
                    ),
                `${program} still runs`,
            );
        // The cluster back for the tests after this one (and the developer's stack, if it was deployed).
        assert.equal(npmRun("cluster:up", []).code, 0);
        if (userStack) assert.equal(npmRun("up", []).code, 0);
    });
});
