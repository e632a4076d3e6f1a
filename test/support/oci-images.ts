/**
 * Synthetic images built in the test as OCI layout directories (real tar.gz layers), pushed
 * with skopeo, the reference client: single-platform OCI and Docker manifests, and a
 * two-platform index.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { gzipSync } from "node:zlib";
import { pack } from "tar-stream";
import { REGISTRY_PASSWORD, REGISTRY_USER } from "./registry";

const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

export async function tarOf(files: Record<string, string>): Promise<Buffer> {
    const p = pack();
    for (const [name, content] of Object.entries(files)) p.entry({ name, mode: 0o644 }, content);
    p.finalize();
    const chunks: Buffer[] = [];
    for await (const c of p) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
}

class Layout {
    readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), "keybuzz-oci-"));
    constructor() {
        fs.mkdirSync(path.join(this.dir, "blobs", "sha256"), { recursive: true });
        fs.writeFileSync(
            path.join(this.dir, "oci-layout"),
            JSON.stringify({ imageLayoutVersion: "1.0.0" }),
        );
    }
    blob(b: Buffer): { digest: string; size: number } {
        const h = sha(b);
        fs.writeFileSync(path.join(this.dir, "blobs", "sha256", h), b);
        return { digest: `sha256:${h}`, size: b.length };
    }
    index(entry: object) {
        fs.writeFileSync(
            path.join(this.dir, "index.json"),
            JSON.stringify({ schemaVersion: 2, manifests: [entry] }),
        );
    }
}

export interface ImageSpec {
    /** Files in the single layer, e.g. a Next.js chunk with its inlined backend URL. */
    readonly files: Record<string, string>;
    readonly flavour: "oci" | "docker" | "index";
}

async function manifestFor(
    layout: Layout,
    files: Record<string, string>,
    flavour: "oci" | "docker",
    arch: string,
): Promise<{ digest: string; size: number; mediaType: string }> {
    const layer = layout.blob(gzipSync(await tarOf(files)));
    const config = layout.blob(
        Buffer.from(
            JSON.stringify({
                architecture: arch,
                os: "linux",
                rootfs: { type: "layers", diff_ids: [`sha256:${sha(await tarOf(files))}`] },
                config: {},
            }),
        ),
    );
    const docker = flavour === "docker";
    const mediaType = docker
        ? "application/vnd.docker.distribution.manifest.v2+json"
        : "application/vnd.oci.image.manifest.v1+json";
    const manifest = Buffer.from(
        JSON.stringify({
            schemaVersion: 2,
            mediaType,
            config: {
                mediaType: docker
                    ? "application/vnd.docker.container.image.v1+json"
                    : "application/vnd.oci.image.config.v1+json",
                ...config,
            },
            layers: [
                {
                    mediaType: docker
                        ? "application/vnd.docker.image.rootfs.diff.tar.gzip"
                        : "application/vnd.oci.image.layer.v1.tar+gzip",
                    ...layer,
                },
            ],
        }),
    );
    return { ...layout.blob(manifest), mediaType };
}

/** Builds the image and pushes it to `registry/repository:tag`; returns the pushed digest. */
export async function pushImage(
    registry: string,
    repository: string,
    tag: string,
    spec: ImageSpec,
): Promise<string> {
    const layout = new Layout();
    let top: { digest: string; size: number; mediaType: string };
    if (spec.flavour === "index") {
        const amd = await manifestFor(
            layout,
            { ...spec.files, "arch.txt": "amd64" },
            "oci",
            "amd64",
        );
        const arm = await manifestFor(
            layout,
            { ...spec.files, "arch.txt": "arm64" },
            "oci",
            "arm64",
        );
        const idx = Buffer.from(
            JSON.stringify({
                schemaVersion: 2,
                mediaType: "application/vnd.oci.image.index.v1+json",
                manifests: [
                    { ...amd, platform: { architecture: "amd64", os: "linux" } },
                    { ...arm, platform: { architecture: "arm64", os: "linux" } },
                ],
            }),
        );
        top = { ...layout.blob(idx), mediaType: "application/vnd.oci.image.index.v1+json" };
    } else {
        top = await manifestFor(layout, spec.files, spec.flavour, "amd64");
    }
    let source: string;
    if (spec.flavour === "docker") {
        // skopeo's oci: transport only takes OCI descriptors; its dir: transport takes any manifest.
        const dirLayout = fs.mkdtempSync(path.join(os.tmpdir(), "keybuzz-dir-"));
        for (const f of fs.readdirSync(path.join(layout.dir, "blobs", "sha256")))
            fs.copyFileSync(path.join(layout.dir, "blobs", "sha256", f), path.join(dirLayout, f));
        fs.copyFileSync(
            path.join(layout.dir, "blobs", "sha256", top.digest.slice(7)),
            path.join(dirLayout, "manifest.json"),
        );
        fs.writeFileSync(path.join(dirLayout, "version"), "Directory Transport Version: 1.1\n");
        source = `dir:${dirLayout}`;
    } else {
        layout.index({ ...top, annotations: { "org.opencontainers.image.ref.name": tag } });
        source = `oci:${layout.dir}:${tag}`;
    }
    execFileSync(
        "skopeo",
        [
            "copy",
            "--all",
            "--preserve-digests",
            "--dest-tls-verify=false",
            "--dest-creds",
            `${REGISTRY_USER}:${REGISTRY_PASSWORD}`,
            source,
            `docker://${registry}/${repository}:${tag}`,
        ],
        { stdio: "pipe" },
    );
    fs.rmSync(layout.dir, { recursive: true, force: true });
    return top.digest;
}

/** What skopeo (the reference client) says a tag's digest is. */
export function skopeoDigest(registry: string, repository: string, tag: string): string {
    const out = execFileSync("skopeo", [
        "inspect",
        "--raw",
        "--tls-verify=false",
        "--creds",
        `${REGISTRY_USER}:${REGISTRY_PASSWORD}`,
        `docker://${registry}/${repository}:${tag}`,
    ]);
    return `sha256:${sha(out)}`;
}
