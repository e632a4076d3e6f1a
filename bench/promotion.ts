/**
 * bench/promotion: promoting 3 images (our client) vs `skopeo copy` of the same 3 images
 * within one registry (Debian's docker-registry on 127.0.0.1), in this script: wall time
 * (median of 5) and HTTP requests per image counted by a pass-through proxy, for a first
 * promotion and for a no-op re-run.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import * as http from "node:http";
import { AddressInfo } from "node:net";
import { RegistryClient } from "../registry/client";
import { promoteTag } from "../registry/promote";
import { pushImage } from "../test/support/oci-images";
import { REGISTRY_PASSWORD, REGISTRY_USER, startRegistry } from "../test/support/registry";
import { fmt, median } from "./stats";

async function countingProxy(upstream: string) {
    const state = { count: 0 };
    const [host, port] = upstream.split(":");
    const server = http.createServer((req, res) => {
        state.count++;
        const up = http.request({ host, port: Number(port), method: req.method, path: req.url, headers: req.headers }, (ur) => {
            res.writeHead(ur.statusCode ?? 502, ur.headers);
            ur.pipe(res);
        });
        req.pipe(up);
    });
    server.keepAliveTimeout = 5000;
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    return { address: `127.0.0.1:${(server.address() as AddressInfo).port}`, state, close: () => (server.closeAllConnections(), server.close()) };
}

(async () => {
    const reg = await startRegistry();
    const proxy = await countingProxy(reg.address);
    const services = ["api", "client", "website"];
    const digests: Record<string, string> = {};
    for (const s of services) digests[s] = await pushImage(reg.address, `keybuzzio/keybuzz-${s}`, "dev", { files: { "app/main.js": `${s} `.repeat(100_000) }, flavour: "oci" });

    const ours = async (tag: string) => {
        const client = new RegistryClient({ registry: proxy.address, scheme: "http", credentials: { username: REGISTRY_USER, password: REGISTRY_PASSWORD } });
        for (const s of services) await promoteTag(client, { sourceRepository: `keybuzzio/keybuzz-${s}`, digest: digests[s], targetRepository: `keybuzzio/keybuzz-${s}-prod`, targetTag: tag });
        await client.close();
    };
    // Async: the counting proxy lives in this process and must keep serving while skopeo runs.
    const run = promisify(execFile);
    const skopeo = async (tag: string) => {
        for (const s of services) {
            await run("skopeo", ["copy", "--preserve-digests", "--src-tls-verify=false", "--dest-tls-verify=false", "--src-creds", `${REGISTRY_USER}:${REGISTRY_PASSWORD}`, "--dest-creds", `${REGISTRY_USER}:${REGISTRY_PASSWORD}`, `docker://${proxy.address}/keybuzzio/keybuzz-${s}@${digests[s]}`, `docker://${proxy.address}/keybuzzio/keybuzz-${s}-skopeo:${tag}`]);
        }
    };
    const measure = async (fn: (tag: string) => unknown, tagOf: (i: number) => string) => {
        const times: number[] = [];
        const requests: number[] = [];
        for (let i = 0; i < 5; i++) {
            const before = proxy.state.count;
            const t = performance.now();
            await fn(tagOf(i));
            times.push(performance.now() - t);
            requests.push((proxy.state.count - before) / services.length);
        }
        return { ms: median(times), requestsPerImage: median(requests) };
    };
    const firstOurs = await measure(ours, (i) => `first-${i}`);
    const firstSkopeo = await measure(skopeo, (i) => `first-${i}`);
    const noopOurs = await measure(ours, () => "first-0");
    const noopSkopeo = await measure(skopeo, () => "first-0");
    proxy.close();
    await reg.stop();
    console.log("bench/promotion — 3 images within one registry on 127.0.0.1 (median of 5)");
    console.log(`  first promotion:  ours ${fmt(firstOurs.ms)} (${firstOurs.requestsPerImage.toFixed(1)} req/image)   skopeo copy ${fmt(firstSkopeo.ms)} (${firstSkopeo.requestsPerImage.toFixed(1)} req/image)   ratio skopeo/ours ${(firstSkopeo.ms / firstOurs.ms).toFixed(1)}x`);
    console.log(`  no-op re-run:     ours ${fmt(noopOurs.ms)} (${noopOurs.requestsPerImage.toFixed(1)} req/image)   skopeo copy ${fmt(noopSkopeo.ms)} (${noopSkopeo.requestsPerImage.toFixed(1)} req/image)   ratio skopeo/ours ${(noopSkopeo.ms / noopOurs.ms).toFixed(1)}x`);
})().catch((e) => {
    console.error(e);
    process.exit(1);
});
