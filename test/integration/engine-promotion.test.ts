import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { recordVerifiedIn } from "../../promotion/evidence";
import { RegistryClient } from "../../registry/client";
import { pushImage } from "../support/oci-images";
import {
    REGISTRY_PASSWORD,
    REGISTRY_USER,
    startRegistry,
    TestRegistry,
    testRegistryClient,
} from "../support/registry";
import { pulumiInAsync } from "../support/run";
import { ROOT } from "../support/stacks";

const PROGRAM = path.join(ROOT, "test/fixtures/engine-promotion");

const pulumi = (state: string, args: string[]) =>
    pulumiInAsync(PROGRAM, state, args, { PULUMI_CONFIG_PASSPHRASE: "engine-test" });

describe("the real Pulumi engine: promotion as a RegistryTag resource (language host + dynamic provider + loopback registry)", function () {
    this.timeout(300_000);
    let reg: TestRegistry;
    let client: RegistryClient;
    const state = fs.mkdtempSync(path.join(os.tmpdir(), "keybuzz-engine-state-"));
    const stack = `itest${process.pid}`;
    let v1: string;
    let v2: string;
    const repo = "keybuzzio/keybuzz-api";

    before(async () => {
        reg = await startRegistry();
        client = testRegistryClient(reg.address);
        v1 = await pushImage(reg.address, repo, "v1", {
            files: { "app/a.js": "1" },
            flavour: "oci",
        });
        v2 = await pushImage(reg.address, repo, "v2", {
            files: { "app/a.js": "2" },
            flavour: "oci",
        });
        await recordVerifiedIn(client, repo, v1, "dev");
        await recordVerifiedIn(client, repo, v2, "dev");
        assert.equal((await pulumi(state, ["stack", "init", stack, "--non-interactive"])).code, 0);
        for (const [k, v] of Object.entries({
            registry: reg.address,
            username: REGISTRY_USER,
            sourceRepository: repo,
            targetRepository: repo,
            digest: v1,
        })) {
            assert.equal((await pulumi(state, ["config", "set", "--stack", stack, k, v])).code, 0);
        }
        assert.equal(
            (
                await pulumi(state, [
                    "config",
                    "set",
                    "--secret",
                    "--stack",
                    stack,
                    "password",
                    REGISTRY_PASSWORD,
                ])
            ).code,
            0,
        );
    });
    after(async () => {
        await pulumi(state, ["stack", "rm", "--yes", "--force", "--stack", stack]);
        await client.close();
        await reg.stop();
        fs.rmSync(state, { recursive: true, force: true });
    });

    it("pulumi up creates the tag at DEV's verified digest, and a second up changes nothing", async () => {
        const up = await pulumi(state, ["up", "--yes", "--skip-preview", "--stack", stack]);
        assert.equal(up.code, 0, up.stdout + up.stderr);
        assert.equal((await client.headManifest(repo, "prod"))?.digest, v1);
        const again = await pulumi(state, ["preview", "--expect-no-changes", "--stack", stack]);
        assert.equal(again.code, 0, again.stdout + again.stderr);
    });

    it("pulumi preview shows the digest moving old → new, and writes nothing", async () => {
        assert.equal(
            (await pulumi(state, ["config", "set", "--stack", stack, "digest", v2])).code,
            0,
        );
        const preview = await pulumi(state, ["preview", "--json", "--diff", "--stack", stack]);
        assert.equal(preview.code, 0, preview.stderr);
        const step = JSON.parse(preview.stdout).steps.find((s: any) =>
            s.urn.endsWith("::api-prod"),
        );
        assert.equal(step.op, "update");
        assert.deepEqual([step.oldState.inputs.digest, step.newState.inputs.digest], [v1, v2]);
        // What a reviewer reads in the PR: the human preview's diff names the digest change.
        const text = await pulumi(state, ["preview", "--diff", "--stack", stack]);
        const line = text.stdout
            .split("\n")
            .find(
                (l) =>
                    /\bdigest\b/.test(l) &&
                    l.includes(v1.slice(7, 19)) &&
                    l.includes(v2.slice(7, 19)),
            );
        assert.ok(line, text.stdout);
        assert.equal((await client.headManifest(repo, "prod"))?.digest, v1);
        const up = await pulumi(state, ["up", "--yes", "--skip-preview", "--stack", stack]);
        assert.equal(up.code, 0, up.stderr);
        assert.equal((await client.headManifest(repo, "prod"))?.digest, v2);
    });

    it("refuses, in the preview, a digest not verified in dev, and the tag stays where it was", async () => {
        const v3 = await pushImage(reg.address, repo, "v3", {
            files: { "app/a.js": "3" },
            flavour: "oci",
        });
        assert.equal(
            (await pulumi(state, ["config", "set", "--stack", stack, "digest", v3])).code,
            0,
        );
        const preview = await pulumi(state, ["preview", "--stack", stack]);
        assert.notEqual(preview.code, 0);
        assert.match(
            preview.stdout + preview.stderr,
            /was not verified in dev: no tag verified-in-dev-sha256-[a-f0-9]{64}/,
        );
        assert.equal((await client.headManifest(repo, "prod"))?.digest, v2);
        assert.equal(
            (await pulumi(state, ["config", "set", "--stack", stack, "digest", v2])).code,
            0,
        );
    });

    it("keeps the registry password out of the state export", async () => {
        const exported = await pulumi(state, ["stack", "export", "--stack", stack]);
        assert.equal(exported.code, 0);
        assert.ok(exported.stdout.length > 100);
        assert.ok(!exported.stdout.includes(REGISTRY_PASSWORD));
    });
});
