import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
    promotionProject,
    PROMOTE_ENV,
    PROMOTED_SERVICES,
    useTargetSuffix,
} from "../support/promotion-project";
import { startRegistry, TestRegistry, testRegistryClient } from "../support/registry";
import { seeded, unavailableProxy } from "../support/reverse-proxy";
import { npmRunAsync } from "../support/run";

describe("npm run promote through a registry answering 10% of requests with 503 (the whole command)", function () {
    this.timeout(300_000);
    let reg: TestRegistry;
    before(async () => {
        reg = await startRegistry();
    });
    after(async () => reg.stop());

    it("completes every promotion with the tags right: every call, blob reads included, is retried", async () => {
        const proxy = await unavailableProxy(reg.address, 0.1, seeded(7));
        const project = await promotionProject(reg.address, proxy.address);
        const direct = testRegistryClient(reg.address);
        try {
            for (let i = 0; i < 8; i++) {
                useTargetSuffix(project, `-r${i}`);
                // A cold layer cache each time: every run reads the layers through the faults.
                const cache = fs.mkdtempSync(path.join(os.tmpdir(), "keybuzz-faults-cache-"));
                const r = await npmRunAsync(
                    "promote",
                    [
                        "apply",
                        "--stack",
                        "prod",
                        "--project",
                        project.dir,
                        "--source",
                        project.sourceFile,
                    ],
                    { ...PROMOTE_ENV, KEYBUZZ_CACHE_DIR: cache },
                );
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
                `      8 commands × 3 images completed; ${proxy.stats.injected503} of ${proxy.stats.requests} requests answered 503`,
            );
            assert.ok(
                proxy.stats.injected503 >= 10,
                "too few faults were injected to mean anything",
            );
        } finally {
            await direct.close();
            await proxy.close();
            fs.rmSync(project.dir, { recursive: true, force: true });
        }
    });
});
