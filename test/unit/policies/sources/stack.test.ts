import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseDocument } from "yaml";
import { identityOfStack, ROOT } from "../../../support/stacks";
import { stackResources } from "../../../../policies/sources/stack";

describe("a stack's resources under mocks (policies/sources/stack.ts)", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "keybuzz-stack-source-"));
    after(() => fs.rmSync(dir, { recursive: true, force: true }));
    const D = (c: string) => "sha256:" + c.repeat(64);

    function project(devImages: Record<string, string>): string {
        const dev = parseDocument(fs.readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8"));
        for (const [svc, image] of Object.entries(devImages))
            dev.setIn(["config", "keybuzz-platform:services", svc, "image"], image);
        fs.writeFileSync(path.join(dir, "Pulumi.dev.yaml"), dev.toString());
        const prod = parseDocument(fs.readFileSync(path.join(ROOT, "Pulumi.prod.yaml"), "utf8"));
        prod.setIn(["config", "keybuzz-platform:promotion"], { sourceStack: "dev" });
        const file = path.join(dir, "Pulumi.prod.yaml");
        fs.writeFileSync(file, prod.toString());
        return file;
    }

    it("a stack that promotes in the engine is checked with the images its source stack file runs, by digest", async () => {
        const images = {
            api: `ghcr.io/keybuzzio/keybuzz-api:v1@${D("a")}`,
            client: `ghcr.io/keybuzzio/keybuzz-client:v1@${D("b")}`,
            website: `ghcr.io/keybuzzio/keybuzz-website:v1@${D("c")}`,
        };
        const { resources } = await stackResources(
            project(images),
            "prod",
            [identityOfStack("dev")],
            undefined,
        );
        const running = resources
            .filter((r) => r.type === "kubernetes:apps/v1:Deployment")
            .map((r) => r.props.spec.template.spec.containers[0].image)
            .sort();
        assert.deepEqual(running, [
            `ghcr.io/keybuzzio/keybuzz-api@${D("a")}`,
            `ghcr.io/keybuzzio/keybuzz-client@${D("b")}`,
            `ghcr.io/keybuzzio/keybuzz-website@${D("c")}`,
        ]);
    });

    it("refuses, naming the service, a source that runs an image by tag (promotion is by digest)", async () => {
        const file = project({ api: "ghcr.io/keybuzzio/keybuzz-api:v0.9.29-contact-fix" });
        await assert.rejects(
            stackResources(file, "prod", [identityOfStack("dev")], undefined),
            /runs api as "ghcr\.io\/keybuzzio\/keybuzz-api:v0\.9\.29-contact-fix", which has no @sha256 digest: promotion is by digest/,
        );
    });
});
