import * as assert from "node:assert/strict";
import { RegistryClient } from "../../registry/client";
import { promoteTag } from "../../registry/promote";
import { applyPlan } from "../../promotion/apply";
import { candidateFor } from "../../promotion/candidate";
import {
    legacyVerifiedTag,
    recordVerifiedIn,
    verifiedIn,
    verifiedInTag,
} from "../../promotion/evidence";
import { planService } from "../../promotion/plan";
import { PromotionSettings } from "../../promotion/settings";
import { pushImage, skopeoDigest } from "../support/oci-images";
import { startRegistry, TestRegistry, testRegistryClient } from "../support/registry";
import { identityOfStack } from "../support/stacks";

const SRC = "keybuzzio/keybuzz-client";
const DST = "keybuzzio/keybuzz-client-prod";

describe("promotion against a real registry (docker-registry on 127.0.0.1, Basic auth)", () => {
    let reg: TestRegistry;
    let client: RegistryClient;
    before(async () => {
        reg = await startRegistry();
        client = testRegistryClient(reg.address);
    });
    after(async () => {
        await client.close();
        await reg.stop();
    });

    for (const flavour of ["oci", "docker", "index"] as const) {
        it(`copies a ${flavour} image's manifest byte for byte, then makes no PUT on a second run`, async () => {
            const digest = await pushImage(reg.address, SRC, `dev-${flavour}`, {
                files: { "app/server.js": "listen(3000)" },
                flavour,
            });
            const first = await promoteTag(client, {
                sourceRepository: SRC,
                digest,
                targetRepository: DST,
                targetTag: `prod-${flavour}`,
            });
            assert.equal(first.changed, true);
            const source = await client.getManifest(SRC, digest);
            const target = await client.getManifest(DST, `prod-${flavour}`);
            assert.ok(target.bytes.equals(source.bytes));
            assert.equal(target.mediaType, source.mediaType);
            assert.equal(skopeoDigest(reg.address, DST, `prod-${flavour}`), digest);
            const before = client.requests;
            const second = await promoteTag(client, {
                sourceRepository: SRC,
                digest,
                targetRepository: DST,
                targetTag: `prod-${flavour}`,
            });
            assert.equal(second.changed, false);
            assert.equal(client.requests - before, 1, "a no-op promotion is one HEAD, no PUT");
        });
    }

    const settings: PromotionSettings = {
        environment: "prod",
        sourceStack: "dev",
        sourceStage: "dev",
        movingTag: "prod",
        targetRepositorySuffix: "-prod",
        registryScheme: "http",
        requireEvidence: true,
        inEngine: false,
    };
    const ctx = () => ({
        environment: "prod",
        sourceStage: "dev",
        requireEvidence: true,
        others: [identityOfStack("dev")],
    });
    const candidate = (digest: string, sourceTag: string) =>
        candidateFor("client", `${reg.address}/${SRC}:${sourceTag}@${digest}`, settings);

    it("refuses a digest that was not verified in dev, and changes nothing", async () => {
        const digest = await pushImage(reg.address, SRC, "dev-unverified", {
            files: { "app/server.js": "v2" },
            flavour: "oci",
        });
        const before = await client.headManifest(DST, "prod");
        const c = candidate(digest, "dev-unverified");
        const plan = await planService(client, c, ctx());
        assert.match(
            plan.refusal ?? "",
            /was not verified in dev: no tag verified-in-dev-sha256-[a-f0-9]{64}/,
        );
        await assert.rejects(applyPlan(client, plan), /refused/);
        assert.deepEqual(await client.headManifest(DST, "prod"), before);
        assert.equal(await client.headManifest(DST, c.tags.immutable), undefined);
    });

    it("evidence names its stage; the older stage-less tag still counts as dev's and only dev's", async () => {
        const digest = await pushImage(reg.address, SRC, "dev-legacy", {
            files: { "app/server.js": "legacy" },
            flavour: "oci",
        });
        // What the audit wrote before evidence named its stage.
        await promoteTag(client, {
            sourceRepository: SRC,
            digest,
            targetRepository: SRC,
            targetTag: legacyVerifiedTag(digest),
        });
        assert.deepEqual(await verifiedIn(client, SRC, digest, "dev"), {
            stage: "dev",
            verified: true,
            tag: legacyVerifiedTag(digest),
        });
        assert.equal((await verifiedIn(client, SRC, digest, "test")).verified, false);
        await recordVerifiedIn(client, SRC, digest, "test");
        assert.equal(skopeoDigest(reg.address, SRC, verifiedInTag("test", digest)), digest);
        assert.deepEqual(await verifiedIn(client, SRC, digest, "test"), {
            stage: "test",
            verified: true,
            tag: `verified-in-test-${digest.replace(":", "-")}`,
        });
        const plan = await planService(client, candidate(digest, "dev-legacy"), ctx());
        assert.equal(plan.refusal, undefined);
        assert.equal(plan.checks?.evidence?.tag, legacyVerifiedTag(digest));
    });

    it("refuses a client image whose bundle names the dev backend, naming the file and the host", async () => {
        const digest = await pushImage(reg.address, SRC, "dev-inlined", {
            files: {
                ".next/static/chunks/main-abc.js": 'const b="https://backend-dev.keybuzz.io";',
            },
            flavour: "index",
        });
        await recordVerifiedIn(client, SRC, digest, "dev");
        const c = candidate(digest, "dev-inlined");
        const plan = await planService(client, c, ctx());
        assert.equal(plan.checks?.evidence?.verified, true);
        assert.equal(plan.checks?.layerScan?.foreignHosts.length, 2);
        assert.match(
            plan.refusal ?? "",
            /contains 2 dev hosts: \.next\/static\/chunks\/main-abc\.js names backend-dev\.keybuzz\.io/,
        );
        assert.equal(await client.headManifest(DST, c.tags.immutable), undefined);
    });

    it("promotes a verified digest by digest: DEV's tag moving meanwhile does not change what PROD gets; a re-plan is two HEADs", async () => {
        const v1 = await pushImage(reg.address, SRC, "dev", {
            files: {
                ".next/static/chunks/main.js": "const b=process.env.NEXT_PUBLIC_BACKEND_URL;",
            },
            flavour: "oci",
        });
        await recordVerifiedIn(client, SRC, v1, "dev");
        const c = candidate(v1, "dev");
        const plan = await planService(client, c, ctx());
        assert.equal(plan.refusal, undefined);
        assert.equal(plan.checks?.layerScan?.foreignHosts.length, 0);
        // DEV pushes a new build to the same tag between the decision and the write.
        const v2 = await pushImage(reg.address, SRC, "dev", {
            files: { ".next/static/chunks/main.js": "v2" },
            flavour: "oci",
        });
        assert.notEqual(v1, v2);
        assert.deepEqual(await applyPlan(client, plan), { changed: true });
        assert.equal(skopeoDigest(reg.address, DST, "prod"), v1);
        assert.equal(skopeoDigest(reg.address, DST, c.tags.immutable), v1);
        assert.match(c.tags.immutable, /^prod-dev-[a-f0-9]{12}$/);
        const before = client.requests;
        const again = await planService(client, c, ctx());
        assert.equal(again.inPlace, true);
        assert.equal(client.requests - before, 2, "a no-op plan is two HEADs");
    });
});
