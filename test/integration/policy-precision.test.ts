/**
 * The pack's precision on manifests it has never seen (issue: policy reports people can
 * trust): the whole command, `policy:check --manifests prod --env prod --compare dev=…`, on a
 * corpus of clean dev/prod sets and on each set with one mistake injected at a time. Prints
 * the false-positive rate of mandatory rows on the clean sets and the catch rate per kind.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
    corpus,
    EXPECTED_POLICIES,
    MISTAKES,
    MistakeKind,
    yamlOf,
} from "../support/precision-corpus";
import { npmRunAsync } from "../support/run";

describe("policy precision corpus (clean sets and injected mistakes)", function () {
    this.timeout(600_000);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "keybuzz-precision-"));
    after(() => fs.rmSync(tmp, { recursive: true, force: true }));

    async function check(name: string, dev: readonly object[], prod: readonly object[]) {
        const devFile = path.join(tmp, `${name}-dev.yaml`);
        const prodFile = path.join(tmp, `${name}-prod.yaml`);
        fs.writeFileSync(devFile, yamlOf(dev));
        fs.writeFileSync(prodFile, yamlOf(prod));
        const r = await npmRunAsync("policy:check", [
            "--manifests",
            prodFile,
            "--env",
            "prod",
            "--compare",
            `dev=${devFile}`,
            "--format",
            "json",
        ]);
        assert.ok(r.code === 0 || r.code === 1, `${name}: exit ${r.code} ${r.stderr}`);
        return JSON.parse(r.stdout) as {
            violations: Array<{
                policy: string;
                level: string;
                message: string;
                fix: string;
                resource: { name: string };
            }>;
            notVerified: Array<{ policy: string; reason: string }>;
            summary: { resources: number };
        };
    }

    it("≤ 2% false mandatory rows on the clean sets and ≥ 90% of each kind of mistake caught", async () => {
        let cleanRows = 0;
        let cleanResources = 0;
        const falseRows: string[] = [];
        for (const set of corpus()) {
            const report = await check(`clean-${set.name}`, set.dev, set.prod);
            const mandatory = report.violations.filter((v) => v.level === "mandatory");
            cleanRows += mandatory.length;
            cleanResources += report.summary.resources;
            falseRows.push(...mandatory.map((v) => `${set.name}: ${v.policy}: ${v.message}`));
            // The ServiceMonitor is not a kind the pack interprets: the report says so.
            assert.ok(
                report.notVerified.some((n) =>
                    n.reason.includes("monitoring.coreos.com/v1 ServiceMonitor"),
                ),
                `${set.name}: the uninterpreted kind is not listed: ${JSON.stringify(report.notVerified)}`,
            );
        }
        const caught = new Map<MistakeKind, { caught: number; total: number; missed: string[] }>();
        for (const set of corpus())
            for (const [i, mistake] of MISTAKES.entries()) {
                const prod = structuredClone(set.prod) as any[];
                const dev = structuredClone(set.dev) as any[];
                mistake.apply(prod, { ...set, dev });
                const report = await check(`${set.name}-${i}`, dev, prod);
                const k = caught.get(mistake.kind) ?? { caught: 0, total: 0, missed: [] };
                k.total++;
                const rows = report.violations.filter((v) => v.level === "mandatory");
                // Caught means caught by the rule for that mistake, not by chance by another.
                if (rows.some((v) => EXPECTED_POLICIES[mistake.kind].includes(v.policy)))
                    k.caught++;
                else
                    k.missed.push(
                        `${set.name}: ${mistake.description}${rows.length ? ` (only ${rows.map((v) => v.policy).join(", ")})` : ""}`,
                    );
                // Third-party manifests are not governed by this project's config or commands.
                for (const v of report.violations)
                    assert.doesNotMatch(
                        v.fix,
                        /pulumi config|keybuzz-platform:|Pulumi\.\w+\.yaml|services\.(<svc>|\*)|npm run/,
                        `${set.name}: ${mistake.description}: ${v.policy} fix speaks of the stack: ${v.fix}`,
                    );
                caught.set(mistake.kind, k);
            }
        const fpRate = cleanRows / cleanResources;
        console.log(
            `      clean sets: ${cleanRows} mandatory rows over ${cleanResources} resources (${(100 * fpRate).toFixed(1)}% false; goal ≤ 2%)`,
        );
        for (const [kind, k] of caught)
            console.log(
                `      ${kind}: ${k.caught}/${k.total} caught (${((100 * k.caught) / k.total).toFixed(0)}%; goal ≥ 90%)${k.missed.length ? ` missed: ${k.missed.join("; ")}` : ""}`,
            );
        assert.ok(fpRate <= 0.02, falseRows.join("\n"));
        for (const [kind, k] of caught)
            assert.ok(k.caught / k.total >= 0.9, `${kind}: ${k.missed.join("; ")}`);
    });
});
