import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { npmRun } from "../support/run";
import { ROOT } from "../support/stacks";

/** Commands run the JavaScript compiled into out/; an edited source is compiled before it runs. */
describe("compile once: npm commands run compiled JavaScript, and never a stale build", function () {
    this.timeout(120_000);
    const probe = path.join(ROOT, "lib", `build-probe-${process.pid}.ts`);
    const compiled = path.join(ROOT, "out", "lib", `build-probe-${process.pid}.js`);
    after(() => {
        fs.rmSync(probe, { force: true });
        fs.rmSync(compiled, { force: true });
        fs.rmSync(compiled + ".map", { force: true });
    });

    it("runs a command from out/ (no TypeScript compiler in the process)", () => {
        const r = npmRun("check:config", ["--stack", "prod"]);
        assert.equal(r.code, 0, r.stderr);
        assert.ok(fs.existsSync(path.join(ROOT, "out", "cli", "check-config.js")));
        const cmd = spawnSync(
            "bash",
            ["-c", `grep -c 'exec node "$ROOT/out/' "${ROOT}/scripts/node.sh"`],
            { encoding: "utf8" },
        ).stdout.trim();
        assert.equal(cmd, "1");
    });

    it("an edit is compiled before the next command runs, and a second edit again", () => {
        fs.writeFileSync(probe, `export const PROBE = "first";\n`);
        assert.equal(npmRun("check:config", ["--stack", "prod"]).code, 0);
        assert.match(fs.readFileSync(compiled, "utf8"), /PROBE = "first"/);
        // Same length, a moment later: only the content and the time tell them apart.
        fs.writeFileSync(probe, `export const PROBE = "again";\n`);
        const r = npmRun("check:config", ["--stack", "prod"]);
        assert.equal(r.code, 0);
        assert.match(fs.readFileSync(compiled, "utf8"), /PROBE = "again"/);
    });

    it("an edited bundling stand-in (scripts/bundle) or a source in a new folder is built again; a test edit is not", () => {
        assert.equal(npmRun("check:config", ["--stack", "prod"]).code, 0);
        const changed = (touch: string) =>
            spawnSync(
                "bash",
                [
                    "-c",
                    `. scripts/build.sh; sleep 0.01; touch ${touch}; keybuzz_sources_changed "$PWD" out/.built && echo changed || echo unchanged`,
                ],
                { cwd: ROOT, encoding: "utf8" },
            ).stdout.trim();
        const folder = path.join(ROOT, `probe-folder-${process.pid}`);
        try {
            assert.equal(changed("test/unit/promotion/tags.test.ts"), "unchanged");
            assert.equal(changed("scripts/bundle/undici-core.cjs"), "changed");
            fs.mkdirSync(path.join(folder, "deep"), { recursive: true });
            assert.equal(changed(`${folder}/deep/new.ts`), "changed");
        } finally {
            fs.rmSync(folder, { recursive: true, force: true });
        }
        assert.equal(npmRun("check:config", ["--stack", "prod"]).code, 0);
    });

    it("a source that does not compile stops the command with exit 2 instead of running the old build", () => {
        fs.writeFileSync(probe, `export const PROBE = ;\n`);
        const r = npmRun("check:config", ["--stack", "prod"]);
        assert.equal(r.code, 2);
        assert.match(r.stderr, /build-probe-\d+\.ts/);
        assert.match(r.stderr, /build: compiling the project failed/);
        fs.rmSync(probe);
        assert.equal(npmRun("check:config", ["--stack", "prod"]).code, 0);
    });
});
