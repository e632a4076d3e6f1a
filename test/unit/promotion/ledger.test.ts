import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { appendEntries, LedgerEntry, ledgerPath, readLedger } from "../../../promotion/ledger";
import { findEntry, previousEntry } from "../../../promotion/rollback";

const D = (c: string) => "sha256:" + c.repeat(64);
const entry = (service: string, digest: string): Omit<LedgerEntry, "id"> => ({
    service,
    sourceStack: "dev",
    sourceImage: `ghcr.io/keybuzzio/keybuzz-${service}:v@${digest}`,
    digest,
    targetImage: `ghcr.io/keybuzzio/keybuzz-${service}@${digest}`,
    immutableTag: `prod-v-${digest.slice(7, 19)}`,
    promotedAt: "2026-11-28T00:00:00.000Z",
    by: "ci",
    gate: { tag: `verified-in-dev-${digest.replace(":", "-")}`, verified: true },
    layerScan: { filesWithForeignHosts: 0, layers: 1, scanner: "layer-scan/1" },
});

describe("promotion ledger (promotion/ledger.ts, promotion/rollback.ts)", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "keybuzz-ledger-"));
    const file = ledgerPath(root, "prod");
    after(() => fs.rmSync(root, { recursive: true, force: true }));

    it("starts empty, appends with increasing ids, and reads back what it wrote", () => {
        fs.mkdirSync(path.dirname(file), { recursive: true });
        let ledger = readLedger(file, "prod");
        assert.deepEqual(ledger.entries, []);
        ledger = appendEntries(file, ledger, [entry("api", D("a")), entry("client", D("b"))]);
        ledger = appendEntries(file, ledger, [entry("api", D("c"))]);
        assert.deepEqual(
            readLedger(file, "prod").entries.map((e) => [e.id, e.service, e.digest]),
            [
                [1, "api", D("a")],
                [2, "client", D("b")],
                [3, "api", D("c")],
            ],
        );
    });

    it("still reads entries written before evidence and scan results were recorded in full", () => {
        const legacy = {
            version: 1,
            stack: "prod",
            entries: [
                {
                    ...entry("api", D("a")),
                    id: 1,
                    gate: { tag: "verified-sha256-" + "a".repeat(64), verified: true },
                    layerScan: { filesWithForeignHosts: 0 },
                },
            ],
        };
        fs.writeFileSync(file, JSON.stringify(legacy));
        assert.equal(readLedger(file, "prod").entries[0].layerScan?.layers, undefined);
    });

    it("refuses a ledger that is not one, naming the field", () => {
        fs.writeFileSync(
            file,
            JSON.stringify({
                version: 1,
                stack: "prod",
                entries: [{ ...entry("api", "latest"), id: 1 }],
            }),
        );
        assert.throws(
            () => readLedger(file, "prod"),
            /is not a valid promotion ledger: entries\.0\.digest/,
        );
    });

    it("picks rollback targets: the previous distinct digest, or an entry by id or digest", () => {
        const ledger = {
            version: 1 as const,
            stack: "prod",
            entries: [
                entry("api", D("a")),
                entry("api", D("b")),
                entry("api", D("b")),
                entry("client", D("c")),
            ].map((e, i) => ({ ...e, id: i + 1 })),
        };
        assert.equal(previousEntry(ledger, "api")?.id, 1);
        assert.equal(previousEntry(ledger, "client"), undefined);
        assert.equal(findEntry(ledger, "api", "2")?.digest, D("b"));
        assert.equal(findEntry(ledger, "api", D("b"))?.id, 3, "the latest entry with that digest");
        assert.equal(findEntry(ledger, "api", "4"), undefined, "an id of another service");
    });
});
