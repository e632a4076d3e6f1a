import * as assert from "node:assert/strict";
import { candidateFor } from "../../../promotion/candidate";
import { PromotionSettings } from "../../../promotion/settings";
import { promotionTags } from "../../../promotion/tags";

const D = "sha256:" + "ab".repeat(32);
const settings: PromotionSettings = {
    environment: "staging",
    sourceStack: "org/keybuzz-platform/dev",
    sourceStage: "dev",
    movingTag: "staging",
    targetRepositorySuffix: "-staging",
    registryScheme: "https",
    requireEvidence: true,
    inEngine: true,
};

describe("promotion tags and candidates (promotion/tags.ts, promotion/candidate.ts)", () => {
    it("names the immutable tag after the moving tag, the source tag and the digest", () => {
        assert.deepEqual(promotionTags("staging", "v1.2.3", D), {
            immutable: "staging-v1.2.3-abababababab",
            moving: "staging",
        });
        assert.deepEqual(promotionTags("prod", undefined, D), {
            immutable: "prod-digest-abababababab",
            moving: "prod",
        });
    });

    it("builds a candidate by digest into the target repository, refusing a reference without one", () => {
        const c = candidateFor("api", `ghcr.io/keybuzzio/keybuzz-api:v1.2.3@${D}`, settings);
        assert.deepEqual(
            [c.registry, c.sourceRepository, c.targetRepository, c.digest, c.targetImage],
            [
                "ghcr.io",
                "keybuzzio/keybuzz-api",
                "keybuzzio/keybuzz-api-staging",
                D,
                `ghcr.io/keybuzzio/keybuzz-api-staging@${D}`,
            ],
        );
        assert.throws(
            () => candidateFor("api", "ghcr.io/keybuzzio/keybuzz-api:v1.2.3", settings),
            /has no @sha256 digest/,
        );
    });
});
