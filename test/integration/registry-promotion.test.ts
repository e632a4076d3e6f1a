import * as assert from "node:assert/strict";
import { RegistryClient } from "../../registry/client";
import { promoteTag } from "../../registry/promote";
import { recordVerified } from "../../promotion/gate";
import { apply, decide, ServicePromotion } from "../../promotion/promote-service";
import { pushImage, skopeoDigest } from "../support/oci-images";
import { REGISTRY_PASSWORD, REGISTRY_USER, startRegistry, TestRegistry } from "../support/registry";
import { identityOfStack } from "../support/stacks";

const SRC = "keybuzzio/keybuzz-client";
const DST = "keybuzzio/keybuzz-client-prod";

describe("promotion against a real registry (docker-registry on 127.0.0.1, Basic auth)", () => {
    let reg: TestRegistry;
    let client: RegistryClient;
    before(async () => {
        reg = await startRegistry();
        client = new RegistryClient({ registry: reg.address, scheme: "http", credentials: { username: REGISTRY_USER, password: REGISTRY_PASSWORD } });
    });
    after(async () => {
        await client.close();
        await reg.stop();
    });

    for (const flavour of ["oci", "docker", "index"] as const) {
        it(`copies a ${flavour} image's manifest byte for byte, then makes no PUT on a second run`, async () => {
            const digest = await pushImage(reg.address, SRC, `dev-${flavour}`, { files: { "app/server.js": "listen(3000)" }, flavour });
            const first = await promoteTag(client, { sourceRepository: SRC, digest, targetRepository: DST, targetTag: `prod-${flavour}` });
            assert.equal(first.changed, true);
            const source = await client.getManifest(SRC, digest);
            const target = await client.getManifest(DST, `prod-${flavour}`);
            assert.ok(target.bytes.equals(source.bytes));
            assert.equal(target.mediaType, source.mediaType);
            assert.equal(skopeoDigest(reg.address, DST, `prod-${flavour}`), digest);
            const before = client.requests;
            const second = await promoteTag(client, { sourceRepository: SRC, digest, targetRepository: DST, targetTag: `prod-${flavour}` });
            assert.equal(second.changed, false);
            assert.equal(client.requests - before, 1, "a no-op promotion is one HEAD, no PUT");
        });
    }

    function request(digest: string, sourceTag: string): ServicePromotion {
        return { service: "client", sourceRepository: SRC, digest, sourceTag, targetRepository: DST, movingTag: "prod", environment: "prod", others: [identityOfStack("dev")] };
    }

    it("refuses a digest that has not passed DEV's checks, and changes nothing", async () => {
        const digest = await pushImage(reg.address, SRC, "dev-unverified", { files: { "app/server.js": "v2" }, flavour: "oci" });
        const before = await client.headManifest(DST, "prod");
        const d = await decide(client, request(digest, "dev-unverified"));
        assert.match(d.refusal ?? "", /has not passed DEV's checks: no gate tag verified-sha256-[a-f0-9]{64}/);
        await assert.rejects(apply(client, request(digest, "dev-unverified"), d), /refused/);
        assert.deepEqual(await client.headManifest(DST, "prod"), before);
        assert.equal(await client.headManifest(DST, d.immutableTag), undefined);
    });

    it("refuses a client image whose bundle names the dev backend, naming the file and the host", async () => {
        const digest = await pushImage(reg.address, SRC, "dev-inlined", { files: { ".next/static/chunks/main-abc.js": 'const b="https://backend-dev.keybuzz.io";' }, flavour: "index" });
        await recordVerified(client, SRC, digest);
        const d = await decide(client, request(digest, "dev-inlined"));
        assert.equal(d.gateVerified, true);
        assert.match(d.refusal ?? "", /contains 2 dev hosts: \.next\/static\/chunks\/main-abc\.js names backend-dev\.keybuzz\.io/);
        assert.equal(await client.headManifest(DST, d.immutableTag), undefined);
    });

    it("promotes a verified digest by digest: DEV's tag moving meanwhile does not change what PROD gets", async () => {
        const v1 = await pushImage(reg.address, SRC, "dev", { files: { ".next/static/chunks/main.js": 'const b=process.env.NEXT_PUBLIC_BACKEND_URL;' }, flavour: "oci" });
        await recordVerified(client, SRC, v1);
        const d = await decide(client, request(v1, "dev"));
        assert.equal(d.refusal, undefined);
        // DEV pushes a new build to the same tag between the decision and the write.
        const v2 = await pushImage(reg.address, SRC, "dev", { files: { ".next/static/chunks/main.js": "v2" }, flavour: "oci" });
        assert.notEqual(v1, v2);
        assert.deepEqual(await apply(client, request(v1, "dev"), d), { changed: true });
        assert.equal(skopeoDigest(reg.address, DST, "prod"), v1);
        assert.equal(skopeoDigest(reg.address, DST, d.immutableTag), v1);
        assert.match(d.immutableTag, /^prod-dev-[a-f0-9]{12}$/);
    });
});
