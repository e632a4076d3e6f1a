/**
 * Pins a service's image in a stack file (`services.<svc>.image`) to the promoted digest,
 * keeping the file's comments and layout, so the promotion lands in Git as a reviewable diff.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseDocument } from "yaml";
import { replaceProjectFile } from "../lib/safe-write";
import { CONFIG_NAMESPACE } from "../config/schema";

export function pinImages(
    file: string,
    images: Record<string, string>,
    projectRoot = path.dirname(file),
): void {
    const before = fs.readFileSync(file, "utf8");
    const doc = parseDocument(before);
    for (const [service, image] of Object.entries(images)) {
        const path = ["config", `${CONFIG_NAMESPACE}:services`, service, "image"];
        if (!doc.hasIn(path))
            throw new Error(`${file} has no ${CONFIG_NAMESPACE}:services.${service}.image to pin`);
        doc.setIn(path, image);
    }
    const after = doc.toString();
    // A no-op promotion leaves the file (and its timestamp) alone.
    if (after !== before) replaceProjectFile(projectRoot, file, after);
}
