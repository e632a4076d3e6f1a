import * as assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import { hostsIn } from "../../../config/host-names";
import { layerFileMentions } from "../../../promotion/layer-files";
import { tarOf } from "../../support/oci-images";

const PLAIN = "application/vnd.oci.image.layer.v1.tar";
const GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";

async function* inPieces(bytes: Buffer, size: number): AsyncIterable<Uint8Array> {
    for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

describe("what a layer's files mention (promotion/layer-files.ts)", () => {
    // Hosts everywhere, some long, so that pieces of any size cut some of them in two.
    const bundle = Array.from(
        { length: 3000 },
        (_, i) =>
            `fetch("https://svc-${i % 700}.api-dev.keybuzz.io/v1");x=a.b.c(${i});` +
            `u="${"seg-".repeat(i % 9)}cdn.example.com"`,
    ).join("\n");
    const files = {
        "app/main.js": bundle,
        "app/.env": "NEXT_PUBLIC_BACKEND_URL=https://backend-dev.keybuzz.io\n",
        "app/logo.png": "https://in-a-binary.keybuzz.io",
    };
    const expected = [
        ...hostsIn(bundle).map((host) => ({ file: "app/main.js", host })),
        { file: "app/.env", host: "backend-dev.keybuzz.io" },
    ];

    it("finds each host of each text file once, wherever the stream cuts it", async () => {
        const tar = await tarOf(files);
        for (const size of [1, 7, 512, 4093, 65_536, tar.length]) {
            const found = await layerFileMentions(inPieces(tar, size), PLAIN);
            assert.deepEqual(found, expected, `pieces of ${size} bytes`);
        }
        assert.ok(expected.some((m) => m.host === "svc-699.api-dev.keybuzz.io"));
        assert.ok(!expected.some((m) => m.host.includes("in-a-binary")), "a .png was scanned");
    });

    it("reads gzip layers the same, across decompressed chunks of a megabyte", async () => {
        // Over a megabyte of text: the decompressor's output chunks cut the file.
        const big = { "app/big.js": bundle.repeat(8) };
        const found = await layerFileMentions(inPieces(gzipSync(await tarOf(big)), 10_000), GZIP);
        assert.deepEqual(
            found,
            hostsIn(big["app/big.js"]).map((host) => ({ file: "app/big.js", host })),
        );
    });
});
