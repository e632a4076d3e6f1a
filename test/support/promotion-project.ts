/**
 * A throw-away copy of this project's stacks plus three images the way DEV produces them
 * (OCI, multi-platform index, Docker), each recorded as verified in dev, and DEV's images
 * file: what `npm run promote -- apply --stack prod --project <dir> --source <file>` needs.
 * Shared by the promotion tests and benchmarks.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { recordVerifiedIn } from "../../promotion/evidence";
import { parseDocument } from "yaml";
import { pushImage } from "./oci-images";
import { REGISTRY_PASSWORD, REGISTRY_USER, testRegistryClient } from "./registry";
import { ROOT } from "./stacks";

export const PROMOTED_SERVICES = ["api", "client", "website"] as const;
const FLAVOURS = { api: "oci", client: "index", website: "docker" } as const;

export interface PromotionProject {
    readonly dir: string;
    /** DEV's images by service, `registry/repo:tag@digest`, as a file for --source. */
    readonly sourceFile: string;
    readonly digests: Record<string, string>;
}

// A large bundle ships as chunks, as Next.js builds do (and each stays under the layer scan's
// per-file bound, so every byte is scanned).
const CHUNK_BYTES = 16 << 20;
function bundleFiles(body: string): Record<string, string> {
    if (body.length <= CHUNK_BYTES) return { "app/main.js": body };
    const files: Record<string, string> = {};
    for (let i = 0; i * CHUNK_BYTES < body.length; i++)
        files[`app/chunks/${i}.js`] = body.slice(i * CHUNK_BYTES, (i + 1) * CHUNK_BYTES);
    return files;
}

/**
 * Pushes to `pushTo` (the registry itself); the images file names `address` (the registry,
 * or a proxy in front of it), so every request the promotion makes goes through it.
 */
export async function promotionProject(
    pushTo: string,
    address: string,
    opts: { tag?: string; fileBytes?: number } = {},
): Promise<PromotionProject> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "keybuzz-promotion-project-"));
    for (const f of ["Pulumi.dev.yaml", "Pulumi.prod.yaml"])
        fs.copyFileSync(path.join(ROOT, f), path.join(dir, f));
    const tag = opts.tag ?? "v1";
    const client = testRegistryClient(pushTo);
    const digests: Record<string, string> = {};
    const images: Record<string, string> = {};
    try {
        for (const service of PROMOTED_SERVICES) {
            // Padded with bundle-like text (URLs, paths, identifiers) to the size asked.
            const body =
                `// ${service} ${tag}\nconst backend = process.env.NEXT_PUBLIC_BACKEND_URL;\n`.padEnd(
                    opts.fileBytes ?? 0,
                    'import("https://cdn.shop.example.com/chunks/app.js");const n=a.b.c(d,"x")||e;\n',
                );
            const repository = `keybuzzio/keybuzz-${service}`;
            digests[service] = await pushImage(pushTo, repository, tag, {
                files: bundleFiles(body),
                flavour: FLAVOURS[service],
            });
            await recordVerifiedIn(client, repository, digests[service], "dev");
            images[service] = `${address}/${repository}:${tag}@${digests[service]}`;
        }
    } finally {
        await client.close();
    }
    const sourceFile = path.join(dir, "dev-images.json");
    fs.writeFileSync(sourceFile, JSON.stringify(images, null, 2));
    return { dir, sourceFile, digests };
}

/** The environment `npm run promote` needs to reach a loopback test registry. */
export const PROMOTE_ENV = {
    KEYBUZZ_REGISTRY_USERNAME: REGISTRY_USER,
    KEYBUZZ_REGISTRY_PASSWORD: REGISTRY_PASSWORD,
    KEYBUZZ_REGISTRY_SCHEME: "http",
};

/** Points the project's prod stack at target repositories of their own (`<repo><suffix>`): a first promotion each time. */
export function useTargetSuffix(project: PromotionProject, suffix: string): void {
    const file = path.join(project.dir, "Pulumi.prod.yaml");
    const doc = parseDocument(fs.readFileSync(file, "utf8"));
    doc.setIn(["config", "keybuzz-platform:promotion"], {
        sourceStack: "dev",
        targetRepositorySuffix: suffix,
    });
    fs.writeFileSync(file, doc.toString());
}

/** The arguments after `npm run promote --` that apply the project's prod stack from DEV's images file. */
export function promoteApplyArgs(project: PromotionProject): string[] {
    return ["apply", "--stack", "prod", "--project", project.dir, "--source", project.sourceFile];
}

/** `skopeo copy` of one of DEV's images (by digest) to `<target>:prod`, with the test registry's credentials. */
export function skopeoCopyArgs(
    sourceImage: string,
    target: string,
    extra: readonly string[] = [],
): string[] {
    const creds = `${REGISTRY_USER}:${REGISTRY_PASSWORD}`;
    const source = sourceImage.replace(/:[^/:@]+@/, "@");
    return [
        "copy",
        ...extra,
        "--all",
        "--preserve-digests",
        "--src-tls-verify=false",
        "--dest-tls-verify=false",
        "--src-creds",
        creds,
        "--dest-creds",
        creds,
        `docker://${source}`,
        `docker://${target}:prod`,
    ];
}
