import * as assert from "node:assert/strict";
import { loadStackConfig } from "../../config/load";
import { runUnderMocks, valueOf } from "../../lib/mock-run";
import { deployPlatform } from "../../program";
import { candidateFor } from "../../promotion/candidate";
import { promotionSettings } from "../../promotion/settings";
import { editedRaw, identityOfStack } from "../support/stacks";

const D = (c: string) => "sha256:" + c.repeat(64);
const DEV_IMAGES = {
    api: `ghcr.io/keybuzzio/keybuzz-api:v0.4.31-replacement@${D("a")}`,
    client: `ghcr.io/keybuzzio/keybuzz-client:v0.5.33-replacement@${D("b")}`,
    website: `ghcr.io/keybuzzio/keybuzz-website:v0.4.20-home-fixes@${D("c")}`,
};

async function prodWithPromotion(
    promotion: Record<string, unknown>,
    devImages: Record<string, string> = DEV_IMAGES,
) {
    const raw = editedRaw("prod", (r) => (r.promotion = promotion));
    const others = [identityOfStack("dev")];
    return runUnderMocks(
        "prod",
        () => deployPlatform(loadStackConfig("prod", others, raw), others),
        { "organization/keybuzz-platform/dev": { images: devImages } },
    );
}

describe("the Promotion component in the prod program", () => {
    it("reads DEV's digests through a StackReference and runs them by digest in PROD", async () => {
        const { resources, result } = await prodWithPromotion({
            sourceStack: "organization/keybuzz-platform/dev",
        });
        const ref = resources.find((r) => r.type === "pulumi:pulumi:StackReference")!;
        assert.equal(ref.inputs.name, "organization/keybuzz-platform/dev");
        const deployments = resources.filter((r) => r.type === "kubernetes:apps/v1:Deployment");
        const images = Object.fromEntries(
            deployments.map((d) => [
                d.inputs.metadata.name,
                d.inputs.spec.template.spec.containers[0].image,
            ]),
        );
        assert.deepEqual(images, {
            "keybuzz-api": `ghcr.io/keybuzzio/keybuzz-api@${D("a")}`,
            "keybuzz-client": `ghcr.io/keybuzzio/keybuzz-client@${D("b")}`,
            "keybuzz-website": `ghcr.io/keybuzzio/keybuzz-website@${D("c")}`,
        });
        const promoted = await valueOf(result.promotions);
        assert.deepEqual(promoted.api, {
            image: `ghcr.io/keybuzzio/keybuzz-api@${D("a")}`,
            digest: D("a"),
            sourceImage: DEV_IMAGES.api,
            immutableTag: `prod-v0.4.31-replacement-${"a".repeat(12)}`,
        });
    });

    it("writes an immutable tag then the moving prod tag per service, by digest, with the password secret", async () => {
        const { resources } = await prodWithPromotion({
            sourceStack: "organization/keybuzz-platform/dev",
        });
        const tags = resources.filter(
            (r) =>
                r.type === "pulumi-nodejs:dynamic/keybuzz:RegistryTag" && r.name.includes("-api-"),
        );
        assert.deepEqual(
            tags
                .map((t) => [
                    t.inputs.tag,
                    t.inputs.digest,
                    t.inputs.targetRepository,
                    t.inputs.requireEvidence,
                    t.inputs.sourceStage,
                ])
                .sort(),
            [
                ["prod", D("a"), "keybuzzio/keybuzz-api", true, "dev"],
                [
                    `prod-v0.4.31-replacement-${"a".repeat(12)}`,
                    D("a"),
                    "keybuzzio/keybuzz-api",
                    true,
                    "dev",
                ],
            ],
        );
        for (const t of tags) assert.equal(t.inputs.environment, "prod");
    });

    it("rolls a service back to an earlier ledger digest as a forward promotion", async () => {
        const { resources } = await prodWithPromotion({
            sourceStack: "organization/keybuzz-platform/dev",
            rollbackTo: { api: D("9") },
        });
        const moving = resources.find(
            (r) =>
                r.type === "pulumi-nodejs:dynamic/keybuzz:RegistryTag" &&
                r.name === "prod-promotion-api-prod",
        )!;
        assert.equal(moving.inputs.digest, D("9"));
        const api = resources.find(
            (r) =>
                r.type === "kubernetes:apps/v1:Deployment" &&
                r.inputs.metadata.name === "keybuzz-api",
        )!;
        assert.equal(
            api.inputs.spec.template.spec.containers[0].image,
            `ghcr.io/keybuzzio/keybuzz-api@${D("9")}`,
        );
    });

    it("refuses a rollback target that is not a digest, before registering anything", async () => {
        const raw = editedRaw(
            "prod",
            (r) =>
                (r.promotion = { sourceStack: "dev", rollbackTo: { api: "v0.9.29-contact-fix" } }),
        );
        assert.throws(
            () => loadStackConfig("prod", [identityOfStack("dev")], raw),
            /promotion\.rollbackTo\.api: "v0\.9\.29-contact-fix" must be a sha256:<64 hex> digest from the ledger/,
        );
    });
    it("a stack not named prod writes its own environment's tags, the same ones the CLI computes", async () => {
        const raw = editedRaw(
            "local",
            (r) => (r.promotion = { sourceStack: "organization/keybuzz-platform/dev" }),
        );
        const others = [identityOfStack("dev"), identityOfStack("prod")];
        const config = loadStackConfig("local", others, raw);
        const { resources } = await runUnderMocks("local", () => deployPlatform(config, others), {
            "organization/keybuzz-platform/dev": { images: DEV_IMAGES },
        });
        const engineTags = resources
            .filter(
                (r) =>
                    r.type === "pulumi-nodejs:dynamic/keybuzz:RegistryTag" &&
                    r.name.includes("-api-"),
            )
            .map((t) => t.inputs.tag)
            .sort();
        const cli = candidateFor("api", DEV_IMAGES.api, promotionSettings(config)).tags;
        assert.deepEqual(engineTags, [cli.moving, cli.immutable].sort());
        assert.deepEqual(cli, {
            moving: "local",
            immutable: `local-v0.4.31-replacement-${"a".repeat(12)}`,
        });
    });

    it("prod promotes from its declared predecessor, dev, when its stack file names no source", () => {
        const config = loadStackConfig(
            "prod",
            [identityOfStack("dev")],
            editedRaw("prod", () => undefined),
        );
        const s = promotionSettings(config);
        assert.deepEqual(
            [s.sourceStack, s.sourceStage, s.movingTag, s.requireEvidence, s.inEngine],
            ["dev", "dev", "prod", true, false],
        );
        assert.throws(
            () =>
                promotionSettings(
                    loadStackConfig(
                        "dev",
                        [identityOfStack("prod")],
                        editedRaw("dev", () => undefined),
                    ),
                ),
            /stack dev \(environment dev\) has no source to promote from: set keybuzz-platform:promotion\.sourceStack in Pulumi\.dev\.yaml/,
        );
    });
});
