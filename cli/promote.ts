/**
 * npm run promote -- plan|apply|ledger|rollback --stack <target> [--source <images.json>]
 *   [--service <name>] [--to <ledger id|digest>] [--format text|json]
 *
 * plan      what would move for each service (current → DEV's verified digest), gate and
 *           layer-scan results; writes nothing.
 * apply     the same decisions; when none is refused, moves the immutable and moving tags in
 *           the registry (verify-after-write), appends the ledger and pins the stack file.
 * ledger    the promotion ledger of the stack.
 * rollback  re-promotes an earlier ledger entry (default: the one before the current).
 * Exit 0 done, 1 refused (nothing written), 2 could not run.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { SERVICE_NAMES } from "../config/schema";
import { SecretValue } from "../config/secret";
import { passphraseFromEnv } from "../config/passphrase";
import { otherIdentities, readStackFile, StackFileError, stackFilePath } from "../config/stack-file";
import { CannotRun, emit, EXIT_FAILED, EXIT_OK, main, oneOf, parseFlags, readInput } from "../lib/cli";
import { appendEntries, findEntry, LedgerEntry, ledgerPath, previousEntry, readLedger } from "../promotion/ledger";
import { apply, decide, PromotionDecision, ServicePromotion } from "../promotion/promote-service";
import { pinImages } from "../promotion/stack-pin";
import { RegistryClient } from "../registry/client";
import { registryCredentialsFromEnv, splitImage } from "../registry/reference";

const USAGE = "npm run promote -- plan|apply|ledger|rollback --stack <target> [--project <dir>] [--source <images.json>] [--service <name>] [--to <id|digest>] [--format text|json]";

interface Plan {
    readonly request: ServicePromotion;
    readonly registry: string;
    readonly decision: PromotionDecision;
    readonly sourceImage: string;
    readonly rollbackOf?: number;
}

/** DEV's images by digest: --source file, else the source stack's `images` output. */
function sourceImages(file: string | undefined, sourceStack: string): Record<string, string> {
    if (file) {
        try {
            return JSON.parse(readInput(file, "--source"));
        } catch (e) {
            throw new CannotRun(`cannot read --source ${file}: ${(e as Error).message}`);
        }
    }
    const r = spawnSync("pulumi", ["stack", "output", "images", "--json", "--stack", sourceStack], { encoding: "utf8" });
    if (r.status !== 0) throw new CannotRun(`cannot read the images output of stack ${sourceStack} (${(r.stderr || r.error?.message || "").trim().split("\n")[0]}); pass --source <images.json> with DEV's images by digest`);
    return JSON.parse(r.stdout);
}

