/**
 * Starts one of the tools' plugin launchers as the engine does (an engine address argument,
 * the port read from the first line of stdout) and connects a gRPC client of the SDK's own
 * generated service definitions to it, so the tests speak the engine's protocol.
 */
import { ChildProcess, spawn } from "node:child_process";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";

export const TOOLS = path.resolve(__dirname, "..");
const sdk = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
/* eslint-disable @typescript-eslint/no-require-imports */
export const proto = (file: string) => require(path.join(sdk, "proto", file));

export interface PluginProcess {
    readonly client: any;
    /** Calls a unary method and resolves with its answer. */
    call<T = any>(method: string, request: unknown): Promise<T>;
    stop(): Promise<void>;
}

export async function startPlugin(
    launcher: string,
    clientClass: new (address: string, credentials: grpc.ChannelCredentials) => any,
): Promise<PluginProcess> {
    const child: ChildProcess = spawn(launcher, ["127.0.0.1:1"], {
        stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr!.on("data", (d) => (stderr += d));
    const port = await new Promise<number>((resolve, reject) => {
        let out = "";
        const timer = setTimeout(() => reject(new Error(`no port after 60 s: ${stderr}`)), 60_000);
        child.stdout!.on("data", (d) => {
            out += d;
            const m = /^(\d+)\n/.exec(out);
            if (m) {
                clearTimeout(timer);
                resolve(Number(m[1]));
            }
        });
        child.on("exit", (code) => {
            clearTimeout(timer);
            reject(new Error(`${path.basename(launcher)} exited ${code}: ${stderr}`));
        });
    });
    const client = new clientClass(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    return {
        client,
        call: (method, request) =>
            new Promise((resolve, reject) =>
                client[method](request, (err: Error | null, res: any) =>
                    err ? reject(err) : resolve(res),
                ),
            ),
        stop: async () => {
            client.close();
            if (child.exitCode !== null) return;
            const exited = new Promise((r) => child.once("exit", r));
            child.kill("SIGTERM");
            await exited;
        },
    };
}

/**
 * A mocha suite's plugin: started before its tests, stopped after them. `plugin()` is the
 * running process inside the tests.
 */
export function pluginForSuite(
    launcher: string,
    clientClass: new (address: string, credentials: grpc.ChannelCredentials) => any,
): () => PluginProcess {
    let running: PluginProcess | undefined;
    before(async () => (running = await startPlugin(path.join(TOOLS, launcher), clientClass)));
    after(() => running?.stop());
    return () => running!;
}
