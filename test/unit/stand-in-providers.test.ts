import * as assert from "node:assert/strict";
import { REDACTED, renderManifest } from "../../tools/stand-in-providers/manifest-render";
import { generate, withDefaults } from "../../tools/stand-in-providers/password";
import { secret } from "../../tools/stand-in-providers/provider-server";

describe("stand-in providers (used where the upstream plugins cannot be built)", () => {
    it("renders a Secret with its keys and never its values, even when the whole map is one secret", () => {
        const m = renderManifest({
            apiVersion: "v1",
            kind: "Secret",
            metadata: { name: "keybuzz-database", namespace: "keybuzz-local" },
            stringData: secret({ DATABASE_URL: "postgresql://u:hunter2@db/x", PGPASSWORD: "hunter2" }),
            data: { TOKEN: secret("c2VjcmV0") },
        });
        assert.deepEqual(m.stringData, { TOKEN: REDACTED, DATABASE_URL: REDACTED, PGPASSWORD: REDACTED });
        assert.equal(m.data, undefined);
        assert.ok(!JSON.stringify(m).includes("hunter2") && !JSON.stringify(m).includes("c2VjcmV0"));
    });

    it("redacts a secret-marked value in any other manifest and keeps the rest", () => {
        const m = renderManifest({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x" }, data: { A: "plain", B: secret("hidden") } });
        assert.deepEqual(m.data, { A: "plain", B: REDACTED });
    });

    it("generates passwords of the asked length from the asked character classes", () => {
        const alnum = generate(withDefaults({ length: 48, special: false }));
        assert.match(alnum, /^[A-Za-z0-9]{48}$/);
        const mins = generate(withDefaults({ length: 12, minUpper: 3, minNumeric: 3, minSpecial: 3, overrideSpecial: "#" }));
        assert.equal(mins.length, 12);
        assert.ok((mins.match(/[A-Z]/g) ?? []).length >= 3 && (mins.match(/[0-9]/g) ?? []).length >= 3 && (mins.match(/#/g) ?? []).length >= 3, mins);
        assert.notEqual(generate(withDefaults({ length: 32 })), generate(withDefaults({ length: 32 })));
    });
});
