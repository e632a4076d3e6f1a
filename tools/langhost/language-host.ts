/**
 * A Node.js language host for the Pulumi engine: the LanguageRuntime gRPC service that runs
 * the program (and policy packs) with @pulumi/pulumi's own `cmd/run` and `cmd/run-policy-pack`.
 *
 * Why it exists: the upstream host (module github.com/pulumi/pulumi/sdk/nodejs/cmd/
 * pulumi-language-nodejs/v3) is not served by the Go module proxy this project must build from.
 * It implements what `pulumi preview/up` need of a language host — no code generation, no
 * dependency installation (npm ci is setup's job), no debugger attach. The gRPC service
 * definitions are the SDK's generated ones, so the protocol cannot drift from the engine's.
 * `npm run setup` uses the upstream binary instead whenever one is on PATH.
 */
import { spawn } from "node:child_process";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";

/* eslint-disable @typescript-eslint/no-require-imports */
const sdk = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
const services = require(path.join(sdk, "proto/language_grpc_pb.js"));
const messages = require(path.join(sdk, "proto/language_pb.js"));
const plugin = require(path.join(sdk, "proto/plugin_pb.js"));
const VERSION: string = require(path.join(sdk, "package.json")).version;

// The Node SDK's exit code meaning "the error was already reported to the engine".
const BAIL_EXIT_CODE = 32;

type Call<T> = grpc.ServerUnaryCall<T, unknown>;
type Callback = grpc.sendUnaryData<unknown>;

/** Resolves a module of @pulumi/pulumi from the program's own node_modules, as upstream does. */
function sdkModule(programDirectory: string, module: string): string {
    return require.resolve(`@pulumi/pulumi/${module}`, { paths: [programDirectory] });
}

function options(info: any): Record<string, unknown> {
    return info?.getOptions?.()?.toJavaScript?.() ?? {};
}

function typescriptEnv(info: any): Record<string, string> {
    const o = options(info);
    const env: Record<string, string> = {};
    if (o.typescript !== false) env.PULUMI_NODEJS_TYPESCRIPT = "true";
    if (typeof o.tsconfig === "string") env.PULUMI_NODEJS_TSCONFIG_PATH = o.tsconfig;
    return env;
}

function run(call: Call<any>, callback: Callback, engineAddress: string): void {
    const req = call.request;
    const info = req.getInfo();
    const programDirectory: string = info?.getProgramDirectory() || req.getPwd();
    const config: Record<string, string> = {};
    req.getConfigMap().forEach((v: string, k: string) => (config[k] = v));
    const args = [
        sdkModule(programDirectory, "cmd/run"),
        `--monitor=${req.getMonitorAddress()}`,
        `--engine=${engineAddress}`,
        `--project=${req.getProject()}`,
        `--stack=${req.getStack()}`,
        `--pwd=${req.getPwd()}`,
        `--dry-run=${req.getDryrun() ? "true" : "false"}`,
        `--parallel=${req.getParallel()}`,
        ...(req.getOrganization() ? [`--organization=${req.getOrganization()}`] : []),
        ...(info?.getRootDirectory() ? [`--root-directory=${info.getRootDirectory()}`] : []),
        req.getProgram() || ".",
        ...req.getArgsList(),
    ];
    const child = spawn(process.execPath, args, {
        cwd: req.getPwd(),
        env: {
            ...process.env,
            ...typescriptEnv(info),
            PULUMI_CONFIG: JSON.stringify(config),
            PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(req.getConfigsecretkeysList()),
        },
        stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout.on("data", (d) => process.stdout.write(d));
    child.stderr.on("data", (d) => process.stderr.write(d));
    child.on("error", (e) => {
        const res = new messages.RunResponse();
        res.setError(`could not start node: ${e.message}`);
        callback(null, res);
    });
    child.on("close", (code, signal) => {
        const res = new messages.RunResponse();
        if (code === BAIL_EXIT_CODE) res.setBail(true);
        else if (code !== 0)
            res.setError(`Program exited with non-zero exit code: ${code ?? signal}`);
        callback(null, res);
    });
}

/** Runs a plugin written in Node.js: a policy pack (kind "analyzer") or a provider. */
function runPlugin(call: grpc.ServerWritableStream<any, unknown>): void {
    const req = call.request;
    const info = req.getInfo();
    const programDirectory: string = info.getProgramDirectory();
    const analyzer = req.getKind() === "analyzer";
    const entry = sdkModule(programDirectory, analyzer ? "cmd/run-policy-pack" : "cmd/run-plugin");
    // Policy packs take their directory last; other plugins first (upstream's convention).
    const args = analyzer
        ? [entry, ...req.getArgsList(), programDirectory]
        : [entry, programDirectory, ...req.getArgsList()];
    const env: Record<string, string> = { ...typescriptEnv(info) };
    for (const kv of req.getEnvList() as string[]) {
        const i = kv.indexOf("=");
        if (i > 0) env[kv.slice(0, i)] = kv.slice(i + 1);
    }
    const child = spawn(process.execPath, args, {
        cwd: analyzer ? programDirectory : req.getPwd(),
        env: { ...process.env, ...env },
        stdio: ["ignore", "pipe", "pipe"],
    });
    const send = (field: "setStdout" | "setStderr", d: Buffer) => {
        const res = new messages.RunPluginResponse();
        res[field](d);
        call.write(res);
    };
    child.stdout.on("data", (d) => send("setStdout", d));
    child.stderr.on("data", (d) => send("setStderr", d));
    child.on("close", (code) => {
        const res = new messages.RunPluginResponse();
        res.setExitcode(code ?? 1);
        call.write(res);
        call.end();
    });
    call.on("cancelled", () => child.kill());
}

function main(): void {
    const engineAddress =
        process.argv
            .filter((a) => !a.startsWith("-"))
            .slice(2)
            .pop() ?? "";
    const server = new grpc.Server({ "grpc.max_receive_message_length": 400 * 1024 * 1024 });
    server.addService(services.LanguageRuntimeService, {
        handshake: (_c: Call<any>, cb: Callback) =>
            cb(null, new messages.LanguageHandshakeResponse()),
        getPluginInfo: (_c: Call<any>, cb: Callback) => {
            const res = new plugin.PluginInfo();
            res.setVersion(VERSION);
            cb(null, res);
        },
        getRequiredPlugins: (_c: Call<any>, cb: Callback) =>
            cb(null, new messages.GetRequiredPluginsResponse()),
        getRequiredPackages: (_c: Call<any>, cb: Callback) =>
            cb(null, new messages.GetRequiredPackagesResponse()),
        installDependencies: (call: grpc.ServerWritableStream<any, unknown>) => call.end(),
        run: (call: Call<any>, cb: Callback) => run(call, cb, engineAddress),
        runPlugin: runPlugin,
        about: (_c: Call<any>, cb: Callback) => {
            const res = new messages.AboutResponse();
            res.setExecutable(process.execPath);
            res.setVersion(process.version);
            cb(null, res);
        },
    });
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, port) => {
        if (err) {
            process.stderr.write(`pulumi-language-nodejs: ${err.message}\n`);
            process.exit(1);
        }
        // The engine reads the port from our first line of output.
        process.stdout.write(`${port}\n`);
    });
    process.on("SIGTERM", () => server.forceShutdown());
}

main();
