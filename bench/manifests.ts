/**
 * bench/manifests — `policy:check --manifests` on a large export, as the user runs it (the
 * whole command through npm): a `kubectl get … -o yaml`-shaped multi-document file of
 * KEYBUZZ_BENCH_EXPORT_MB (default 50) megabytes of Deployments, Services, ConfigMaps and
 * Secrets, plus one ConfigMap holding a 160 KB dotted string (the super-linear case).
 * Prints wall time and peak RSS (GNU time) against the goals (≤ 20 s, ≤ 500 MB).
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { stringify } from "yaml";
import { projectRoot } from "../lib/project-root";
import { fmt } from "./stats";

const MB = Number(process.env.KEYBUZZ_BENCH_EXPORT_MB ?? 50);

function deployment(i: number) {
    return {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: {
            name: `svc-${i}`,
            namespace: "keybuzz-prod",
            labels: { app: `svc-${i}`, tier: "backend" },
        },
        spec: {
            replicas: 2,
            selector: { matchLabels: { app: `svc-${i}` } },
            template: {
                metadata: { labels: { app: `svc-${i}` } },
                spec: {
                    securityContext: { runAsNonRoot: true },
                    containers: [
                        {
                            name: "app",
                            image: `ghcr.io/keybuzzio/svc-${i}@sha256:${(i % 16).toString(16).repeat(64)}`,
                            env: [
                                { name: "PUBLIC_URL", value: `https://svc-${i}.keybuzz.io` },
                                {
                                    name: "UPSTREAM",
                                    value: `http://svc-${i + 1}.keybuzz-prod.svc.cluster.local:3000`,
                                },
                                {
                                    name: "DATABASE_URL",
                                    valueFrom: {
                                        secretKeyRef: { name: `svc-${i}-db`, key: "url" },
                                    },
                                },
                            ],
                            resources: {
                                requests: { cpu: "100m", memory: "128Mi" },
                                limits: { cpu: "500m", memory: "512Mi" },
                            },
                            readinessProbe: { httpGet: { path: "/health", port: 3000 } },
                            livenessProbe: { httpGet: { path: "/health", port: 3000 } },
                        },
                    ],
                },
            },
        },
    };
}

(async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "keybuzz-bench-manifests-"));
    const file = path.join(dir, "prod-export.yaml");
    const out = fs.openSync(file, "w");
    let bytes = 0;
    let resources = 0;
    for (let i = 0; bytes < MB * 1024 * 1024; i++) {
        const docs = [
            deployment(i),
            {
                apiVersion: "v1",
                kind: "Service",
                metadata: { name: `svc-${i}`, namespace: "keybuzz-prod" },
                spec: { selector: { app: `svc-${i}` }, ports: [{ port: 3000 }] },
            },
            {
                apiVersion: "v1",
                kind: "ConfigMap",
                metadata: { name: `svc-${i}-settings`, namespace: "keybuzz-prod" },
                data: {
                    LOG_LEVEL: "info",
                    FEATURE_FLAGS: "a,b,c",
                    "app.properties": `server.port=3000\nupstream=https://svc-${i}.keybuzz.io\n`,
                },
            },
            {
                apiVersion: "v1",
                kind: "Secret",
                metadata: { name: `svc-${i}-db`, namespace: "keybuzz-prod" },
                type: "Opaque",
                data: {
                    url: Buffer.from(
                        `postgresql://svc_${i}@db.keybuzz-prod.svc:5432/svc_${i}`,
                    ).toString("base64"),
                },
            },
        ];
        const text = docs.map((d) => "---\n" + stringify(d)).join("");
        fs.writeSync(out, text);
        bytes += Buffer.byteLength(text);
        resources += docs.length;
    }
    const dotted = {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "long-dotted", namespace: "keybuzz-prod" },
        data: { blob: "a.".repeat(80_000) + "io" },
    };
    fs.writeSync(out, "---\n" + stringify(dotted));
    fs.closeSync(out);
    const size = fs.statSync(file).size;

    const started = performance.now();
    const r = spawnSync(
        "/usr/bin/time",
        [
            "-f",
            "%M",
            "npm",
            "run",
            "-s",
            "policy:check",
            "--",
            "--manifests",
            file,
            "--env",
            "prod",
            "--format",
            "json",
            "--out",
            path.join(dir, "report.json"),
        ],
        { cwd: projectRoot(), encoding: "utf8" },
    );
    const ms = performance.now() - started;
    const peakKb = Number(r.stderr.trim().split("\n").pop());
    if (process.env.KEYBUZZ_BENCH_KEEP) console.log(`  export kept: ${file}`);
    else fs.rmSync(dir, { recursive: true, force: true });
    if (r.status !== 0 && r.status !== 1)
        throw new Error(`policy:check exited ${r.status}: ${r.stderr.slice(0, 500)}`);
    console.log(
        `bench/manifests — npm run policy:check -- --manifests <${(size / 1024 / 1024).toFixed(1)} MB export, ${resources + 1} resources> --env prod (one run)`,
    );
    console.log(
        `  wall ${fmt(ms)} (goal ≤ 20 s)   peak RSS ${(peakKb / 1024).toFixed(0)} MB (goal ≤ 500 MB)   exit ${r.status}`,
    );
})().catch((e) => {
    console.error(e);
    process.exit(1);
});
