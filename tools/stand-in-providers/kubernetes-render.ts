/**
 * A render-only stand-in for the `kubernetes` resource provider, used only where the upstream
 * pulumi-resource-kubernetes 4.32.0 cannot be installed (the Go module proxy here refuses it).
 * It implements the provider's `renderYamlToDirectory` mode and nothing else: any other
 * configuration is refused at Configure, so it can never pretend to deploy to a cluster.
 * Unlike the upstream renderer, Secret values are never written: the manifest keeps its keys
 * and says where the values are (the stack's encrypted state).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { stringify } from "yaml";
import { plain, renderManifest } from "./manifest-render";
import { hasUnknown, Props, serve } from "./provider-server";

const VERSION = process.env.KEYBUZZ_STAND_IN_KUBERNETES_VERSION ?? "4.32.0";
let directory = "";

function fileFor(props: Props): string {
    const m = plain(props, false) as Props;
    const group = String(m.apiVersion ?? "v1").replace(/\//g, "_");
    return path.join(directory, "1-manifest", `${group}-${String(m.kind).toLowerCase()}-${m.metadata?.namespace ?? "cluster"}-${m.metadata?.name}.yaml`);
}

function write(props: Props): string {
    const file = fileFor(props);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, stringify(renderManifest(props)));
    return file;
}

serve({
    version: VERSION,
    configure(variables, args) {
        directory = args.renderYamlToDirectory ?? variables["kubernetes:config:renderYamlToDirectory"] ?? "";
        if (!directory) {
            throw new Error(
                "this is keybuzz-platform's render-only stand-in for the kubernetes provider (the upstream pulumi-resource-kubernetes 4.32.0 cannot be built on this machine): it only renders manifests. Set keybuzz-platform:kubernetes.renderToDirectory, or install the upstream provider (pulumi plugin install resource kubernetes 4.32.0) to deploy to a cluster.",
            );
        }
    },
    diff(_type, olds, news) {
        const o = plain(olds, false) as Props;
        const n = plain(news, false) as Props;
        const replaces = ["metadata.name", "metadata.namespace"].filter((k) => {
            const [a, b] = k.split(".");
            return o[a]?.[b] !== n[a]?.[b];
        });
        return { changes: JSON.stringify(o) !== JSON.stringify(n), replaces };
    },
    create(_type, _urn, props, preview) {
        const m = plain(props, false) as Props;
        const id = `${m.metadata?.namespace ? `${m.metadata.namespace}/` : ""}${m.metadata?.name ?? ""}`;
        if (!preview && !hasUnknown(props)) write(props);
        return { id, properties: props };
    },
    update(_type, _urn, _id, olds, news, preview) {
        if (!preview && !hasUnknown(news)) {
            const before = fileFor(olds);
            const after = write(news);
            if (before !== after) fs.rmSync(before, { force: true });
        }
        return news;
    },
    delete(_type, _urn, _id, props) {
        fs.rmSync(fileFor(props), { force: true });
    },
});
