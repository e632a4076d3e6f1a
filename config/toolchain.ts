/**
 * The pinned tool versions of tools/versions.env (the one place they are written), for the
 * program: the kubernetes Provider asks the engine for exactly the provider build setup
 * installs, rather than the npm SDK's release number, which that build predates.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { projectRoot } from "../lib/project-root";

export function toolVersions(
    file = path.join(projectRoot(), "tools", "versions.env"),
): Record<string, string> {
    const versions: Record<string, string> = {};
    for (const line of fs.readFileSync(file, "utf8").split("\n")) {
        // NAME=value, or NAME="a list of words" (as the shell scripts source it).
        const m = /^([A-Z0-9_]+)=(?:"([^"]*)"|(\S+))$/.exec(line.trim());
        if (m) versions[m[1]] = m[2] ?? m[3];
    }
    return versions;
}

export function kubernetesProviderVersion(): string {
    const v = toolVersions().PULUMI_KUBERNETES_PROVIDER_VERSION;
    if (!v) throw new Error("tools/versions.env has no PULUMI_KUBERNETES_PROVIDER_VERSION");
    return v;
}
