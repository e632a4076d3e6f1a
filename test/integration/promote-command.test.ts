import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse, parseDocument } from "yaml";
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
import { npmRunAsync } from "../support/run";
import { ROOT } from "../support/stacks";

describe("npm run promote against a real registry (plan, apply, ledger, rollback)", function () {
    this.timeout(120_000);
    let reg: TestRegistry;
    let client: RegistryClient;
    let project: string;
    const env = {
        KEYBUZZ_REGISTRY_USERNAME: REGISTRY_USER,
        KEYBUZZ_REGISTRY_PASSWORD: REGISTRY_PASSWORD,
        KEYBUZZ_REGISTRY_SCHEME: "http",
    };
    const digests: Record<string, string> = {};
    let source: string;

    const promote = (...args: string[]) =>
        npmRunAsync(
            "promote",
            [...args, "--stack", "prod", "--project", project, "--format", "json"],
            env,
        );
    const prodTag = async (service: string) =>
        (await client.headManifest(`keybuzzio/keybuzz-${service}`, "prod"))?.digest;
    const pinned = (service: string) =>
        parse(fs.readFileSync(path.join(project, "Pulumi.prod.yaml"), "utf8")).config[
            "keybuzz-platform:services"
        ][service].image;

    before(async () => {
        reg = await startRegistry();
        client = testRegistryClient(reg.address);
        project = fs.mkdtempSync(path.join(os.tmpdir(), "keybuzz-promote-"));
        for (const f of ["Pulumi.dev.yaml", "Pulumi.prod.yaml"])
            fs.copyFileSync(path.join(ROOT, f), path.join(project, f));
        const images: Record<string, string> = {};
        for (const service of ["api", "client", "website"]) {
            digests[service] = await pushImage(reg.address, `keybuzzio/keybuzz-${service}`, "v1", {
                files: { "app/main.js": "const backend = process.env.NEXT_PUBLIC_BACKEND_URL;" },
                flavour: service === "client" ? "index" : "oci",
            });
            images[service] = `${reg.address}/keybuzzio/keybuzz-${service}:v1@${digests[service]}`;
        }
        source = path.join(project, "dev-images.json");
        fs.writeFileSync(source, JSON.stringify(images));
    });
    after(async () => {
        await client.close();
        await reg.stop();
    });

    it("plan refuses digests not verified in dev and writes nothing", async () => {
        const r = await promote("plan", "--source", source);
        assert.equal(r.code, 1, r.stderr);
        const out = JSON.parse(r.stdout);
        assert.equal(out.written, false);
        for (const s of out.services) assert.match(s.refusal, /was not verified in dev/);
        assert.equal(await prodTag("api"), undefined);
    });

    it("plan shows each service's digest change once dev's evidence exists, still writing nothing", async () => {
        for (const service of ["api", "client", "website"])
            await recordVerifiedIn(client, `keybuzzio/keybuzz-${service}`, digests[service], "dev");
        const r = await promote("plan", "--source", source);
        assert.equal(r.code, 0, r.stderr);
        const out = JSON.parse(r.stdout);
        assert.deepEqual(
            out.services.map((s: any) => [s.service, s.from, s.to, s.changes]),
            [
                ["api", null, digests.api, true],
                ["client", null, digests.client, true],
                ["website", null, digests.website, true],
            ],
        );
        assert.equal(await prodTag("api"), undefined);
        assert.ok(!fs.existsSync(path.join(project, "ledger")));
    });

    it("apply with the ledger a symlink refuses before the first tag moves, and never reads through the link", async () => {
        const outside = fs.mkdtempSync(path.join(os.tmpdir(), "keybuzz-outside-"));
        fs.writeFileSync(path.join(outside, "victim.json"), "untouched\n");
        fs.mkdirSync(path.join(project, "ledger"));
        const ledger = path.join(project, "ledger", "prod.json");
        fs.symlinkSync(path.join(outside, "victim.json"), ledger);
        try {
            const r = await promote("apply", "--source", source);
            assert.equal(r.code, 2, r.stdout + r.stderr);
            assert.match(r.stderr, /prod\.json: it is a symbolic link; .*nothing was written/);
            assert.doesNotMatch(r.stderr, /untouched/);
            for (const service of ["api", "client", "website"])
                assert.equal(await prodTag(service), undefined, `${service}'s tag moved`);
            assert.equal(fs.readFileSync(path.join(outside, "victim.json"), "utf8"), "untouched\n");
        } finally {
            fs.rmSync(ledger);
            fs.rmdirSync(path.join(project, "ledger"));
            fs.rmSync(outside, { recursive: true, force: true });
        }
    });

    it("apply moves the tags, records the ledger and pins the stack file by digest; a re-run changes nothing", async () => {
        const r = await promote("apply", "--source", source);
        assert.equal(r.code, 0, r.stderr);
        for (const service of ["api", "client", "website"]) {
            assert.equal(await prodTag(service), digests[service]);
            assert.equal(
                pinned(service),
                `${reg.address}/keybuzzio/keybuzz-${service}@${digests[service]}`,
            );
        }
        const ledger = JSON.parse((await promote("ledger")).stdout);
        assert.equal(ledger.entries.length, 3);
        assert.deepEqual(Object.keys(ledger.entries[0]).sort(), [
            "by",
            "digest",
            "gate",
            "id",
            "immutableTag",
            "layerScan",
            "promotedAt",
            "service",
            "sourceImage",
            "sourceStack",
            "sourceTag",
            "targetImage",
        ]);
        const again = JSON.parse((await promote("apply", "--source", source)).stdout);
        assert.equal(again.ledgerEntries, 0);
        assert.ok(again.services.every((s: any) => s.changes === false));
    });

    it("rollback re-promotes the previous ledger entry as a forward promotion", async () => {
        const v2 = await pushImage(reg.address, "keybuzzio/keybuzz-api", "v2", {
            files: { "app/main.js": "v2" },
            flavour: "oci",
        });
        await recordVerifiedIn(client, "keybuzzio/keybuzz-api", v2, "dev");
        const src2 = path.join(project, "dev-images-2.json");
        fs.writeFileSync(
            src2,
            JSON.stringify({ api: `${reg.address}/keybuzzio/keybuzz-api:v2@${v2}` }),
        );
        assert.equal((await promote("apply", "--source", src2, "--service", "api")).code, 0);
        assert.equal(await prodTag("api"), v2);

        const plan = JSON.parse((await promote("rollback", "--service", "api")).stdout);
        assert.deepEqual(
            [plan.services[0].from, plan.services[0].to, plan.services[0].rollbackOf],
            [v2, digests.api, 1],
        );
        assert.equal(await prodTag("api"), digests.api);
        const ledger = JSON.parse((await promote("ledger")).stdout);
        assert.equal(ledger.entries.at(-1).rollbackOf, 1);
        assert.equal(pinned("api"), `${reg.address}/keybuzzio/keybuzz-api@${digests.api}`);
    });

    it("refuses a client image that carries the dev backend, naming file and host, and writes nothing", async () => {
        const bad = await pushImage(reg.address, "keybuzzio/keybuzz-client", "v3", {
            files: {
                ".next/static/chunks/app.js": 'fetch("https://backend-dev.keybuzz.io/auth/me")',
            },
            flavour: "oci",
        });
        await recordVerifiedIn(client, "keybuzzio/keybuzz-client", bad, "dev");
        const src3 = path.join(project, "dev-images-3.json");
        fs.writeFileSync(
            src3,
            JSON.stringify({ client: `${reg.address}/keybuzzio/keybuzz-client:v3@${bad}` }),
        );
        const before = fs.readFileSync(path.join(project, "ledger", "prod.json"), "utf8");
        const r = await promote("apply", "--source", src3, "--service", "client");
        assert.equal(r.code, 1);
        assert.match(
            JSON.parse(r.stdout).services[0].refusal,
            /\.next\/static\/chunks\/app\.js names backend-dev\.keybuzz\.io/,
        );
        assert.equal(await prodTag("client"), digests.client);
        assert.equal(fs.readFileSync(path.join(project, "ledger", "prod.json"), "utf8"), before);
    });

    it("a target stack not named prod gets its own environment's tags, the ones `pulumi up` writes (promotion/tags.ts)", async () => {
        const doc = parseDocument(fs.readFileSync(path.join(ROOT, "Pulumi.local.yaml"), "utf8"));
        doc.setIn(["config", "keybuzz-platform:promotion"], { sourceStack: "dev" });
        fs.writeFileSync(path.join(project, "Pulumi.local.yaml"), doc.toString());
        const r = await npmRunAsync(
            "promote",
            [
                "apply",
                "--stack",
                "local",
                "--project",
                project,
                "--source",
                source,
                "--service",
                "website",
                "--format",
                "json",
            ],
            env,
        );
        assert.equal(r.code, 0, r.stderr);
        const out = JSON.parse(r.stdout);
        assert.equal(out.sourceStack, "dev");
        assert.deepEqual(
            [out.services[0].movingTag, out.services[0].immutableTag],
            ["local", `local-v1-${digests.website.slice(7, 19)}`],
        );
        assert.equal(
            (await client.headManifest("keybuzzio/keybuzz-website", "local"))?.digest,
            digests.website,
        );
        assert.equal(
            (
                await client.headManifest(
                    "keybuzzio/keybuzz-website",
                    `local-v1-${digests.website.slice(7, 19)}`,
                )
            )?.digest,
            digests.website,
        );
        const ledger = JSON.parse(
            fs.readFileSync(path.join(project, "ledger", "local.json"), "utf8"),
        );
        assert.equal(
            ledger.entries[0].gate.tag,
            `verified-in-dev-${digests.website.replace(":", "-")}`,
        );
        assert.ok(ledger.entries[0].layerScan.layers >= 1, "the ledger records the scan that ran");
    });
});
