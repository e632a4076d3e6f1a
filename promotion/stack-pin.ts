/**
 * Pins a service's image in a stack file (`services.<svc>.image`) to the promoted digest,
 * keeping the file's comments and layout, so the promotion lands in Git as a reviewable diff.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { Document } from "yaml";
import { replaceProjectFile } from "../lib/safe-write";
import { CONFIG_NAMESPACE } from "../config/schema";
import { readStackFile } from "../config/stack-file";

export function pinImages(
    file: string,
    images: Record<string, string>,
    projectRoot = path.dirname(file),
    /** Also `database.image` (the local stack pins the PostgreSQL image it built). */
    databaseImage?: string,
): void {
    const before = fs.readFileSync(file, "utf8");
    // Already pinned (a no-op promotion): the file and its timestamp are left alone, and the
    // layout-keeping YAML library, slower to load than to use, is not loaded at all.
    if (pinnedAlready(file, images, databaseImage)) return;
    const { parseDocument } = require("yaml") as { parseDocument: (s: string) => Document };
    const doc = parseDocument(before);
    for (const [service, image] of Object.entries(images)) {
        const path = ["config", `${CONFIG_NAMESPACE}:services`, service, "image"];
        if (!doc.hasIn(path))
            throw new Error(`${file} has no ${CONFIG_NAMESPACE}:services.${service}.image to pin`);
        doc.setIn(path, image);
    }
    if (databaseImage !== undefined) {
        const path = ["config", `${CONFIG_NAMESPACE}:database`];
        if (!doc.hasIn(path)) throw new Error(`${file} has no ${CONFIG_NAMESPACE}:database to pin`);
        doc.setIn([...path, "image"], databaseImage);
    }
    const after = doc.toString();
    if (after !== before) replaceProjectFile(projectRoot, file, after);
}

function pinnedAlready(
    file: string,
    images: Record<string, string>,
    databaseImage?: string,
): boolean {
    try {
        // The stack file as every command reads it (config/stack-file.ts), secrets left sealed.
        const config = readStackFile(file);
        const services = config.services as Record<string, { image?: unknown }> | undefined;
        const db = config.database as { image?: unknown } | undefined;
        return (
            Object.entries(images).every(([s, image]) => services?.[s]?.image === image) &&
            (databaseImage === undefined || db?.image === databaseImage)
        );
    } catch {
        return false;
    }
}
