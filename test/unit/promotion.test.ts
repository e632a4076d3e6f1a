import * as assert from "node:assert/strict";
import { loadStackConfig } from "../../config/load";
import { runUnderMocks, valueOf } from "../../lib/mock-run";
import { deployPlatform } from "../../program";
import { editedRaw, identityOfStack } from "../support/stacks";

const D = (c: string) => "sha256:" + c.repeat(64);
const DEV_IMAGES = {
    api: `ghcr.io/keybuzzio/keybuzz-api:v0.4.31-replacement@${D("a")}`,
    client: `ghcr.io/keybuzzio/keybuzz-client:v0.5.33-replacement@${D("b")}`,
    website: `ghcr.io/keybuzzio/keybuzz-website:v0.4.20-home-fixes@${D("c")}`,
};

async function prodWithPromotion(promotion: Record<string, unknown>, devImages: Record<string, string> = DEV_IMAGES) {
    const raw = editedRaw("prod", (r) => (r.promotion = promotion));
    const others = [identityOfStack("dev")];
    return runUnderMocks("prod", () => deployPlatform(loadStackConfig("prod", others, raw), others), { "organization/keybuzz-platform/dev": { images: devImages } });
}

describe("the Promotion component in the prod program", () => {
    it("reads DEV's digests through a StackReference and runs them by digest in PROD", async () => {
        const { resources, result } = await prodWithPromotion({ sourceStack: "organization/keybuzz-platform/dev" });
        const ref = resources.find((r) => r.type === "pulumi:pulumi:StackReference")!;
        assert.equal(ref.inputs.name, "organization/keybuzz-platform/dev");
        const deployments = resources.filter((r) => r.type === "kubernetes:apps/v1:Deployment");
        const images = Object.fromEntries(deployments.map((d) => [d.inputs.metadata.name, d.inputs.spec.template.spec.containers[0].image]));
        assert.deepEqual(images, {
            "keybuzz-api": `ghcr.io/keybuzzio/keybuzz-api@${D("a")}`,
            "keybuzz-client": `ghcr.io/keybuzzio/keybuzz-client@${D("b")}`,
            "keybuzz-website": `ghcr.io/keybuzzio/keybuzz-website@${D("c")}`,
        });
        const promoted = await valueOf(result.promotions);
        assert.deepEqual(promoted.api, { image: `ghcr.io/keybuzzio/keybuzz-api@${D("a")}`, digest: D("a"), sourceImage: DEV_IMAGES.api, immutableTag: `prod-v0.4.31-replacement-${"a".repeat(12)}` });
    });

    it("writes an immutable tag then the moving prod tag per service, by digest, with the password secret", async () => {
        const { resources } = await prodWithPromotion({ sourceStack: "organization/keybuzz-platform/dev" });
        const tags = resources.filter((r) => r.type === "pulumi-nodejs:dynamic/keybuzz:RegistryTag" && r.name.includes("-api-"));
        assert.deepEqual(tags.map((t) => [t.inputs.tag, t.inputs.digest, t.inputs.targetRepository, t.inputs.requireGate]).sort(), [
            ["prod", D("a"), "keybuzzio/keybuzz-api", true],
            [`prod-v0.4.31-replacement-${"a".repeat(12)}`, D("a"), "keybuzzio/keybuzz-api", true],
        ]);
        for (const t of tags) assert.equal(t.inputs.environment, "prod");
    });

    it("rolls a service back to an earlier ledger digest as a forward promotion", async () => {
        const { resources } = await prodWithPromotion({ sourceStack: "organization/keybuzz-platform/dev", rollbackTo: { api: D("9") } });
        const moving = resources.find((r) => r.type === "pulumi-nodejs:dynamic/keybuzz:RegistryTag" && r.name === "prod-promotion-api-prod")!;
        assert.equal(moving.inputs.digest, D("9"));
        const api = resources.find((r) => r.type === "kubernetes:apps/v1:Deployment" && r.inputs.metadata.name === "keybuzz-api")!;
        assert.equal(api.inputs.spec.template.spec.containers[0].image, `ghcr.io/keybuzzio/keybuzz-api@${D("9")}`);
    });

    it("refuses a rollback target that is not a digest, before registering anything", async () => {
        const raw = editedRaw("prod", (r) => (r.promotion = { sourceStack: "dev", rollbackTo: { api: "v0.9.29-contact-fix" } }));
        assert.throws(() => loadStackConfig("prod", [identityOfStack("dev")], raw), /promotion\.rollbackTo\.api: "v0\.9\.29-contact-fix" must be a sha256:<64 hex> digest from the ledger/);
    });
});