main("promote", async () => {
    const { values, positionals } = parseFlags(
        process.argv.slice(2),
        { stack: { type: "string" }, project: { type: "string" }, source: { type: "string" }, service: { type: "string", multiple: true }, to: { type: "string" }, format: { type: "string" } },
        USAGE,
    );
    const action = oneOf("action", positionals[0], ["plan", "apply", "ledger", "rollback"] as const, "plan");
    if (!positionals[0]) throw new CannotRun(`name an action: plan, apply, ledger or rollback\nusage: ${USAGE}`);
    const format = oneOf("format", values.format, ["text", "json"] as const, "text");
    if (!values.stack) throw new CannotRun(`--stack <target stack> is required\nusage: ${USAGE}`);
    // --project: another checkout of this project (its stack files and ledger/); default this one.
    const root = path.resolve(values.project ?? process.env.KEYBUZZ_ROOT ?? process.cwd());
    const stack = values.stack;
    const ledgerFile = ledgerPath(root, stack);
    const ledger = readLedger(ledgerFile, stack);

    if (action === "ledger") {
        emit(format === "json" ? JSON.stringify(ledger, null, 2) : ledgerText(ledger.entries), undefined);
        return EXIT_OK;
    }

    const stackFile = stackFilePath(root, stack);
    let raw: Record<string, unknown>;
    try {
        raw = readStackFile(stackFile, passphraseFromEnv());
    } catch (e) {
        if (e instanceof StackFileError) throw new CannotRun(e.message);
        throw e;
    }
    const promotionConfig = (raw.promotion ?? {}) as { sourceStack?: string; movingTag?: string; targetRepositorySuffix?: string; registryScheme?: "http" | "https" };
    const sourceStack = promotionConfig.sourceStack ?? "dev";
    const registryConfig = raw.registry as { server?: string; username?: string } | undefined;
    const fromEnv = registryCredentialsFromEnv();
    const username = fromEnv.username ?? registryConfig?.username;
    const password = fromEnv.password ?? (raw.registryPassword instanceof SecretValue ? raw.registryPassword.value : undefined);
    if (!username || !password) throw new CannotRun(`no registry credentials: set KEYBUZZ_REGISTRY_USERNAME/KEYBUZZ_REGISTRY_PASSWORD, or registry.username and registryPassword in ${path.basename(stackFile)} (with its passphrase)`);
    const scheme = fromEnv.scheme ?? promotionConfig.registryScheme ?? "https";
    const others = otherIdentities(root, stack);
    const services = values.service ?? [...SERVICE_NAMES];
    for (const s of services) if (!(SERVICE_NAMES as readonly string[]).includes(s)) throw new CannotRun(`--service ${s} is not one of ${SERVICE_NAMES.join(", ")}`);

    // What each service should run: DEV's digest, or for a rollback an earlier ledger entry.
    const wanted: Array<{ service: string; image: string; rollbackOf?: number }> = [];
    if (action === "rollback") {
        for (const service of services) {
            const entry = values.to ? findEntry(ledger, service, values.to) : previousEntry(ledger, service);
            if (!entry) {
                if (values.service) throw new CannotRun(`no ledger entry ${values.to ? `"${values.to}" ` : "before the current one "}for ${service} in ${path.relative(root, ledgerFile)}`);
                continue;
            }
            wanted.push({ service, image: entry.sourceImage, rollbackOf: entry.id });
        }
        if (wanted.length === 0) throw new CannotRun(`nothing to roll back to in ${path.relative(root, ledgerFile)}`);
    } else {
        const images = sourceImages(values.source, sourceStack);
        for (const service of services) {
            if (!images[service]) throw new CannotRun(`the source names no image for ${service}`);
            wanted.push({ service, image: images[service] });
        }
    }

    const clients = new Map<string, RegistryClient>();
    const clientFor = (registry: string) => clients.get(registry) ?? clients.set(registry, new RegistryClient({ registry, scheme, credentials: { username, password } })).get(registry)!;
    try {
        const plans: Plan[] = [];
        for (const w of wanted) {
            let s;
            try {
                s = splitImage(w.image);
            } catch (e) {
                throw new CannotRun((e as Error).message);
            }
            const request: ServicePromotion = {
                service: w.service,
                sourceRepository: s.repository,
                digest: s.digest,
                sourceTag: s.tag,
                targetRepository: s.repository + (promotionConfig.targetRepositorySuffix ?? ""),
                movingTag: promotionConfig.movingTag ?? stack,
                environment: stack,
                others,
            };
            plans.push({ request, registry: s.registry, decision: await decide(clientFor(s.registry), request), sourceImage: w.image, rollbackOf: w.rollbackOf });
        }
        const refused = plans.filter((p) => p.decision.refusal);
        const write = action !== "plan" && refused.length === 0;
        const entries: Array<Omit<LedgerEntry, "id">> = [];
        const pins: Record<string, string> = {};
        if (write) {
            for (const p of plans) {
                await apply(clientFor(p.registry), p.request, p.decision);
                const targetImage = `${p.registry}/${p.request.targetRepository}@${p.request.digest}`;
                pins[p.request.service] = targetImage;
                if (p.decision.changes || p.rollbackOf) {
                    entries.push({
                        service: p.request.service,
                        sourceStack,
                        sourceImage: p.sourceImage,
                        sourceTag: p.request.sourceTag,
                        digest: p.request.digest,
                        targetImage,
                        immutableTag: p.decision.immutableTag,
                        promotedAt: new Date().toISOString(),
                        by: process.env.GITHUB_ACTOR ?? os.userInfo().username,
                        gate: { tag: p.decision.gateTag, verified: true },
                        layerScan: { filesWithForeignHosts: 0 },
                        ...(p.rollbackOf ? { rollbackOf: p.rollbackOf } : {}),
                    });
                }
            }
            if (entries.length) appendEntries(ledgerFile, ledger, entries);
            pinImages(stackFile, pins, root);
        }
        const result = {
            action,
            stack,
            written: write,
            services: plans.map((p) => ({ service: p.request.service, from: p.decision.currentDigest ?? null, to: p.decision.digest, changes: p.decision.changes, gateVerified: p.decision.gateVerified, foreignHosts: p.decision.foreignHosts, refusal: p.decision.refusal ?? null, immutableTag: p.decision.immutableTag, rollbackOf: p.rollbackOf ?? null })),
            ledgerEntries: entries.length,
        };
        emit(format === "json" ? JSON.stringify(result, null, 2) : planText(result), undefined);
        return refused.length ? EXIT_FAILED : EXIT_OK;
    } finally {
        for (const c of clients.values()) await c.close();
    }
});

const short = (d: string | null) => (d ? d.slice(0, 19) + "…" : "(none)");

function planText(r: { action: string; stack: string; written: boolean; services: Array<{ service: string; from: string | null; to: string; changes: boolean; gateVerified: boolean; refusal: string | null; immutableTag: string; rollbackOf: number | null }> }): string {
    const lines = [`promote ${r.action} → stack ${r.stack}${r.written ? " (applied)" : r.action === "plan" ? " (preview: nothing written)" : " (refused: nothing written)"}`];
    for (const s of r.services) {
        const verdict = s.refusal ? `REFUSED: ${s.refusal}` : s.changes ? `${r.written ? "moved" : "will move"} (gate verified, layers clean)` : "unchanged";
        lines.push(`  ${s.service.padEnd(8)} ${short(s.from)} → ${short(s.to)}  ${s.rollbackOf ? `[rollback to ledger #${s.rollbackOf}] ` : ""}${verdict}`);
        if (!s.refusal && s.changes) lines.push(`           tags: ${s.immutableTag} (immutable), moving tag`);
    }
    return lines.join("\n");
}

function ledgerText(entries: readonly LedgerEntry[]): string {
    if (!entries.length) return "the ledger is empty: nothing was promoted yet";
    return entries.map((e) => `#${e.id} ${e.promotedAt} ${e.service} ${e.digest} from ${e.sourceImage} by ${e.by}${e.rollbackOf ? ` (rollback to #${e.rollbackOf})` : ""}`).join("\n");
}
