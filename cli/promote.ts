/**
 * npm run promote -- plan|apply|ledger|rollback --stack <target> [--source <images.json>]
 *   [--service <name>] [--to <ledger id|digest>] [--format text|json]
 *
 * plan      what would move for each service (current → the source stage's verified digest),
 *           with the evidence and layer-scan results; writes nothing.
 * apply     the same plan; when no service is refused, moves the immutable and moving tags
 *           (verify-after-write), appends the ledger and pins the stack file.
 * ledger    the promotion ledger of the stack.
 * rollback  re-promotes an earlier ledger entry (default: the one before the current).
 * Exit 0 done, 1 refused (nothing written), 2 could not run.
 *
 * Flags and output only: the decisions are promotion/promote-stack.ts's, read through the
 * stack's validated config (promotion/settings.ts), as the engine reads them.
 */
import { spawnSync } from "node:child_process";
import * as os from "node:os";
import * as path from "node:path";
import { passphraseFromEnv } from "../config/passphrase";
import { SERVICE_NAMES, ServiceName } from "../config/schema";
import { SecretValue } from "../config/secret";
import {
    otherIdentities,
    readStackFile,
    StackFileError,
    stackFilePath,
} from "../config/stack-file";
import { formatIssues, validateStackConfig } from "../config/validate";
import {
    beginWrites,
    CannotRun,
    emit,
    EXIT_FAILED,
    EXIT_OK,
    main,
    oneOf,
    parseFlags,
    readInput,
} from "../lib/cli";
import { LedgerEntry, ledgerPath, readLedger } from "../promotion/ledger";
import { moves, ServicePlan } from "../promotion/plan";
import {
    promoteStack,
    PromotionInputError,
    StackPromotionResult,
} from "../promotion/promote-stack";
import { promotionSettings, PromotionSettingsError } from "../promotion/settings";
import { registryCredentialsFromEnv } from "../registry/credentials-from-env";
import { jsonErrorWithoutContent } from "../lib/input-file";

const USAGE =
    "npm run promote -- plan|apply|ledger|rollback --stack <target> [--project <dir>] [--source <images.json>] [--service <name>] [--to <id|digest>] [--format text|json]";

/** The source stage's images by digest: --source file, else the source stack's `images` output. */
function sourceImages(
    file: string | undefined,
    sourceStack: string,
): { images: Record<string, string>; from: string } {
    let parsed: unknown;
    const from = file ? `--source ${file}` : `the images output of stack ${sourceStack}`;
    if (file) {
        const text = readInput(file, "--source");
        try {
            parsed = JSON.parse(text);
        } catch (e) {
            throw new CannotRun(
                `cannot read --source ${file}: ${jsonErrorWithoutContent(e)}; give a JSON object of service → image@sha256:…`,
            );
        }
    } else {
        const r = spawnSync(
            "pulumi",
            ["stack", "output", "images", "--json", "--stack", sourceStack],
            { encoding: "utf8" },
        );
        if (r.status !== 0)
            throw new CannotRun(
                `cannot read the images output of stack ${sourceStack} (${(r.stderr || r.error?.message || "").trim().split("\n")[0]}); pass --source <images.json> with its images by digest`,
            );
        parsed = JSON.parse(r.stdout);
    }
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed))
        throw new CannotRun(`${from}: expected a JSON object of service → image@sha256:…`);
    return { images: parsed as Record<string, string>, from };
}

