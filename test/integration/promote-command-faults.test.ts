import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import {
    promoteApplyArgs,
    promotionProject,
    PROMOTE_ENV,
    PROMOTED_SERVICES,
    useTargetSuffix,
} from "../support/promotion-project";
import { startRegistry, TestRegistry, testRegistryClient } from "../support/registry";
import { CAMPAIGN_MIX, faultyRegistryProxy, seeded } from "../support/reverse-proxy";
import { npmRunAsync } from "../support/run";

describe("npm run promote through a faulty registry: 10% 503, 5% 429, 2% resets, 2% lying PUT answers (the whole command)", function () {
    this.timeout(300_000);
    let reg: TestRegistry;
    before(async () => {
        reg = await startRegistry();
    });
    after(async () => reg.stop());

    it("completes every promotion with the tags right: every call, blob reads included, is retried", async () => {
        const proxy = await faultyRegistryProxy(reg.address, CAMPAIGN_MIX, seeded(7));
        const project = await promotionProject(reg.address, proxy.address);
        const direct = testRegistryClient(reg.address);
        try {
            for (let i = 0; i < 8; i++) {
                useTargetSuffix(project, `-r${i}`);
                // A cold layer cache each time: every run reads the layers through the faults.
                const cache = fs.mkdtempSync(path.join(os.tmpdir(), "keybuzz-faults-cache-"));
                const r = await npmRunAsync("promote", promoteApplyArgs(project), {
                    ...PROMOTE_ENV,
                    KEYBUZZ_CACHE_DIR: cache,
                });
                fs.rmSync(cache, { recursive: true, force: true });
                assert.equal(r.code, 0, `run ${i}: ${r.stderr}`);
                for (const s of PROMOTED_SERVICES)
                    assert.equal(
                        (await direct.headManifest(`keybuzzio/keybuzz-${s}-r${i}`, "prod"))?.digest,
                        project.digests[s],
                        `run ${i} ${s}`,
                    );
            }
            console.log(
                `      8 commands × 3 images completed; faults: ${JSON.stringify(proxy.stats)}`,
            );
            assert.ok(
                proxy.stats.unavailable >= 10 && proxy.stats.tooMany > 0 && proxy.stats.reset > 0,
                "too few faults were injected to mean anything",
            );
        } finally {
            await direct.close();
            await proxy.close();
            fs.rmSync(project.dir, { recursive: true, force: true });
        }
    });

    it("gives up at the command's deadline on a registry that accepts connections and never answers, writing nothing", async () => {
        const project = await promotionProject(reg.address, reg.address);
        // A listener that takes every connection and never says a word.
        const silent = net.createServer(() => undefined);
        await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
        const address = `127.0.0.1:${(silent.address() as net.AddressInfo).port}`;
        const images = JSON.parse(fs.readFileSync(project.sourceFile, "utf8")) as Record<
            string,
            string
        >;
        for (const s of Object.keys(images)) images[s] = images[s].replace(reg.address, address);
        fs.writeFileSync(project.sourceFile, JSON.stringify(images));
        const prodBefore = fs.readFileSync(path.join(project.dir, "Pulumi.prod.yaml"), "utf8");
        try {
            const started = Date.now();
            const r = await npmRunAsync("promote", promoteApplyArgs(project), {
                ...PROMOTE_ENV,
                KEYBUZZ_COMMAND_TIMEOUT_S: "3",
            });
            const seconds = (Date.now() - started) / 1000;
            assert.equal(r.code, 2, r.stderr);
            assert.match(
                r.stderr,
                /^promote: could not run: gave up after 3 s \(the command's deadline, KEYBUZZ_COMMAND_TIMEOUT_S\); nothing was written\n$/,
            );
            assert.ok(seconds < 15, `took ${seconds} s`);
            assert.equal(
                fs.readFileSync(path.join(project.dir, "Pulumi.prod.yaml"), "utf8"),
                prodBefore,
            );
            assert.ok(!fs.existsSync(path.join(project.dir, "ledger")));
        } finally {
            silent.close();
            fs.rmSync(project.dir, { recursive: true, force: true });
        }
    });
});
