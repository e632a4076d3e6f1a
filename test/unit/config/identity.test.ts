import * as assert from "node:assert/strict";
import { hostsIn } from "../../../config/identity";

// The definition hostsIn implements: a dotted name with a letters-only TLD, starting where no
// host character precedes it, each label 1–63 characters, no label starting or ending in "-".
const REFERENCE = /(?<![a-z0-9.-])(?:[a-z0-9-]{1,63}\.)+[a-z]{2,63}(?![a-z0-9-])/gi;
function reference(text: string): string[] {
    const found = new Set<string>();
    for (const m of text.matchAll(REFERENCE)) {
        const host = m[0].toLowerCase();
        if (host.length <= 253 && !/(^|\.)-|-(\.|$)/.test(host)) found.add(host);
    }
    return [...found].sort();
}

describe("hosts named in free text (config/identity.ts hostsIn)", () => {
    it("finds hosts in URLs, bundles and connection strings", () => {
        assert.deepEqual(
            hostsIn(
                'fetch("https://Backend-Dev.KeyBuzz.io/api");x=a.b.c(d);db=postgres://u@db.keybuzz-prod.svc:5432/k;' +
                    "see example.com. and -bad.example.com and ok-.example.com, v1.2.3",
            ).sort(),
            ["backend-dev.keybuzz.io", "db.keybuzz-prod.svc", "example.com"],
        );
    });

    it("agrees with its definition on random text built from host-like pieces", () => {
        const pieces = [
            "a",
            "b1",
            "-",
            ".",
            "..",
            "com",
            "io",
            "x-y",
            "/",
            " ",
            '"',
            "é",
            "_",
            "(",
            "Z",
            "9",
            "dev",
            ".svc",
        ];
        let seed = 7;
        const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
        for (let round = 0; round < 2000; round++) {
            let text = "";
            const n = 1 + (next() % 40);
            for (let i = 0; i < n; i++) text += pieces[next() % pieces.length];
            assert.deepEqual(hostsIn(text).sort(), reference(text), JSON.stringify(text));
        }
    });

    it("stays linear on a long dotted string", () => {
        const text = "a.".repeat(200_000) + "io";
        const started = performance.now();
        hostsIn(text);
        // Generous bound: a super-linear scan takes minutes here, a linear one milliseconds.
        assert.ok(performance.now() - started < 5_000);
    });
});
