import * as assert from "node:assert/strict";
import { HostNames, hostsIn } from "../../../config/host-names";

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

// Pieces that make hosts, near-hosts and separators, with labels around the 63-character
// limit, upper case, Latin-1 and characters above 255 whose low byte is a host character
// ("š" is U+0161: its low byte is "a"; "ġ" is U+0121: "!").
const PIECES = [
    "a",
    "b1",
    "-",
    ".",
    "..",
    "com",
    "io",
    "IO",
    "x-y",
    "/",
    " ",
    '"',
    "é",
    "š",
    "ġ",
    "_",
    "(",
    "Z",
    "9",
    "dev",
    ".svc",
    "k".repeat(62),
    "q".repeat(63),
];

function randomTexts(rounds: number, maxPieces: number): string[] {
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    const texts: string[] = [];
    for (let round = 0; round < rounds; round++) {
        let text = "";
        const n = 1 + (next() % maxPieces);
        for (let i = 0; i < n; i++) text += PIECES[next() % PIECES.length];
        texts.push(text);
    }
    return texts;
}

describe("hosts named in free text (config/host-names.ts)", () => {
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
        for (const text of randomTexts(4000, 40))
            assert.deepEqual(hostsIn(text).sort(), reference(text), JSON.stringify(text));
    });

    it("finds the same hosts in bytes fed piece by piece as in the whole text", () => {
        // Pieces cut where layer-files cuts them: after a character that is not a host's.
        for (const text of randomTexts(300, 400)) {
            const bytes = Buffer.from(text, "utf8");
            const names = new HostNames();
            let from = 0;
            for (let i = 0; i < bytes.length; i++) {
                if (i - from > 17 && bytes[i] === 0x2f /* "/" */) {
                    names.scan(bytes, from, i);
                    from = i;
                }
            }
            names.scan(bytes, from);
            // UTF-8 bytes of "é", "š", "ġ" are all above 127: none is a host character.
            const expected = reference(text.replace(/[^\x00-\x7f]/g, " "));
            assert.deepEqual(names.list().sort(), expected, JSON.stringify(text));
        }
    });

    it("keeps the first-seen order and each host once, whatever its case", () => {
        const names = new HostNames();
        names.scan(Buffer.from("b.example.com a.example.com B.Example.COM b.example.com"));
        names.scan(Buffer.from(" A.EXAMPLE.COM c.example.com"));
        assert.deepEqual(names.list(), ["b.example.com", "a.example.com", "c.example.com"]);
    });

    it("holds thousands of distinct hosts (its table grows)", () => {
        const names = new HostNames();
        const written = Array.from({ length: 5000 }, (_, i) => `svc-${i}.example.com`);
        names.scan(Buffer.from(written.join(" ") + " " + written.reverse().join(",")));
        assert.equal(names.list().length, 5000);
        assert.deepEqual(new Set(names.list()), new Set(written));
    });

    it("stays linear on a long dotted string", () => {
        const text = "a.".repeat(200_000) + "io";
        const started = performance.now();
        assert.deepEqual(hostsIn(text), []);
        // Generous bound: a super-linear scan takes minutes here, a linear one milliseconds.
        assert.ok(performance.now() - started < 5_000);
    });
});
