/**
 * npm run policy:check -- --stack <name> | --file <stack file>        (the program under mocks)
 * npm run policy:check -- --manifests <file|dir> --env <name>         (plain Kubernetes YAML)
 *   [--compare <env>=<file|dir>]…  other environments' live manifests, for their identities
 *   [--fingerprints <env>=<file>]… other environments' credentialFingerprints outputs (JSON)
 *   [--promoted <file>]            promoted digests (JSON array, or a promotion ledger)
 *   [--format text|json|md|sarif|junit] [--out <file>]
 *   [--emit-pack-config <file>]    also write the same evidence as CrossGuard policy config
 * Exit 0 no mandatory violation, 1 a mandatory violation, 2 could not run (invalid config too).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { FINGERPRINT_ANNOTATION } from "../lib/fingerprint-annotation";
import { findEnvironment } from "../config/environments";
import { EnvironmentIdentity } from "../config/identity";
import { passphraseFromEnv, prederiveKeys } from "../config/passphrase";
import { otherIdentities, StackFileError, stackFilePath } from "../config/stack-file";
import { ConfigError } from "../config/validate";
import {
    CannotRun,
    emit,
    EXIT_FAILED,
    EXIT_OK,
    main,
    oneOf,
    parseFlags,
    readInput,
} from "../lib/cli";
import { evaluate, ViolationReport } from "../policies/evaluate";
import { ResourceView } from "../policies/model";
import { crossGuardConfig, packConfig } from "../policies/pack-config";
import { FORMATS, render } from "../policies/render";
import { isDigest } from "../image/reference";
import { credentialIndex } from "../policies/sources/credential-values";
import { identityFromManifests, ManifestError, readManifests } from "../policies/sources/manifests";
import { jsonErrorWithoutContent } from "../lib/input-file";

const USAGE =
    "npm run policy:check -- (--stack <name> | --file <path> | --manifests <file|dir> --env <name>) [--compare env=path]… [--fingerprints env=file]… [--promoted file] [--format text|json|md|sarif|junit] [--out file]";

function pairs(flag: string, values: string[] | undefined): Array<[string, string]> {
    return (values ?? []).map((v) => {
        const i = v.indexOf("=");
        if (i <= 0) throw new CannotRun(`--${flag} ${v}: expected <env>=<path>`);
        return [v.slice(0, i), v.slice(i + 1)];
    });
}

function readJson(file: string, what: string): unknown {
    const text = readInput(file, what);
    try {
        return JSON.parse(text);
    } catch (e) {
        throw new CannotRun(`cannot read ${what} ${file}: ${jsonErrorWithoutContent(e)}`);
    }
}

/** Promoted digests from a JSON array or a promotion ledger ({ entries: [{ digest }] }). */
function promotedDigests(file: string | undefined): string[] | undefined {
    if (!file) return undefined;
    const data = readJson(file, "promotion record") as any;
    const list = Array.isArray(data)
        ? data
        : Array.isArray(data?.entries)
          ? data.entries.map((e: any) => e?.digest)
          : undefined;
    if (!list || !list.every((d: unknown) => isDigest(d)))
        throw new CannotRun(
            `${file}: expected a JSON array of sha256:<64 hex> digests or a ledger with entries[].digest`,
        );
    return list;
}

/** Runs a read of the checked input; what makes it unreadable or invalid is exit 2 with its message. */
function readOrCannotRun<T>(read: () => T): T {
    const refuse = (e: unknown): never => {
        if (e instanceof ConfigError)
            throw new CannotRun(
                `the stack config is invalid, so the pack cannot run:\n${e.message}`,
            );
        if (e instanceof StackFileError || e instanceof ManifestError)
            throw new CannotRun(e.message);
        throw e;
    };
    try {
        const out = read();
        return out instanceof Promise ? (out.catch(refuse) as T) : out;
    } catch (e) {
        return refuse(e);
    }
}

