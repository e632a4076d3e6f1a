// Compiles the project's TypeScript to JavaScript in out/ (gitignored), file by file with
// esbuild (type checking is `npm run typecheck`'s job, and the tests'): the npm commands, the
// language host and the stand-in provider then start as plain Node, not as TypeScript
// compiled at every start. scripts/build.sh decides when this must run.
import { build } from "esbuild";
import { readdirSync, rmSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const dirs = [
    "audit",
    "bench",
    "cli",
    "cluster",
    "components",
    "config",
    "cutover",
    "image",
    "images",
    "lib",
    "policies",
    "promotion",
    "registry",
    "tools/langhost",
    "tools/stand-in-providers",
    "test/support",
];
const files = ["index.ts", "program.ts"];
const walk = (dir) =>
    readdirSync(join(root, dir)).flatMap((f) => {
        const p = join(dir, f);
        if (statSync(join(root, p)).isDirectory()) return walk(p);
        return p.endsWith(".ts") && !p.endsWith(".d.ts") ? [p] : [];
    });
const entryPoints = [...files, ...dirs.flatMap(walk)].map((f) => join(root, f));
await build({
    entryPoints,
    outdir: join(root, process.env.KEYBUZZ_OUT_DIR ?? "out"),
    outbase: root,
    format: "cjs",
    platform: "node",
    target: "node22",
    sourcemap: "linked",
    logLevel: "warning",
});
// The npm commands, bundled one file each (their dependencies included): a command then starts
// by reading one file instead of resolving and loading hundreds (zod and undici are many
// modules each). Packages that load native or engine code stay external.
const out = join(root, process.env.KEYBUZZ_OUT_DIR ?? "out", "bin");
const commands = readdirSync(join(root, "cli"))
    .filter((f) => f.endsWith(".ts") && f !== "policy-check.ts")
    .map((f) => join(root, "cli", f));
rmSync(out, { recursive: true, force: true });
// zod's locales index, imported by zod itself, bundled as English only (scripts/bundle/zod-locales.mjs).
const zodLocales = join(root, "scripts", "bundle", "zod-locales.mjs");
const englishOnlyZod = {
    name: "zod-english-only",
    setup(b) {
        b.onResolve({ filter: /\/locales\/index\.js$/ }, (args) =>
            /node_modules\/zod\/v4\//.test(args.importer) ? { path: zodLocales } : undefined,
        );
    },
};
// undici bundled as the Agent and request() the commands use (scripts/bundle/undici-core.cjs).
const undiciCore = join(root, "scripts", "bundle", "undici-core.cjs");
const undiciAsUsed = {
    name: "undici-as-used",
    setup(b) {
        b.onResolve({ filter: /^undici$/ }, () => ({ path: undiciCore }));
    },
};
const bundled = {
    outdir: out,
    plugins: [englishOnlyZod, undiciAsUsed],
    bundle: true,
    format: "cjs",
    platform: "node",
    target: "node22",
    sourcemap: "linked",
    logLevel: "warning",
    // lib/project-root looks upwards from __dirname for tools/versions.env: out/bin is still below the root.
};
await build({ ...bundled, entryPoints: commands, external: ["@pulumi/*", "@grpc/*", "pg-native"] });
// policy:check runs the program under mocks: the Pulumi SDKs are bundled with it (module
// resolution was half its start), and the two packages the SDK needs only to serialize
// dynamic providers, which mocks never do, are left out (scripts/bundle/absent-module.cjs).
const absent = join(root, "scripts", "bundle", "absent-module.cjs");
await build({
    ...bundled,
    entryPoints: [join(root, "cli", "policy-check.ts")],
    external: ["@grpc/*", "pg-native"],
    alias: { typescript: absent, "@npmcli/arborist": absent },
});
process.stderr.write(
    `build: compiled ${entryPoints.length} files into ${relative(process.cwd(), join(root, "out")) || "out"}\n`,
);