main(
    "promote",
    async () => {
        const { values, positionals } = parseFlags(
            process.argv.slice(2),
            {
                stack: { type: "string" },
                project: { type: "string" },
                source: { type: "string" },
                service: { type: "string", multiple: true },
                to: { type: "string" },
                format: { type: "string" },
            },
            USAGE,
        );
        if (!positionals[0])
            throw new CannotRun(`name an action: plan, apply, ledger or rollback\nusage: ${USAGE}`);
        const action = oneOf(
            "action",
            positionals[0],
            ["plan", "apply", "ledger", "rollback"] as const,
            "plan",
        );
        const format = oneOf("format", values.format, ["text", "json"] as const, "text");
        if (!values.stack)
            throw new CannotRun(`--stack <target stack> is required\nusage: ${USAGE}`);
        // --project: another checkout of this project (its stack files and ledger/); default this one.
        const root = path.resolve(values.project ?? process.env.KEYBUZZ_ROOT ?? process.cwd());
        const stack = values.stack;

        if (action === "ledger") {
            const ledger = readLedger(ledgerPath(root, stack), stack);
            emit(
                format === "json" ? JSON.stringify(ledger, null, 2) : ledgerText(ledger.entries),
                undefined,
            );
            return EXIT_OK;
        }

        const services = (values.service ?? [...SERVICE_NAMES]) as ServiceName[];
        for (const s of services)
            if (!(SERVICE_NAMES as readonly string[]).includes(s))
                throw new CannotRun(`--service ${s} is not one of ${SERVICE_NAMES.join(", ")}`);

        // The stack file through the config schema, as `pulumi up` reads it. Decrypted only when
        // the registry credentials must come from it (the key derivation is the slow part).
        const fromEnv = registryCredentialsFromEnv();
        const stackFile = stackFilePath(root, stack);
        let raw: Record<string, unknown>;
        try {
            raw = readStackFile(
                stackFile,
                fromEnv.username && fromEnv.password ? undefined : passphraseFromEnv(),
            );
        } catch (e) {
            if (e instanceof StackFileError) throw new CannotRun(e.message);
            throw e;
        }
        const others = otherIdentities(root, stack);
        const validated = validateStackConfig(stack, raw, others);
        if (!validated.ok)
            throw new CannotRun(
                formatIssues(stack, path.basename(stackFile), validated.issues).replace(
                    "nothing was deployed",
                    "nothing was promoted",
                ),
            );
        const config = validated.config;
        let settings;
        try {
            settings = promotionSettings(config);
        } catch (e) {
            if (e instanceof PromotionSettingsError) throw new CannotRun(e.message);
            throw e;
        }
        if (fromEnv.scheme) settings = { ...settings, registryScheme: fromEnv.scheme };
        const username = fromEnv.username ?? config.registry.username;
        const password =
            fromEnv.password ??
            (config.registryPassword instanceof SecretValue
                ? config.registryPassword.value
                : undefined);
        if (!username || !password)
            throw new CannotRun(
                `no registry credentials: set KEYBUZZ_REGISTRY_USERNAME/KEYBUZZ_REGISTRY_PASSWORD, or registry.username and registryPassword in ${path.basename(stackFile)} (with its passphrase)`,
            );

        let result: StackPromotionResult;
        try {
            result = await promoteStack({
                action,
                root,
                stack,
                stackFile,
                settings,
                others,
                services,
                servicesNamed: values.service !== undefined,
                source:
                    action === "rollback"
                        ? undefined
                        : sourceImages(values.source, settings.sourceStack),
                to: values.to,
                credentials: { username, password },
                by: process.env.GITHUB_ACTOR ?? os.userInfo().username,
                onWritesBegin: beginWrites,
            });
        } catch (e) {
            if (e instanceof PromotionInputError) throw new CannotRun(e.message);
            throw e;
        }
        const summary = {
            action,
            stack,
            written: result.written,
            sourceStack: settings.sourceStack,
            services: result.plans.map(serviceSummary),
            ledgerEntries: result.ledgerEntries.length,
        };
        emit(format === "json" ? JSON.stringify(summary, null, 2) : planText(summary), undefined);
        return result.plans.some((s) => s.refusal) ? EXIT_FAILED : EXIT_OK;
    },
    // 15 minutes: a registry answering just before every per-request timeout cannot hold a pipeline longer.
    { timeoutS: 900 },
);

function serviceSummary(s: ServicePlan) {
    const c = s.candidate;
    return {
        service: c.service,
        from: s.currentDigest ?? null,
        to: c.digest,
        changes: moves(s),
        inPlace: s.inPlace,
        verifiedIn: s.checks?.evidence
            ? {
                  stage: s.checks.evidence.stage,
                  verified: s.checks.evidence.verified,
                  tag: s.checks.evidence.tag,
              }
            : null,
        layerScan: s.checks?.layerScan
            ? { layers: s.checks.layerScan.layers, scanner: s.checks.layerScan.scanner }
            : null,
        foreignHosts: s.checks?.layerScan?.foreignHosts ?? [],
        refusal: s.refusal ?? null,
        immutableTag: c.tags.immutable,
        movingTag: c.tags.moving,
        targetImage: c.targetImage,
        rollbackOf: s.rollbackOf ?? null,
    };
}

const short = (d: string | null) => (d ? d.slice(0, 19) + "…" : "(none)");

function planText(r: {
    action: string;
    stack: string;
    written: boolean;
    services: ReturnType<typeof serviceSummary>[];
}): string {
    const lines = [
        `promote ${r.action} → stack ${r.stack}${r.written ? " (applied)" : r.action === "plan" ? " (preview: nothing written)" : " (refused: nothing written)"}`,
    ];
    for (const s of r.services) {
        const checked = s.verifiedIn
            ? `verified in ${s.verifiedIn.stage}${s.layerScan ? `, ${s.layerScan.layers} layer${s.layerScan.layers === 1 ? "" : "s"} clean` : ""}`
            : "checks not required";
        const verdict = s.refusal
            ? `REFUSED: ${s.refusal}`
            : s.inPlace
              ? "unchanged (already promoted)"
              : `${r.written ? "moved" : "will move"} (${checked})`;
        lines.push(
            `  ${s.service.padEnd(8)} ${short(s.from)} → ${short(s.to)}  ${s.rollbackOf ? `[rollback to ledger #${s.rollbackOf}] ` : ""}${verdict}`,
        );
        if (!s.refusal && !s.inPlace)
            lines.push(`           tags: ${s.immutableTag} (immutable), ${s.movingTag} (moving)`);
    }
    return lines.join("\n");
}

function ledgerText(entries: readonly LedgerEntry[]): string {
    if (!entries.length) return "the ledger is empty: nothing was promoted yet";
    return entries
        .map(
            (e) =>
                `#${e.id} ${e.promotedAt} ${e.service} ${e.digest} from ${e.sourceImage} by ${e.by}${e.rollbackOf ? ` (rollback to #${e.rollbackOf})` : ""}`,
        )
        .join("\n");
}
