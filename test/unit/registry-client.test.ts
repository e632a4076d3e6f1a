import { Agent } from "undici";
import * as assert from "node:assert/strict";
import { Authenticator, parseChallenge } from "../../registry/auth";
import { parseRegistryError, RegistryError } from "../../registry/errors";
import { backoffMs, DEFAULT_RETRY, retryableStatus } from "../../registry/retry";
import { immutableTagFor } from "../../promotion/tags";
import { legacyVerifiedTag, verifiedInTag } from "../../promotion/evidence";
import { splitImage } from "../../image/reference";

describe("registry client building blocks", () => {
    it("parses a Bearer challenge with realm, service and a scope holding commas", () => {
        assert.deepEqual(
            parseChallenge(
                'Bearer realm="https://auth.example/token",service="registry.example",scope="repository:keybuzzio/keybuzz-api:pull,push"',
            ),
            {
                scheme: "bearer",
                params: {
                    realm: "https://auth.example/token",
                    service: "registry.example",
                    scope: "repository:keybuzzio/keybuzz-api:pull,push",
                },
            },
        );
        assert.equal(parseChallenge('Basic realm="x"')?.scheme, "basic");
        assert.equal(parseChallenge("Negotiate"), undefined);
    });

    it("honours Retry-After, otherwise backs off exponentially with jitter under a cap", () => {
        assert.equal(backoffMs(DEFAULT_RETRY, 1, "2"), 2000);
        assert.equal(backoffMs(DEFAULT_RETRY, 1, "3600"), DEFAULT_RETRY.maxDelayMs);
        assert.equal(
            backoffMs(DEFAULT_RETRY, 3, undefined, () => 0.999),
            Math.floor(0.999 * 400),
        );
        assert.equal(
            backoffMs(DEFAULT_RETRY, 20, undefined, () => 0.5),
            DEFAULT_RETRY.maxDelayMs / 2,
        );
    });

    it("retries 408, 429 and 5xx, never other answers", () => {
        assert.deepEqual(
            [200, 201, 400, 401, 403, 404, 408, 429, 500, 503].filter(retryableStatus),
            [408, 429, 500, 503],
        );
    });

    it("turns registry error codes into messages naming the image and what to do", () => {
        const parsed = parseRegistryError(
            '{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}',
        )!;
        const e = new RegistryError(
            parsed.code,
            404,
            "ghcr.io/keybuzzio/keybuzz-api:v9",
            parsed.message,
        );
        assert.equal(
            e.message,
            "ghcr.io/keybuzzio/keybuzz-api:v9: MANIFEST_UNKNOWN (HTTP 404): manifest unknown; the tag or digest does not exist in that repository: check the reference, or that DEV really runs it",
        );
        assert.equal(parseRegistryError("<html>"), undefined);
    });

    it("names evidence and immutable tags after the digest, within the tag grammar", () => {
        const d = "sha256:" + "ab".repeat(32);
        assert.equal(verifiedInTag("dev", d), "verified-in-dev-sha256-" + "ab".repeat(32));
        assert.equal(legacyVerifiedTag(d), "verified-sha256-" + "ab".repeat(32));
        assert.equal(
            immutableTagFor("prod", "v0.4.31-replacement", d),
            "prod-v0.4.31-replacement-abababababab",
        );
        assert.equal(immutableTagFor("prod", "weird/tag+x", d), "prod-weird-tag-x-abababababab");
        for (const t of [verifiedInTag("dev", d), immutableTagFor("prod", "x".repeat(200), d)])
            assert.match(t, /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/);
    });

    it("refuses to promote an image reference without a digest", () => {
        assert.throws(
            () => splitImage("ghcr.io/keybuzzio/keybuzz-api:v0.9.29-contact-fix"),
            /has no @sha256 digest: promotion is by digest/,
        );
        assert.deepEqual(splitImage("ghcr.io/keybuzzio/keybuzz-api:v1@sha256:" + "c".repeat(64)), {
            registry: "ghcr.io",
            repository: "keybuzzio/keybuzz-api",
            tag: "v1",
            digest: "sha256:" + "c".repeat(64),
        });
    });

    it("sends given credentials with the first request only over https or to this machine, never over plain http elsewhere", async () => {
        const creds = { username: "u", password: "p" };
        const dispatcher = new Agent();
        try {
            const basic = "Basic " + Buffer.from("u:p").toString("base64");
            assert.equal(
                await new Authenticator(creds, dispatcher, Date.now, "https://ghcr.io").header(
                    ["repository:a:pull"],
                    "ghcr.io/a",
                ),
                basic,
            );
            assert.equal(
                await new Authenticator(
                    creds,
                    dispatcher,
                    Date.now,
                    "http://127.0.0.1:5000",
                ).header(["repository:a:pull"], "a"),
                basic,
            );
            assert.equal(
                await new Authenticator(
                    creds,
                    dispatcher,
                    Date.now,
                    "http://registry.example:5000",
                ).header(["repository:a:pull"], "a"),
                undefined,
            );
            assert.equal(
                await new Authenticator(undefined, dispatcher, Date.now, "https://ghcr.io").header(
                    ["repository:a:pull"],
                    "a",
                ),
                undefined,
            );
        } finally {
            await dispatcher.close();
        }
    });

    it("refuses a Basic challenge over plain http from another machine, and a token realm on another domain, before sending anything", async () => {
        const creds = { username: "u", password: "registry-secret-pw" };
        const dispatcher = new Agent();
        try {
            const plain = new Authenticator(creds, dispatcher, Date.now, "http://10.1.2.3:5000");
            assert.throws(
                () => plain.onUnauthorized('Basic realm="registry"', ["repository:a:pull"]),
                /asks for a password over plain http; refused .*use https/,
            );
            assert.equal(await plain.header(["repository:a:pull"], "a"), undefined);
            const lying = new Authenticator(creds, dispatcher, Date.now, "https://ghcr.io");
            lying.onUnauthorized('Bearer realm="https://collector.evil.test/token",service="x"', [
                "repository:a:pull",
            ]);
            await assert.rejects(
                lying.header(["repository:a:pull"], "a"),
                /token service https:\/\/collector\.evil\.test is not on the registry's own host or domain/,
            );
            const hub = new Authenticator(
                creds,
                dispatcher,
                Date.now,
                "https://registry-1.docker.io",
            );
            hub.onUnauthorized('Bearer realm="http://auth.docker.io/token"', ["repository:a:pull"]);
            await assert.rejects(
                hub.header(["repository:a:pull"], "a"),
                /over plain http; refused/,
            );
        } finally {
            await dispatcher.close();
        }
    });
});