main("policy:check", async () => {
    const { values } = parseFlags(
        process.argv.slice(2),
        {
            stack: { type: "string" },
            file: { type: "string" },
            manifests: { type: "string" },
            env: { type: "string" },
            compare: { type: "string", multiple: true },
            fingerprints: { type: "string", multiple: true },
            promoted: { type: "string" },
            format: { type: "string" },
            out: { type: "string" },
            "emit-pack-config": { type: "string" },
        },
        USAGE,
    );
    const format = oneOf("format", values.format, FORMATS, "text");
    const root = process.env.KEYBUZZ_ROOT ?? process.cwd();
    const pass = passphraseFromEnv();

    let environment: string;
    let ownFile: string | undefined;
    if (values.manifests) {
        if (!values.env)
            throw new CannotRun(
                `--manifests needs --env <name> (the environment the manifests are from)\nusage: ${USAGE}`,
            );
        if (!findEnvironment(values.env))
            throw new CannotRun(
                `--env ${values.env} is not a declared environment (config/environments.ts)`,
            );
        environment = values.env;
    } else if (values.stack || values.file) {
        ownFile = values.file ? path.resolve(values.file) : stackFilePath(root, values.stack!);
        environment =
            values.stack ?? /Pulumi\.([^.]+)\.yaml$/.exec(path.basename(ownFile))?.[1] ?? "";
        if (!environment)
            throw new CannotRun(`cannot tell the stack from ${ownFile}; pass --stack`);
    } else {
        throw new CannotRun(`give --stack, --file or --manifests\nusage: ${USAGE}`);
    }

    // Other environments: their stack files (identity and, when decryptable, fingerprints).
    const others: EnvironmentIdentity[] = otherIdentities(root, environment).filter(
        (o) => !ownFile || path.resolve(root, o.source) !== ownFile,
    );
    const otherFingerprints: Record<string, Record<string, string>> = {};
    // --manifests with --compare: the other environments' credential values, by run-keyed hash.
    const otherCredentialValues: Record<string, Record<string, string>> = {};
    for (const [env, target] of pairs("compare", values.compare)) {
        const theirs = readManifests(target, env);
        others.push(identityFromManifests(theirs, env, target));
        if (values.manifests)
            otherCredentialValues[env] = Object.fromEntries(credentialIndex(theirs));
    }
    // Manifests are read first: the other stacks' fingerprints are compared with the
    // fingerprint annotations this program puts on its Secrets, so when no manifest carries
    // one there is nothing to compare them with, and the stacks are not run at all.
    const manifestResources = values.manifests
        ? readOrCannotRun(() => readManifests(values.manifests!, environment))
        : undefined;
    const compareFingerprints =
        !manifestResources ||
        manifestResources.some(
            (r) => r.props?.metadata?.annotations?.[FINGERPRINT_ANNOTATION] !== undefined,
        );
    // The stacks run under mocks below: their keys are derived side by side on the thread
    // pool while the Pulumi SDK loads (the program's modules are required only now).
    const stackFiles = others
        .map((id) => stackFilePath(root, id.environment))
        .filter(
            (f, i) =>
                compareFingerprints &&
                fs.existsSync(f) &&
                !findEnvironment(others[i].environment)?.throwAway,
        );
    const runsStacks = ownFile !== undefined || stackFiles.length > 0;
    const keys = prederiveKeys(ownFile ? [ownFile, ...stackFiles] : stackFiles, pass);
    // Required here, not imported at the top: loading the SDK overlaps the key derivation,
    // and a check of plain manifests that runs no stack never loads it.
    const { stackResources } = runsStacks
        ? (require("../policies/sources/stack") as typeof import("../policies/sources/stack"))
        : { stackResources: undefined };
    await keys;
    for (const id of others) {
        const file = stackFilePath(root, id.environment);
        if (!stackFiles.includes(file)) continue;
        try {
            const rest = others.filter((o) => o.environment !== id.environment);
            otherFingerprints[id.environment] = (
                await stackResources!(file, id.environment, rest, pass)
            ).fingerprints;
        } catch {
            // Undecryptable or invalid: that environment's fingerprints stay "not verified".
        }
    }
    for (const [env, file] of pairs("fingerprints", values.fingerprints)) {
        const data = readJson(file, "fingerprints") as Record<string, unknown>;
        const fps = (data.credentialFingerprints ?? data) as Record<string, string>;
        otherFingerprints[env] = { ...(otherFingerprints[env] ?? {}), ...fps };
    }

    let resources: ResourceView[];
    let target: ViolationReport["target"];
    if (manifestResources) {
        resources = manifestResources;
        target = { kind: "manifests", name: values.manifests!, environment };
    } else {
        const own = await readOrCannotRun(() =>
            stackResources!(ownFile!, environment, others, pass),
        );
        resources = own.resources;
        target = { kind: "stack", name: environment, environment: own.config.environment };
    }
    const config = {
        ...packConfig(
            root,
            environment,
            others,
            otherFingerprints,
            promotedDigests(values.promoted),
        ),
        ...(Object.keys(otherCredentialValues).length ? { otherCredentialValues } : {}),
        // No fingerprint annotation in the manifests: no environment's fingerprints are missing.
        ...(compareFingerprints ? {} : { fingerprintEnvironments: [] }),
    };
    if (values["emit-pack-config"]) {
        // The same evidence as CrossGuard policy config, for `pulumi preview --policy-pack policies --policy-pack-config <file>`.
        fs.writeFileSync(
            values["emit-pack-config"],
            JSON.stringify(crossGuardConfig(config), null, 2) + "\n",
        );
        process.stderr.write(
            `policy:check: wrote the pack's config for environment ${environment} to ${values["emit-pack-config"]}\n`,
        );
    }
    const report = evaluate(resources, config, target);
    emit(render(report, format), values.out);
    if (values.out)
        process.stderr.write(
            `policy:check: ${report.summary.verdict} (${report.summary.mandatory} mandatory, ${report.summary.advisory} advisory, ${report.summary.notVerified} not verified) → ${values.out}\n`,
        );
    return report.summary.verdict === "fail" ? EXIT_FAILED : EXIT_OK;
});
