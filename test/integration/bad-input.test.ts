/**
 * Every command, fed bad input as a careless user or a mis-written pipeline would: exit 2,
 * exactly one line on stderr naming what is wrong (the usage on that same line), no stack
 * trace, nothing on stdout.
 */
import * as assert from "node:assert/strict";
import { npmRunAsync } from "../support/run";

const CASES: ReadonlyArray<{ command: string; args: string[]; says: RegExp }> = [
    {
        command: "check:config",
        args: [],
        says: /give --stack <name> or --file <path> — usage: npm run check:config/,
    },
    {
        command: "check:config",
        args: ["--stack", "prod", "--format", "xml"],
        says: /--format xml is not supported; use one of text, json/,
    },
    {
        command: "check:config",
        args: ["--file", "/nonexistent.yaml"],
        says: /cannot read stack file \/nonexistent\.yaml/,
    },
    {
        command: "check:config",
        args: ["--stack", "a b"],
        says: /--stack "a b" is not a stack name/,
    },
    { command: "check:config", args: ["--bogus"], says: /Unknown option '--bogus'.* — usage: / },
    {
        command: "check:config",
        args: ["--file", "/dev/null"],
        says: /stack file \/dev\/null is empty: nothing to decrypt or check/,
    },
    {
        command: "policy:check",
        args: ["--stack", "prod", "--format", "pdf"],
        says: /--format pdf is not supported/,
    },
    {
        command: "policy:check",
        args: ["--manifests", "/nonexistent", "--env", "prod"],
        says: /cannot read \/nonexistent: no such file or directory/,
    },
    {
        command: "policy:check",
        args: ["--manifests", "/tmp", "--env", "nope"],
        says: /--env nope is not a declared environment/,
    },
    {
        command: "policy:check",
        args: ["--stack", "nope"],
        says: /cannot read stack file .*Pulumi\.nope\.yaml/,
    },
    {
        command: "report",
        args: ["--in", "/nonexistent.json"],
        says: /cannot read --in \/nonexistent\.json: no such file/,
    },
    {
        command: "report",
        args: ["--in", "/dev/zero"],
        says: /cannot read --in \/dev\/zero: it is larger than 256 MiB/,
    },
    {
        command: "report",
        args: ["--in", "package.json"],
        says: /package\.json is not a keybuzz-policy report v1/,
    },
    { command: "audit", args: [], says: /give --target <file> or --stack <name> — usage: / },
    {
        command: "audit",
        args: ["--target", "/nonexistent.json"],
        says: /cannot read target file \/nonexistent\.json/,
    },
    {
        command: "audit",
        args: ["--target", "package.json"],
        says: /invalid target file package\.json: environment/,
    },
    {
        command: "promote",
        args: [],
        says: /name an action: plan, apply, ledger or rollback — usage: /,
    },
    {
        command: "promote",
        args: ["launch", "--stack", "prod"],
        says: /launch is not supported; use one of plan, apply, ledger, rollback/,
    },
    { command: "promote", args: ["plan"], says: /--stack <target stack> is required — usage: / },
    {
        command: "promote",
        args: ["plan", "--stack", "prod", "--service", "db"],
        says: /--service db is not one of api, client, website/,
    },
    {
        command: "promote",
        args: ["plan", "--stack", "prod", "--source", "/nonexistent.json"],
        says: /^promote: cannot read --source \/nonexistent\.json: no such file$/,
    },
    {
        command: "promote",
        args: ["plan", "--stack", "prod", "--source", "package.json"],
        says: /--source package\.json names no image for api/,
    },
    {
        command: "promote",
        args: ["plan", "--stack", "prod", "--source", "/dev/zero"],
        says: /cannot read --source \/dev\/zero: it is larger than/,
    },
    {
        command: "promote",
        args: ["rollback", "--stack", "prod", "--to", "99", "--service", "api"],
        says: /no ledger entry "99" for api in ledger\/prod\.json/,
    },
    {
        command: "promote",
        args: ["ledger", "--stack", "../x"],
        says: /--stack "\.\.\/x" is not a stack name/,
    },
    { command: "db:cutover", args: [], says: /name a subcommand — usage: / },
    {
        command: "db:cutover",
        args: ["plan", "--tenants"],
        says: /Option '--tenants <value>' argument missing/,
    },
    { command: "cluster:status", args: ["--bogus"], says: /Unknown option '--bogus'/ },
];

describe("bad input to every command: exit 2, one line naming it, nothing else", function () {
    this.timeout(120_000);
    for (const c of CASES) {
        it(`npm run ${c.command} -- ${c.args.join(" ")}`, async () => {
            const r = await npmRunAsync(c.command, c.args, {
                KEYBUZZ_REGISTRY_USERNAME: "u",
                KEYBUZZ_REGISTRY_PASSWORD: "p",
            });
            assert.equal(r.code, 2, r.stdout + r.stderr);
            // The first command after a source change says it compiled; that line is not the command's.
            const lines = r.stderr
                .trimEnd()
                .split("\n")
                .filter((l) => !/^build: compiled \d+ files/.test(l));
            assert.equal(lines.length, 1, r.stderr);
            assert.match(lines[0], c.says);
            assert.ok(!/\n\s+at /.test(r.stderr), "a stack trace");
            assert.equal(r.stdout, "");
        });
    }
});
