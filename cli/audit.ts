/**
 * npm run audit -- (--target <file> | --stack <name>) [--format md|json] [--out <file>]
 *   [--concurrency N] [--timeout-ms N] [--record-gate [--gate-dir <dir>]]
 * Checks every service's endpoint matrix and the environment separation. --record-gate writes
 * the "verified in <environment>" evidence tag for each audited image digest (credentials: KEYBUZZ_REGISTRY_USERNAME,
 * KEYBUZZ_REGISTRY_PASSWORD; KEYBUZZ_REGISTRY_SCHEME=http only for a loopback registry).
 * Exit 0 pass, 1 a check failed, 2 the audit could not run (bad target, DNS failure).
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { otherIdentities } from "../config/stack-file";
import { recordEvidence } from "../audit/record-evidence";
import { AuditInputError, readMatrices } from "../audit/matrix";
import { renderAuditMarkdown } from "../audit/report";
import { AuditCannotRun, DEFAULT_AUDIT_OPTIONS, runAudit } from "../audit/run";
import { TargetUrlError } from "../audit/target-url";
import { AuditTarget, readTarget, targetSchema } from "../audit/target";
import { registryCredentialsFromEnv } from "../registry/credentials-from-env";
import { CannotRun, emit, EXIT_FAILED, EXIT_OK, main, oneOf, parseFlags } from "../lib/cli";

const USAGE =
    "npm run audit -- (--target <file> | --stack <name> [--project <dir>]) [--format md|json] [--out <file>] [--concurrency N] [--timeout-ms N] [--record-gate] [--allow-target <host>]…";

function positiveInt(name: string, v: string | undefined, fallback: number): number {
    if (v === undefined) return fallback;
    const n = Number(v);
    // Node's timers hold at most 2^31-1 ms; larger values would fire at once.
    if (!Number.isInteger(n) || n <= 0 || n > 2 ** 31 - 1)
        throw new CannotRun(
            `--${name} ${v.slice(0, 40)} must be a whole number from 1 to ${2 ** 31 - 1}`,
        );
    return n;
}

/** Targets from a deployed stack's outputs (urls, images), read with the pinned CLI. */
function targetFromStack(stack: string, projectDir: string): AuditTarget {
    const r = spawnSync("pulumi", ["stack", "output", "--json", "--stack", stack], {
        encoding: "utf8",
        cwd: projectDir,
    });
    if (r.status !== 0)
        throw new CannotRun(
            `cannot read the outputs of stack ${stack}: ${(r.stderr || r.error?.message || "").trim().split("\n")[0]}; deploy it first or pass --target <file>`,
        );
    const out = JSON.parse(r.stdout);
    const services = Object.fromEntries(
        Object.entries<string>(out.urls ?? {}).map(([s, url]) => [
            s,
            { baseUrl: url, expectedImage: out.images?.[s] },
        ]),
    );
    const parsed = targetSchema.safeParse({
        environment: out.environment,
        services,
        expectedBackendUrl: out.backendUrl,
    });
    if (!parsed.success)
        throw new CannotRun(
            `the outputs of stack ${stack} do not name audit targets: ${parsed.error.issues[0].message}`,
        );
    return parsed.data;
}

function registryAccess() {
    const { username, password, scheme } = registryCredentialsFromEnv();
    if (!username || !password)
        throw new CannotRun(
            "--record-gate needs registry credentials: set KEYBUZZ_REGISTRY_USERNAME and KEYBUZZ_REGISTRY_PASSWORD",
        );
    return { scheme: scheme ?? "https", username, password };
}

main(
    "audit",
    async () => {
        const { values } = parseFlags(
            process.argv.slice(2),
            {
                target: { type: "string" },
                stack: { type: "string" },
                format: { type: "string" },
                out: { type: "string" },
                concurrency: { type: "string" },
                "timeout-ms": { type: "string" },
                "record-gate": { type: "boolean" },
                project: { type: "string" },
                "allow-target": { type: "string", multiple: true },
            },
            USAGE,
        );
        const format = oneOf("format", values.format, ["md", "json"] as const, "md");
        const root = process.env.KEYBUZZ_ROOT ?? process.cwd();
        try {
            if (!values.target && !values.stack)
                throw new CannotRun(`give --target <file> or --stack <name>\nusage: ${USAGE}`);
            // --project: the Pulumi project whose stack outputs name the targets (default: this one).
            const target = values.target
                ? readTarget(values.target)
                : targetFromStack(values.stack!, values.project ?? root);
            const access = values["record-gate"] ? registryAccess() : undefined;
            const matrices = readMatrices(
                path.join(root, "audit", "matrix"),
                Object.keys(target.services),
            );
            const tty = process.stderr.isTTY;
            const result = await runAudit(
                target,
                matrices,
                otherIdentities(root, target.environment),
                {
                    ...DEFAULT_AUDIT_OPTIONS,
                    concurrency: positiveInt(
                        "concurrency",
                        values.concurrency,
                        DEFAULT_AUDIT_OPTIONS.concurrency,
                    ),
                    timeoutMs: positiveInt(
                        "timeout-ms",
                        values["timeout-ms"],
                        DEFAULT_AUDIT_OPTIONS.timeoutMs,
                    ),
                    allowTargets: new Set(
                        (values["allow-target"] ?? []).map((h) => h.toLowerCase()),
                    ),
                    onProgress: tty
                        ? (d, t) => process.stderr.write(`\raudit: ${d}/${t} endpoints`)
                        : undefined,
                },
            );
            if (tty) process.stderr.write("\n");
            // --record-gate keeps its name (pipelines call it); what it records is "verified in <environment>".
            const recorded = values["record-gate"]
                ? await recordEvidence(target, result, access!)
                : [];
            emit(
                format === "json"
                    ? JSON.stringify(
                          { schemaVersion: 1, ...result, verifiedInRecorded: recorded },
                          null,
                          2,
                      )
                    : renderAuditMarkdown(result),
                values.out,
            );
            if (values["record-gate"])
                process.stderr.write(
                    result.verdict === "pass"
                        ? `audit: recorded "verified in ${target.environment}" for ${recorded.map((g) => g.digest).join(", ") || "no digest (targets name no image@sha256)"}\n`
                        : `audit: failed, nothing recorded as verified in ${target.environment}\n`,
                );
            return result.verdict === "pass" ? EXIT_OK : EXIT_FAILED;
        } catch (e) {
            if (
                e instanceof AuditInputError ||
                e instanceof AuditCannotRun ||
                e instanceof TargetUrlError
            )
                throw new CannotRun(e.message);
            throw e;
        }
    },
    { timeoutS: 900 },
);
