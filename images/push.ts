/**
 * Pushes a built layout to the local cluster's registry with skopeo (the reference client;
 * credentials from a 0600 auth file, never argv), then asks the registry itself what the tag
 * now names: a push counts only when the registry serves the digest that was built.
 */
import { spawnSync } from "node:child_process";
import { RegistryClient } from "../registry/client";
import { BuiltImage } from "./build";

export interface PushTarget {
    readonly registry: string;
    readonly authFile: string;
    readonly credentials: { username: string; password: string };
}

export async function pushImage(
    image: BuiltImage,
    repository: string,
    to: PushTarget,
): Promise<string> {
    const dest = `docker://${to.registry}/${repository}:${image.tag}`;
    const r = spawnSync(
        "skopeo",
        [
            "copy",
            "--quiet",
            "--dest-tls-verify=false",
            "--dest-authfile",
            to.authFile,
            "--preserve-digests",
            `oci:${image.layout}:${image.tag}`,
            dest,
        ],
        { encoding: "utf8" },
    );
    if (r.error || r.status !== 0)
        throw new Error(
            `skopeo copy to ${dest} failed: ${(r.stderr || r.error?.message || "").trim()}`,
        );
    const client = new RegistryClient({
        registry: to.registry,
        scheme: "http",
        credentials: to.credentials,
    });
    try {
        const served = await client.headManifest(repository, image.tag);
        if (served?.digest !== image.manifestDigest)
            throw new Error(
                `${to.registry}/${repository}:${image.tag} names ${served?.digest ?? "nothing"} after the push, not the built ${image.manifestDigest}`,
            );
    } finally {
        await client.close();
    }
    return `${to.registry}/${repository}@${image.manifestDigest}`;
}
