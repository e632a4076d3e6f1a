/**
 * npm run images -- build [--variant good|stale|leaky-client|crash|all] [--no-push] [--out-dir <dir>]
 * Builds the three services' images from images/src (and the local PostgreSQL image), pushes
 * them to the local cluster's registry and writes .keybuzz/images/<variant>.json: service →
 * image@sha256, the shape `npm run promote -- --source` takes. Prints that file's path last.
 * --no-push builds only and prints the digests (a reproducibility check needs no registry).
 * --pin-stack-file <file> also pins them (and database.image) by digest in that stack file.
 * Exit 0 built, 2 could not run (no cluster, no Go, a push the registry did not keep).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { layout, readState } from "../cluster/control-plane";
import { pusherCredentials, registryLayout } from "../cluster/registry";
import { buildPostgresImage, buildServiceImage, BuiltImage } from "../images/build";
import {
    buildOf,
    parseVariants,
    POSTGRES_REPOSITORY,
    repositoryOf,
    SERVICES,
    Variant,
} from "../images/catalog";
import { pushImage, PushTarget } from "../images/push";
import { CannotRun, EXIT_OK, main, parseFlags } from "../lib/cli";
import { pinImages } from "../promotion/stack-pin";
import { clusterDir } from "../cluster/dir";

const USAGE =
    "npm run images -- build [--variant good|stale|leaky-client|crash|all] [--no-push] [--out-dir <dir>]";

main("images", async () => {
    const { values, positionals } = parseFlags(
        process.argv.slice(2),
        {
            variant: { type: "string" },
            "no-push": { type: "boolean" },
            "out-dir": { type: "string" },
            "pin-stack-file": { type: "string" },
        },
        USAGE,
    );
    if (positionals[0] !== "build" || positionals.length > 1)
        throw new CannotRun(`give the subcommand build\nusage: ${USAGE}`);
    let variants: Variant[];
    try {
        variants = parseVariants(values.variant);
    } catch (e) {
        throw new CannotRun((e as Error).message);
    }
    const root = process.env.KEYBUZZ_ROOT ?? process.cwd();
    const pinFile = values["pin-stack-file"] ? path.resolve(values["pin-stack-file"]) : undefined;
    if (pinFile && (variants.length !== 1 || values["no-push"]))
        throw new CannotRun(
            "--pin-stack-file pins one pushed variant: give one --variant, without --no-push",
        );
    const outDir = path.resolve(values["out-dir"] ?? path.join(root, ".keybuzz", "images"));
    const work = path.join(outDir, "build");
    const progress = (line: string) => process.stderr.write(`images: ${line}\n`);

    let target: PushTarget | undefined;
    if (!values["no-push"]) {
        const l = layout(clusterDir());
        const state = readState(l);
        if (!state?.registry)
            throw new CannotRun(
                `the local cluster's registry is not running (${l.dir}); start it with npm run cluster:up, or build only with --no-push`,
            );
        const r = registryLayout(l.dir);
        target = {
            registry: state.registry,
            authFile: r.authFile,
            credentials: pusherCredentials(r),
        };
    }
    const built = new Map<string, BuiltImage>();
    const refs = new Map<string, string>();
    const publish = async (key: string, repository: string, make: () => Promise<BuiltImage>) => {
        if (refs.has(key)) return refs.get(key)!;
        const t = Date.now();
        const image = built.get(key) ?? (await make());
        built.set(key, image);
        const ref = target
            ? await pushImage(image, repository, target)
            : `${repository}@${image.manifestDigest}`;
        progress(
            `${key}: ${ref} (${(image.layerBytes / 1e6).toFixed(1)} MB, ${((Date.now() - t) / 1000).toFixed(1)}s)`,
        );
        refs.set(key, ref);
        return ref;
    };
    let last = "";
    try {
        for (const variant of variants) {
            const images: Record<string, string> = {};
            for (const service of SERVICES)
                images[service] = await publish(
                    `${service}:${buildOf(variant, service)}`,
                    repositoryOf(service),
                    () => buildServiceImage(work, service, variant),
                );
            const file = path.join(outDir, `${variant}.json`);
            fs.mkdirSync(outDir, { recursive: true });
            fs.writeFileSync(file, JSON.stringify(images, null, 2) + "\n");
            last = file;
            if (values["no-push"]) process.stdout.write(JSON.stringify({ variant, images }) + "\n");
        }
        const postgres = await publish("postgres:15", POSTGRES_REPOSITORY, () =>
            buildPostgresImage(work),
        );
        fs.writeFileSync(
            path.join(outDir, "infra.json"),
            JSON.stringify({ postgres }, null, 2) + "\n",
        );
        if (pinFile) {
            const images = JSON.parse(fs.readFileSync(last, "utf8"));
            pinImages(pinFile, images, path.dirname(pinFile), postgres);
            progress(
                `pinned ${Object.keys(images).join(", ")} and database.image by digest in ${pinFile}`,
            );
        }
    } catch (e) {
        throw new CannotRun((e as Error).message);
    }
    process.stdout.write(`${last}\n`);
    return EXIT_OK;
});
