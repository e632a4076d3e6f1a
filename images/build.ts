/**
 * Builds the images of images/src into OCI layouts: the three services per variant, and the
 * pause and PostgreSQL images the local cluster needs. Nothing here talks to a registry.
 */
import * as path from "node:path";
import { buildOf, Service, Variant } from "./catalog";
import { goBuild } from "./go-build";
import { ImageConfig, LayerEntry, WrittenImage, writeImageLayout } from "./oci-layout";
import { postgresEntries, PG_BIN } from "./postgres-files";
import * as fs from "node:fs";

export const SERVICE_PORT: Record<Service, number> = { api: 3001, client: 3000, website: 3000 };
/** The services run as this uid (the Deployments also say so: runAsUser 10001). */
const SERVICE_USER = "10001:10001";

const bundle = (leaky: boolean) =>
    Buffer.from(
        leaky
            ? // What PH28.1's DEV-built client carried: NEXT_PUBLIC_BACKEND_URL inlined at build time.
              'const backend = "https://backend-dev.keybuzz.io";\nfetch(backend + "/auth/me", { credentials: "include" });\n'
            : '// The backend URL is the page\'s, set at run time from NEXT_PUBLIC_BACKEND_URL (README, the client image contract).\nconst backend = window.__KEYBUZZ_BACKEND_URL__;\nfetch(backend + "/auth/me", { credentials: "include" });\n',
    );

const dir = (p: string, mode = 0o755): LayerEntry => ({ path: p, type: "directory", mode });
const file = (p: string, content: Buffer, mode = 0o644): LayerEntry => ({
    path: p,
    type: "file",
    mode,
    content,
});

export interface BuiltImage extends WrittenImage {
    readonly name: string;
    readonly tag: string;
}

async function layout(
    workDir: string,
    name: string,
    tag: string,
    entries: LayerEntry[],
    config: ImageConfig,
): Promise<BuiltImage> {
    const written = await writeImageLayout(
        path.join(workDir, "layouts", `${name}-${tag}`),
        tag,
        entries,
        config,
    );
    return { ...written, name, tag };
}

export async function buildServiceImage(
    workDir: string,
    service: Service,
    variant: Variant,
): Promise<BuiltImage> {
    const build = buildOf(variant, service);
    const binary = fs.readFileSync(goBuild(service, build, path.join(workDir, "bin")));
    const entries: LayerEntry[] = [dir("tmp", 0o1777), file(`keybuzz-${service}`, binary, 0o755)];
    if (service === "client")
        entries.push(dir("static"), file("static/app.js", bundle(build === "leaky-client")));
    return layout(workDir, service, build, entries, {
        entrypoint: [`/keybuzz-${service}`],
        env: ["PATH=/", `PORT=${SERVICE_PORT[service]}`],
        user: SERVICE_USER,
        exposedPort: SERVICE_PORT[service],
        labels: {
            "org.opencontainers.image.source": "keybuzz-platform/images/src",
            "keybuzz.variant": build,
        },
    });
}

export async function buildPauseImage(workDir: string): Promise<BuiltImage> {
    const binary = fs.readFileSync(goBuild("pause", "good", path.join(workDir, "bin")));
    return layout(workDir, "pause", "3.10", [file("pause", binary, 0o755)], {
        entrypoint: ["/pause"],
        env: ["PATH=/"],
        user: "65535:65535",
    });
}

export async function buildPostgresImage(workDir: string): Promise<BuiltImage> {
    const init = fs.readFileSync(goBuild("postgres-init", "good", path.join(workDir, "bin")));
    return layout(workDir, "postgres", "15", postgresEntries(init), {
        entrypoint: ["/postgres-init"],
        env: [`PATH=${PG_BIN}:/`, "TZ=UTC", "PGDATA=/var/lib/postgresql/data"],
        user: "999:999",
        exposedPort: 5432,
    });
}
