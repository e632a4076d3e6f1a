import * as assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { isListening } from "../../cluster/ports";
import { toolVersions } from "../../config/toolchain";
import { processesMentioning } from "../../cluster/processes";
import { npmRun } from "../support/run";

/** A second control plane in a folder of its own, so the one the other tests use is untouched. */
describe("npm run cluster:up | cluster:status | cluster:down: the local control plane's lifecycle", function () {
    this.timeout(300_000);
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "keybuzz-cluster-")), "cluster");
    // A control plane with the kwok node: the real node is one per machine (the shared cluster has it).
    const env = { KEYBUZZ_CLUSTER_DIR: dir, KEYBUZZ_CLUSTER_NODE: "kwok" };
    let ports: number[] = [];
    after(() => npmRun("cluster:down", [], env));

    it("status says down (exit 1) before up", () => {
        const r = npmRun("cluster:status", [], env);
        assert.equal(r.code, 1);
        assert.match(r.stdout, /^cluster: not running/);
    });

    it("up starts it, waits for a Ready node, and ends with KUBECONFIG=<absolute path>; the API server reports its real version", () => {
        const up = npmRun("cluster:up", [], env);
        assert.equal(up.code, 0, up.stderr);
        const last = up.stdout.trim().split("\n").pop()!;
        assert.equal(last, `KUBECONFIG=${path.join(dir, "kubeconfig")}`);
        const version = spawnSync(
            "kubectl",
            ["--kubeconfig", path.join(dir, "kubeconfig"), "get", "--raw", "/version"],
            { encoding: "utf8" },
        );
        assert.equal(
            JSON.parse(version.stdout).gitVersion,
            `v${toolVersions().KUBERNETES_VERSION}`,
        );
        const nodes = JSON.parse(
            spawnSync(
                "kubectl",
                ["--kubeconfig", path.join(dir, "kubeconfig"), "get", "nodes", "-o", "json"],
                { encoding: "utf8" },
            ).stdout,
        );
        assert.ok(
            nodes.items[0].status.conditions.some(
                (c: any) => c.type === "Ready" && c.status === "True",
            ),
        );
        const state = JSON.parse(fs.readFileSync(path.join(dir, "state.json"), "utf8"));
        ports = Object.values<number>(state.ports);
        assert.equal(state.processes.length, 5);
        assert.match(state.apiServer, /^https:\/\/127\.0\.0\.1:\d+$/);
    });

    it("every server it starts listens on loopback only", () => {
        const listening = spawnSync("ss", ["-ltnpH"], { encoding: "utf8" }).stdout.split("\n");
        const ours = processesMentioning(dir).map((p) => p.pid);
        const sockets = listening.filter((l) => ours.some((pid) => l.includes(`pid=${pid},`)));
        assert.ok(sockets.length >= 4, sockets.join("\n"));
        for (const s of sockets) assert.match(s.split(/\s+/)[3], /^127\.0\.0\.1:\d+$/, s);
    });

    it("up again reuses it; status says running (exit 0)", () => {
        const again = npmRun("cluster:up", [], env);
        assert.equal(again.code, 0);
        assert.match(again.stderr, /already running/);
        const status = npmRun("cluster:status", [], env);
        assert.equal(status.code, 0);
        assert.match(
            status.stdout,
            /cluster: running, Kubernetes v1\.\d+\.\d+ .*Ready nodes: kwok-node-0/,
        );
    });

    it("down leaves no process, port or file behind", async () => {
        const down = npmRun("cluster:down", [], env);
        assert.equal(down.code, 0, down.stderr);
        assert.deepEqual(processesMentioning(dir), []);
        for (const p of ports) assert.equal(await isListening(p), false, `port ${p} still listens`);
        assert.equal(fs.existsSync(dir), false);
        assert.equal(npmRun("cluster:status", [], env).code, 1);
    });

    it("down touches only what up started: not a reused pid in a stale state file, not a process that merely names the folder, not a folder without its marker", async () => {
        const stale = path.join(
            fs.mkdtempSync(path.join(os.tmpdir(), "keybuzz-stale-")),
            "cluster",
        );
        fs.mkdirSync(stale);
        // An unrelated process: its pid written into a state file as if it were etcd, and a
        // second one whose command line names the folder.
        const bystander = spawn("sleep", ["300"], { detached: true, stdio: "ignore" });
        const mentions = spawn("bash", ["-c", `sleep 300 # ${stale}/etcd`], {
            detached: true,
            stdio: "ignore",
        });
        try {
            fs.writeFileSync(
                path.join(stale, "state.json"),
                JSON.stringify({
                    apiServer: "https://127.0.0.1:1",
                    ports: {},
                    processes: [
                        {
                            name: "etcd",
                            pid: bystander.pid,
                            log: "/dev/null",
                            startTime: "1",
                            exe: "/usr/bin/etcd",
                        },
                    ],
                    startedAt: new Date().toISOString(),
                }),
            );
            fs.writeFileSync(path.join(stale, "keep-me"), "a file the user put here");
            const down = npmRun("cluster:down", [], { KEYBUZZ_CLUSTER_DIR: stale });
            assert.equal(down.code, 0, down.stderr);
            const alive = (pid: number) => {
                try {
                    process.kill(pid, 0);
                    return true;
                } catch {
                    return false;
                }
            };
            assert.ok(alive(bystander.pid!), "the pid of the stale state file was signalled");
            assert.ok(alive(mentions.pid!), "a process naming the folder was signalled");
            assert.ok(
                fs.existsSync(path.join(stale, "keep-me")),
                "a folder up did not create was deleted",
            );
            assert.match(down.stderr, /no \.keybuzz-cluster marker/);
        } finally {
            bystander.kill("SIGKILL");
            process.kill(-mentions.pid!, "SIGKILL");
            fs.rmSync(path.dirname(stale), { recursive: true, force: true });
        }
    });
});
