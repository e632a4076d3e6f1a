import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { readManifests } from "../../../../policies/sources/manifests";

describe("plain Kubernetes YAML (policies/sources/manifests.ts)", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "keybuzz-manifests-"));
    after(() => fs.rmSync(dir, { recursive: true, force: true }));
    const write = (name: string, text: string) => {
        const file = path.join(dir, name);
        fs.writeFileSync(file, text);
        return file;
    };

    it("reads every document and List item with the line it starts on, values as written", () => {
        const file = write(
            "export.yaml",
            [
                "# exported",
                "apiVersion: v1",
                "kind: ConfigMap",
                "metadata: {name: a}",
                "data: {CREATED: 2024-01-01T00:00:00Z, ENABLED: yes, PORT: '0123'}",
                "---",
                "apiVersion: v1",
                "kind: List",
                "items:",
                "- {apiVersion: v1, kind: Secret, metadata: {name: b}}",
                "- {apiVersion: apps/v1, kind: Deployment, metadata: {name: c}}",
                "---",
                "",
            ].join("\n"),
        );
        const rs = readManifests(file, "prod");
        assert.deepEqual(
            rs.map((r) => [r.type, r.name, r.source?.line]),
            [
                ["kubernetes:core/v1:ConfigMap", "a", 1],
                ["kubernetes:core/v1:Secret", "b", 6],
                ["kubernetes:apps/v1:Deployment", "c", 6],
            ],
        );
        // YAML 1.2 core schema: a timestamp stays text, `yes` stays a word.
        assert.deepEqual(rs[0].props.data, {
            CREATED: "2024-01-01T00:00:00Z",
            ENABLED: "yes",
            PORT: "0123",
        });
    });

    it("names the file and line of a YAML error", () => {
        const file = write(
            "broken.yaml",
            "apiVersion: v1\nkind: ConfigMap\n---\napiVersion: v1\nkind: [unclosed\n",
        );
        assert.throws(
            () => readManifests(file, "prod"),
            new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:[3-6]: `),
        );
    });

    it("streams a file larger than its read size: documents, multi-byte text and lines across chunk ends", () => {
        // ~3 MB of 7-line documents: chunk ends (1 MiB) fall inside documents, lines and "é".
        const docs: string[] = [];
        for (let i = 0; i < 30_000; i++)
            docs.push(
                `---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-${i}\ndata:\n  NOTE: "café ${"é".repeat(i % 40)}"\n`,
            );
        const file = write("large.yaml", docs.join(""));
        const rs = readManifests(file, "prod");
        assert.equal(rs.length, 30_000);
        for (const i of [0, 1, 12_345, 29_999]) {
            assert.equal(rs[i].name, `cm-${i}`);
            assert.equal(rs[i].source?.line, 1 + 7 * i);
            assert.equal(rs[i].props.data.NOTE, `café ${"é".repeat(i % 40)}`);
        }
    });
});
