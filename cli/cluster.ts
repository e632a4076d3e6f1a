/**
 * npm run cluster:up | cluster:down | cluster:status
 * The local Kubernetes control plane on loopback (cluster/control-plane.ts).
 *   up      starts it unless it runs; waits for the API and a Ready node; the last line of
 *           stdout is KUBECONFIG=<absolute path>. Exit 0, or 2 when it cannot start.
 *   down    stops every process and removes the cluster's folder. Exit 0.
 *   status  exit 0 when the API answers and a node is Ready, 1 when not.
 */
import * as path from "node:path";
import {
    binariesFromEnv,
    down,
    executablesOf,
    grantRegistryAccount,
    health,
    layout,
    nodeKindFromEnv,
    readState,
    up,
} from "../cluster/control-plane";
import { readStackFile } from "../config/stack-file";
import { clusterDir } from "../cluster/dir";
import { passphraseFromEnv } from "../config/passphrase";
import { SecretValue } from "../config/secret";
import { CannotRun, EXIT_FAILED, EXIT_OK, main, parseFlags } from "../lib/cli";

const USAGE =
    "npm run cluster:up | cluster:down | cluster:status [-- --format text|json] | cluster:grant -- --stack-file <Pulumi.<stack>.yaml>";

main("cluster", async () => {
    const { values, positionals } = parseFlags(
        process.argv.slice(2),
        { format: { type: "string" }, "stack-file": { type: "string" } },
        USAGE,
    );
    const l = layout(clusterDir());
    const progress = (line: string) => process.stderr.write(`cluster: ${line}\n`);
    switch (positionals[0]) {
        case "up": {
            let bin;
            let kind;
            try {
                bin = binariesFromEnv();
                kind = nodeKindFromEnv();
            } catch (e) {
                throw new CannotRun((e as Error).message);
            }
            try {
                const r = await up(l, bin, progress, kind);
                const h = await health(l);
                progress(
                    r.reused
                        ? `already running: ${h.version} at ${h.apiServer}`
                        : `running in ${r.seconds.toFixed(1)}s: ${h.version} at ${h.apiServer}, node ${h.readyNodes.join(", ")} Ready`,
                );
                process.stdout.write(`KUBECONFIG=${r.kubeconfig}\n`);
                return EXIT_OK;
            } catch (e) {
                throw new CannotRun(`could not start the local cluster: ${(e as Error).message}`);
            }
        }
        case "down": {
            let executables: string[] = [];
            try {
                executables = executablesOf(binariesFromEnv());
            } catch {
                // not built: nothing of ours can be running but what the state file records
            }
            const { stopped } = await down(l, progress, executables);
            process.stdout.write(
                stopped.length
                    ? `cluster: stopped ${stopped.join(", ")}; removed ${l.dir}\n`
                    : "cluster: not running\n",
            );
            return EXIT_OK;
        }
        case "status": {
            const h = await health(l);
            if (values.format === "json")
                process.stdout.write(
                    JSON.stringify(
                        { ...h, kubeconfig: h.running ? l.kubeconfig : undefined },
                        null,
                        2,
                    ) + "\n",
                );
            else if (h.running)
                process.stdout.write(
                    `cluster: running, Kubernetes ${h.version} at ${h.apiServer}, Ready nodes: ${h.readyNodes.join(", ")}\nKUBECONFIG=${l.kubeconfig}\n`,
                );
            else process.stdout.write(`cluster: not running (${h.problem})\n`);
            return h.running ? EXIT_OK : EXIT_FAILED;
        }
        case "grant": {
            // The stack's image pull credentials become an account of the cluster's registry.
            const file = values["stack-file"];
            if (!file) throw new CannotRun(`grant needs --stack-file <file>\nusage: ${USAGE}`);
            let config: Record<string, unknown>;
            try {
                config = readStackFile(path.resolve(file), passphraseFromEnv());
            } catch (e) {
                throw new CannotRun((e as Error).message);
            }
            const reg = config.registry as { server?: string; username?: string } | undefined;
            const password = config.registryPassword;
            const state = readState(l);
            if (
                !reg?.username ||
                !(password instanceof SecretValue) ||
                password.value === undefined
            )
                throw new CannotRun(
                    `${file}: registry.username and registryPassword (secure, decryptable with the stack's passphrase) are needed to grant a pull account`,
                );
            if (state?.registry && reg.server !== state.registry)
                throw new CannotRun(
                    `${file}: registry.server is ${reg.server}, not the local cluster's registry ${state.registry}; set registry.server: ${state.registry} to pull the images npm run images pushes`,
                );
            try {
                await grantRegistryAccount(l, reg.username, password.value, progress);
            } catch (e) {
                throw new CannotRun((e as Error).message);
            }
            process.stdout.write(`cluster: ${reg.username} may pull from ${state?.registry}\n`);
            return EXIT_OK;
        }
        default:
            throw new CannotRun(
                `unknown subcommand ${positionals[0] ?? "(none)"}\nusage: ${USAGE}`,
            );
    }
});
