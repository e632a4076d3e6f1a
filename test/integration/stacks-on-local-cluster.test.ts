import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Client } from "pg";
import { parse, stringify } from "yaml";
import { passphraseDecrypter } from "../../config/passphrase";
import {
    grantPulls,
    kubectl,
    kubectlJson,
    localCluster,
    localImages,
    localRegistry,
} from "../support/local-cluster";
import { PrivatePostgres, startPrivatePostgres } from "../support/private-postgres";
import { loadKeybuzzShaped, TEST_OWNER_SUFFIX } from "../support/keybuzz-shaped-db";
import { CommandResult, npmRun, npmRunAsync, pulumiIn, pulumiInAsync } from "../support/run";
import { ROOT } from "../support/stacks";

/**
 * Stack files derived from Pulumi.dev.yaml and Pulumi.prod.yaml, pointed at the local
 * cluster (context keybuzz-local, no ingress controller: awaitIngress false) and at a
 * password-checking PostgreSQL on loopback, deployed with the real CLI and the upstream
 * kubernetes provider.
 */
describe("dev-like and prod-like stacks on the local cluster, with the real CLI and provider", function () {
    this.timeout(600_000);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "keybuzz-cluster-stacks-"));
    const state = path.join(tmp, "state");
    const logs: string[] = [];
    const configured: string[] = [];
    let pg: PrivatePostgres;
    const files: Record<"dev" | "prod", string> = {
        dev: path.join(tmp, "Pulumi.dev.yaml"),
        prod: path.join(tmp, "Pulumi.prod.yaml"),
    };
    const docs: Record<string, any> = {};
    const adminPassword: Record<string, string> = {};

    function pulumi(args: string[], env: NodeJS.ProcessEnv = {}): CommandResult {
        const r = pulumiIn(ROOT, state, args, { KUBECONFIG: localCluster(), ...env });
        logs.push(r.stdout, r.stderr);
        return r;
    }
    const on = (stack: "dev" | "prod", ...args: string[]) => [
        ...args,
        "--stack",
        stack,
        "--config-file",
        files[stack],
    ];
    function writeStack(stack: "dev" | "prod", edit: (config: any) => void = () => {}) {
        const doc = structuredClone(docs[stack]);
        edit(doc.config);
        fs.writeFileSync(files[stack], stringify(doc));
    }
    function baseEdit(stack: "dev" | "prod") {
        return (c: any) => {
            c["keybuzz-platform:kubernetes"] = { context: "keybuzz-local", awaitIngress: false };
            // Real pods: the images this repository builds, pulled from the cluster's registry
            // with each stack's own pull account.
            const images = localImages("good");
            for (const app of ["api", "client", "website"])
                c["keybuzz-platform:services"][app].image = images[app];
            c["keybuzz-platform:registry"] = {
                server: localRegistry(),
                username: `keybuzz-${stack}-puller`,
            };
            Object.assign(c["keybuzz-platform:database"], {
                host: "127.0.0.1",
                port: pg.port,
                adminUser: `admin_${stack}`,
            });
            c["keybuzz-platform:protect"] = stack === "prod" ? "true" : "false";
        };
    }
    const secretOf = (ns: string, name: string, key: string) =>
        Buffer.from(kubectlJson(["get", "secret", name, "-n", ns]).data[key], "base64").toString();
    async function connects(user: string, password: string, database: string): Promise<string> {
        const c = new Client({
            host: "127.0.0.1",
            port: pg.port,
            user,
            password,
            database,
            connectionTimeoutMillis: 5000,
        });
        try {
            await c.connect();
            await c.query("SELECT 1");
            return "ok";
        } catch (e) {
            return (e as Error).message;
        } finally {
            await c.end().catch(() => undefined);
        }
    }

    before(async () => {
        localCluster();
        fs.mkdirSync(state);
        for (const stack of ["dev", "prod"] as const) {
            const doc = parse(fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8"));
            docs[stack] = doc;
            const d = passphraseDecrypter(doc.encryptionsalt, "keybuzz-demo-passphrase");
            for (const [k, v] of Object.entries<any>(doc.config)) {
                if (v && typeof v === "object" && "secure" in v) {
                    configured.push(d.decrypt(v.secure));
                    if (k === "keybuzz-platform:databaseAdminPassword")
                        adminPassword[stack] = d.decrypt(v.secure);
                }
            }
        }
        // The admin roles the stacks log in with carry the stacks' own (placeholder) admin passwords.
        pg = await startPrivatePostgres("cluster-test-superuser-9d2a");
        const su = new Client({
            host: "127.0.0.1",
            port: pg.port,
            user: "postgres",
            password: pg.superuserPassword,
            database: "postgres",
        });
        await su.connect();
        for (const stack of ["dev", "prod"])
            await su.query(
                `CREATE ROLE admin_${stack} SUPERUSER LOGIN PASSWORD ${su.escapeLiteral(adminPassword[stack])}`,
            );
        await su.end();
        for (const stack of ["dev", "prod"] as const) {
            writeStack(stack, baseEdit(stack));
            grantPulls(files[stack]);
            assert.equal(pulumi(["stack", "init", stack, "--non-interactive"]).code, 0);
        }
    });
    after(() => {
        pulumi(["state", "unprotect", "--all", "--yes", "--stack", "prod"]);
        for (const stack of ["prod", "dev"] as const) pulumi(on(stack, "destroy", "--yes"));
        pg?.stop();
        fs.rmSync(tmp, { recursive: true, force: true });
    });

    it("preview --policy-pack blocks a prod stack carrying the audit's values before anything is created in the cluster", () => {
        const packConfig = path.join(tmp, "pack-config.json");
        assert.equal(
            npmRun("policy:check", ["--stack", "prod", "--emit-pack-config", packConfig]).code,
            0,
        );
        const audit = path.join(tmp, "audit", "Pulumi.prod.yaml");
        fs.mkdirSync(path.dirname(audit));
        const doc = structuredClone(docs.prod);
        baseEdit("prod")(doc.config);
        // What PH28.1 found running: the old API image by a mutable tag.
        doc.config["keybuzz-platform:services"].api.image = "ghcr.io/keybuzzio/keybuzz-api:v0.4.24";
        fs.writeFileSync(audit, stringify(doc));
        const r = pulumi([
            "preview",
            "--stack",
            "prod",
            "--config-file",
            audit,
            "--policy-pack",
            path.join(ROOT, "policies"),
            "--policy-pack-config",
            packConfig,
        ]);
        assert.notEqual(r.code, 0);
        assert.match(r.stdout + r.stderr, /prod-images-by-digest/);
        assert.match(r.stdout + r.stderr, /keybuzz-api:v0\.4\.24/);
        assert.equal(
            kubectl(["get", "namespace", "keybuzz-prod"]).code,
            1,
            "a namespace was created by a blocked preview",
        );
    });

    it("pulumi up deploys both stacks: namespaces, policies, secrets, accounts, Deployments rolled out and Ready, Services, PDBs, Ingresses", () => {
        for (const stack of ["dev", "prod"] as const) {
            const up = pulumi(on(stack, "up", "--yes", "--skip-preview"));
            assert.equal(up.code, 0, up.stdout + up.stderr);
            const ns = `keybuzz-${stack}`;
            const replicas = stack === "prod" ? 2 : 1;
            for (const app of ["api", "client", "website"]) {
                const d = kubectlJson(["get", "deployment", `keybuzz-${app}`, "-n", ns]);
                assert.equal(d.status.readyReplicas, replicas, `${ns}/${app} ready replicas`);
                assert.equal(d.status.updatedReplicas, replicas);
                assert.equal(
                    kubectlJson(["get", "service", `keybuzz-${app}`, "-n", ns]).spec.ports[0].port,
                    80,
                );
                assert.equal(
                    kubectlJson(["get", "serviceaccount", `keybuzz-${app}`, "-n", ns])
                        .automountServiceAccountToken,
                    false,
                );
                const ingress = kubectlJson(["get", "ingress", `keybuzz-${app}`, "-n", ns]);
                assert.equal(ingress.metadata.annotations["pulumi.com/skipAwait"], "true");
                assert.equal(
                    kubectl(["get", "pdb", `keybuzz-${app}`, "-n", ns]).code,
                    stack === "prod" ? 0 : 1,
                );
            }
            assert.ok(kubectlJson(["get", "networkpolicy", "-n", ns]).items.length >= 2);
            assert.equal(
                kubectlJson(["get", "secret", "keybuzz-database", "-n", ns]).type,
                "Opaque",
            );
            assert.equal(
                kubectlJson(["get", "namespace", ns]).metadata.labels["keybuzz.io/environment"],
                stack,
            );
        }
        // PROD's client calls PROD's backend, never DEV's.
        const env = kubectlJson(["get", "deployment", "keybuzz-client", "-n", "keybuzz-prod"]).spec
            .template.spec.containers[0].env;
        assert.equal(
            env.find((e: any) => e.name === "NEXT_PUBLIC_BACKEND_URL").value,
            "https://backend.keybuzz.io",
        );
    });

    it("each environment's role reaches its own database only: refused by privilege on the other's, by authentication with the other's password; PUBLIC has no CONNECT", async () => {
        const pw = {
            dev: secretOf("keybuzz-dev", "keybuzz-database", "PGPASSWORD"),
            prod: secretOf("keybuzz-prod", "keybuzz-database", "PGPASSWORD"),
        };
        configured.push(pw.dev, pw.prod);
        assert.equal(await connects("keybuzz_api_dev", pw.dev, "keybuzz_dev"), "ok");
        assert.equal(await connects("keybuzz_api_prod", pw.prod, "keybuzz_prod"), "ok");
        assert.match(
            await connects("keybuzz_api_dev", pw.dev, "keybuzz_prod"),
            /permission denied for database "keybuzz_prod"/,
        );
        assert.match(
            await connects("keybuzz_api_prod", pw.prod, "keybuzz_dev"),
            /permission denied for database "keybuzz_dev"/,
        );
        assert.match(
            await connects("keybuzz_api_prod", pw.dev, "keybuzz_prod"),
            /password authentication failed for user "keybuzz_api_prod"/,
        );
        assert.match(
            await connects("keybuzz_api_dev", pw.prod, "keybuzz_dev"),
            /password authentication failed for user "keybuzz_api_dev"/,
        );
        const su = new Client({
            host: "127.0.0.1",
            port: pg.port,
            user: "postgres",
            password: pg.superuserPassword,
            database: "postgres",
        });
        await su.connect();
        const acl = await su.query(
            "SELECT datname, has_database_privilege('public', datname, 'CONNECT') AS public_connect FROM pg_database WHERE datname IN ('keybuzz_dev', 'keybuzz_prod') ORDER BY 1",
        );
        await su.end();
        assert.deepEqual(acl.rows, [
            { datname: "keybuzz_dev", public_connect: false },
            { datname: "keybuzz_prod", public_connect: false },
        ]);
    });

    it("a rotated password (passwordRotation bumped, up) works and the old one is refused; the Secret follows", async () => {
        const old = secretOf("keybuzz-prod", "keybuzz-database", "PGPASSWORD");
        writeStack("prod", (c) => {
            baseEdit("prod")(c);
            c["keybuzz-platform:database"].passwordRotation = 1;
        });
        const up = pulumi(on("prod", "up", "--yes", "--skip-preview"));
        assert.equal(up.code, 0, up.stdout + up.stderr);
        const rotated = secretOf("keybuzz-prod", "keybuzz-database", "PGPASSWORD");
        configured.push(rotated);
        assert.notEqual(rotated, old);
        assert.equal(await connects("keybuzz_api_prod", rotated, "keybuzz_prod"), "ok");
        assert.match(
            await connects("keybuzz_api_prod", old, "keybuzz_prod"),
            /password authentication failed/,
        );
    });

    it("db:cutover --target-stack prod copies PROD's tenants into the database the prod stack's output names", async () => {
        const su = new Client({
            host: "127.0.0.1",
            port: pg.port,
            user: "postgres",
            password: pg.superuserPassword,
            database: "postgres",
        });
        await su.connect();
        await su.query("CREATE DATABASE keybuzz");
        await su.end();
        const shared = new Client({
            host: "127.0.0.1",
            port: pg.port,
            user: "postgres",
            password: pg.superuserPassword,
            database: "keybuzz",
        });
        await shared.connect();
        await loadKeybuzzShaped(shared, 1);
        await shared.end();
        const selector = path.join(tmp, "selector.json");
        fs.writeFileSync(
            selector,
            JSON.stringify({ exclude: [{ column: "owner_email", endsWith: TEST_OWNER_SUFFIX }] }),
        );
        const env = {
            PULUMI_BACKEND_URL: `file://${state}`,
            KEYBUZZ_CUTOVER_SOURCE_URL: pg.url("postgres", pg.superuserPassword, "keybuzz"),
        };
        const copy = await npmRunAsync(
            "db:cutover",
            [
                "copy",
                "--selector",
                selector,
                "--whole-table",
                "plans",
                "--cross-tenant",
                "skip",
                "--target-stack",
                "prod",
            ],
            env,
        );
        logs.push(copy.stdout, copy.stderr);
        assert.equal(copy.code, 0, copy.stderr);
        assert.match(
            copy.stdout,
            /into keybuzz_api_prod@127\.0\.0\.1:\d+\/keybuzz_prod \(schema created\)/,
        );
        const verify = await npmRunAsync(
            "db:cutover",
            [
                "verify",
                "--selector",
                selector,
                "--whole-table",
                "plans",
                "--cross-tenant",
                "skip",
                "--target-stack",
                "prod",
            ],
            env,
        );
        logs.push(verify.stdout, verify.stderr);
        assert.equal(verify.code, 0, verify.stdout + verify.stderr);
        // PROD's own role reads its copied data with the password from PROD's Secret.
        const prod = new Client({
            host: "127.0.0.1",
            port: pg.port,
            user: "keybuzz_api_prod",
            password: secretOf("keybuzz-prod", "keybuzz-database", "PGPASSWORD"),
            database: "keybuzz_prod",
        });
        await prod.connect();
        assert.equal(Number((await prod.query("SELECT count(*) FROM tenants")).rows[0].count), 13);
        await prod.end();
    });

    it("a second up changes nothing in either stack", () => {
        for (const stack of ["dev", "prod"] as const) {
            const r = pulumi(on(stack, "preview", "--expect-no-changes"));
            assert.equal(r.code, 0, r.stdout + r.stderr);
        }
    });

    it("a promotion (a new digest in the prod stack) previews as an update of the Deployment only, and up rolls it out", () => {
        // Another real image: the API's stale build (its /health answers, so it rolls out).
        const image = localImages("stale").api;
        writeStack("prod", (c) => {
            baseEdit("prod")(c);
            c["keybuzz-platform:database"].passwordRotation = 1;
            c["keybuzz-platform:services"].api.image = image;
        });
        const preview = pulumi(on("prod", "preview", "--json"));
        assert.equal(preview.code, 0, preview.stderr);
        const changed = JSON.parse(preview.stdout)
            .steps.filter((s: any) => s.op !== "same")
            .map((s: any) => `${s.op} ${s.urn.split("::").pop()}`);
        assert.deepEqual(changed, ["update prod-api-deployment"]);
        const up = pulumi(on("prod", "up", "--yes", "--skip-preview"));
        assert.equal(up.code, 0, up.stdout + up.stderr);
        const d = kubectlJson(["get", "deployment", "keybuzz-api", "-n", "keybuzz-prod"]);
        assert.equal(d.spec.template.spec.containers[0].image, image);
        assert.equal(d.status.updatedReplicas, 2);
        assert.equal(d.status.readyReplicas, 2);
        assert.equal(pulumi(on("prod", "preview", "--expect-no-changes")).code, 0);
    });

    it("drift made behind the program's back is reported by preview --refresh and undone by up --refresh", () => {
        assert.equal(
            kubectl(["scale", "deployment/keybuzz-api", "-n", "keybuzz-prod", "--replicas=5"]).code,
            0,
        );
        assert.equal(
            kubectl([
                "set",
                "env",
                "deployment/keybuzz-client",
                "-n",
                "keybuzz-prod",
                "NEXT_PUBLIC_BACKEND_URL=https://backend-dev.keybuzz.io",
            ]).code,
            0,
        );
        const preview = pulumi(on("prod", "preview", "--refresh", "--expect-no-changes"));
        assert.notEqual(preview.code, 0, "the drift was not reported");
        assert.match(preview.stdout, /prod-api-deployment/);
        assert.match(preview.stdout, /prod-client-deployment/);
        const up = pulumi(on("prod", "up", "--refresh", "--yes", "--skip-preview"));
        assert.equal(up.code, 0, up.stdout + up.stderr);
        assert.equal(
            kubectlJson(["get", "deployment", "keybuzz-api", "-n", "keybuzz-prod"]).spec.replicas,
            2,
        );
        const env = kubectlJson(["get", "deployment", "keybuzz-client", "-n", "keybuzz-prod"]).spec
            .template.spec.containers[0].env;
        assert.equal(
            env.find((e: any) => e.name === "NEXT_PUBLIC_BACKEND_URL").value,
            "https://backend.keybuzz.io",
        );
        assert.equal(pulumi(on("prod", "preview", "--refresh", "--expect-no-changes")).code, 0);
    });

    it("two ups of the same stack at once: one waits or fails on the backend's lock, and the state stays intact", async () => {
        const run = () =>
            pulumiInAsync(ROOT, state, on("prod", "up", "--yes", "--skip-preview", "--refresh"), {
                KUBECONFIG: localCluster(),
            });
        const results = await Promise.all([run(), run()]);
        for (const r of results) logs.push(r.stdout, r.stderr);
        assert.ok(
            results.some((r) => r.code === 0),
            results.map((r) => r.stderr).join("\n"),
        );
        for (const r of results.filter((x) => x.code !== 0))
            assert.match(r.stdout + r.stderr, /locked/i);
        const exported = pulumi(["stack", "export", "--stack", "prod"]);
        assert.equal(exported.code, 0);
        assert.ok(JSON.parse(exported.stdout).deployment.resources.length > 30);
        assert.equal(pulumi(on("prod", "preview", "--expect-no-changes")).code, 0);
    });

    it("no secret value appears in logs, state exports or anything read back from the API server but the Secrets", () => {
        const generated = ["dev", "prod"].flatMap((stack) => {
            // Read with the values shown, so kept out of the logs searched below.
            const full = JSON.parse(
                pulumiIn(ROOT, state, ["stack", "export", "--show-secrets", "--stack", stack])
                    .stdout,
            );
            return full.deployment.resources
                .filter((r: any) => r.type === "random:index/randomPassword:RandomPassword")
                .map((r: any) => r.outputs.result)
                .map((v: any) =>
                    v && typeof v === "object" && "plaintext" in v ? JSON.parse(v.plaintext) : v,
                );
        });
        const secrets = [...configured, ...generated].filter((s) => typeof s === "string");
        assert.ok(
            secrets.length >= 14 && secrets.every((s) => s.length >= 12),
            `secrets found: ${secrets.length}`,
        );
        const exports = ["dev", "prod"]
            .map((stack) => pulumi(["stack", "export", "--stack", stack]).stdout)
            .join("\n");
        const live = ["keybuzz-dev", "keybuzz-prod"]
            .map(
                (ns) =>
                    kubectl([
                        "get",
                        "all,configmap,ingress,networkpolicy,pdb,serviceaccount,events",
                        "-n",
                        ns,
                        "-o",
                        "yaml",
                    ]).stdout,
            )
            .join("\n");
        const places = { logs: logs.join("\n"), exports, live };
        for (const [i, s] of secrets.entries()) {
            for (const [where, text] of Object.entries(places))
                assert.ok(
                    !text.includes(s),
                    `secret #${i} (${i < configured.length ? "configured or read back" : "generated"}) appears in ${where}`,
                );
        }
    });

    it("destroy removes the dev-like stack's namespace; the prod-like stack's protected resources refuse destroy", () => {
        const destroy = pulumi(on("dev", "destroy", "--yes", "--skip-preview"));
        assert.equal(destroy.code, 0, destroy.stdout + destroy.stderr);
        assert.equal(
            kubectl(["get", "namespace", "keybuzz-dev"]).code,
            1,
            "the dev namespace is still there",
        );
        const refused = pulumi(on("prod", "destroy", "--yes"));
        assert.notEqual(refused.code, 0);
        assert.match(refused.stdout + refused.stderr, /protected/);
        // Refused as a whole, in the preview: not one PROD workload was deleted on the way.
        assert.equal(kubectl(["get", "namespace", "keybuzz-prod"]).code, 0);
        assert.equal(
            kubectlJson(["get", "deployment", "keybuzz-api", "-n", "keybuzz-prod"]).status
                .readyReplicas,
            2,
        );
    });
});
