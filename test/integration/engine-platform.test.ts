import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { pulumiIn } from "../support/run";
import { ROOT } from "../support/stacks";

const pulumi = (state: string, args: string[]) => pulumiIn(ROOT, state, args);

describe("the platform program under the real engine", function () {
    this.timeout(300_000);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "keybuzz-engine-platform-"));
    const state = path.join(tmp, "state");
    before(() => fs.mkdirSync(state));
    after(() => fs.rmSync(tmp, { recursive: true, force: true }));

    it("fails the preview of an invalid prod config with the config message and creates nothing", () => {
        // prod's committed file with the audit's DB user: same salt, so its secrets still decrypt.
        const file = path.join(tmp, "Pulumi.prod.yaml");
        fs.writeFileSync(
            file,
            fs
                .readFileSync(path.join(ROOT, "Pulumi.prod.yaml"), "utf8")
                .replace("user: keybuzz_api_prod", "user: keybuzz_api_dev"),
        );
        assert.equal(pulumi(state, ["stack", "init", "prod", "--non-interactive"]).code, 0);
        const r = pulumi(state, ["preview", "--stack", "prod", "--config-file", file]);
        assert.notEqual(r.code, 0);
        assert.match(
            r.stdout + r.stderr,
            /keybuzz-platform:database\.user: "keybuzz_api_dev" belongs to environment dev \(declared by Pulumi\.dev\.yaml\), not prod/,
        );
        const exported = pulumi(state, ["stack", "export", "--stack", "prod"]);
        assert.equal(exported.code, 0);
        assert.deepEqual(JSON.parse(exported.stdout).deployment.resources ?? [], []);
    });
});
