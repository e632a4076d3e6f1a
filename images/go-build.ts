/**
 * Builds the Go programs of images/src into static binaries, reproducibly: -trimpath, no VCS
 * stamp, an empty build id, CGO off, the machine's pinned Go toolchain only (GOTOOLCHAIN=local).
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { projectRoot } from "../lib/project-root";

export const sourceDir = () => path.join(projectRoot(), "images", "src");
const VARIANT_VAR = "keybuzz-platform/images/internal/serve.Variant";

export function goBuild(program: string, variant: string, outDir: string): string {
    fs.mkdirSync(outDir, { recursive: true });
    const out = path.join(outDir, `${program}-${variant}`);
    const r = spawnSync(
        "go",
        [
            "build",
            "-trimpath",
            "-buildvcs=false",
            "-ldflags",
            `-s -w -buildid= -X ${VARIANT_VAR}=${variant}`,
            "-o",
            out,
            `./${program}`,
        ],
        {
            cwd: sourceDir(),
            encoding: "utf8",
            env: {
                ...process.env,
                CGO_ENABLED: "0",
                GOOS: "linux",
                GOARCH: "amd64",
                GOTOOLCHAIN: "local",
                GOFLAGS: "-mod=mod",
                GOPROXY: process.env.GOPROXY ?? "off",
            },
        },
    );
    if (r.error || r.status !== 0)
        throw new Error(
            `go build ./${program} (images/src) failed: ${(r.stderr || r.error?.message || "").trim()}; Go is needed to build the images (go version: ${goVersion()})`,
        );
    return out;
}

export function goVersion(): string {
    const r = spawnSync("go", ["env", "GOVERSION"], { encoding: "utf8" });
    return r.status === 0 ? r.stdout.trim() : "not found";
}
