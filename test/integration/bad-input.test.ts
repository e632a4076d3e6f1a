/**
 * Every command, fed bad input as a careless user or a mis-written pipeline would: exit 2,
 * exactly one line on stderr naming what is wrong (the usage on that same line), no stack
 * trace, nothing on stdout.
 */
import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { npmRunAsync } from "../support/run";

/** Special files and hostile contents the attack cases point commands at. */
const FIXTURES = fs.mkdtempSync(path.join(os.tmpdir(), "keybuzz-bad-input-"));
const FIFO = path.join(FIXTURES, "fifo");
execFileSync("mkfifo", [FIFO]);
/** A value that must never be printed: the start of a file an error is about. */
const SECRET = "hunter2-do-not-print-9f31";
const SECRET_FILE = path.join(FIXTURES, "secret.txt");
fs.writeFileSync(SECRET_FILE, `${SECRET}: [unclosed\n  : : bad`);
const EMPTY = path.join(FIXTURES, "empty.yaml");
fs.writeFileSync(EMPTY, "");
const LINK = path.join(FIXTURES, "stack-link.yaml");
fs.symlinkSync(SECRET_FILE, LINK);
// 579 bytes that expand to 9^9 values (the "billion laughs" of YAML).
const BOMB = path.join(FIXTURES, "bomb.yaml");
{
    const lines = [
        "apiVersion: v1",
        "kind: ConfigMap",
        "metadata: {name: bomb, namespace: keybuzz-prod}",
        "data:",
        '  a: &a ["x","x","x","x","x","x","x","x","x"]',
    ];
    const names = "abcdefghi";
    for (let i = 1; i < names.length; i++)
        lines.push(
            `  ${names[i]}: &${names[i]} [${Array(9)
                .fill(`*${names[i - 1]}`)
                .join(",")}]`,
        );
    fs.writeFileSync(BOMB, lines.join("\n") + "\n");
}
/** Audit targets aimed at the cloud metadata service, in the spellings people (and attackers) use. */
const METADATA_TARGETS = [
    "http://169.254.169.254/latest",
    "http://0xa9fea9fe/",
    "http://2852039166/",
    "http://0251.0376.0251.0376/",
    "http://[::ffff:169.254.169.254]/",
    "http://[fe80::1]/",
    "http://metadata.google.internal/computeMetadata",
    "http://user@169.254.169.254/",
    "http://api.keybuzz.local/#",
    "http://api.keybuzz.local/?x=1",
    "file:///etc/passwd",
].map((baseUrl, i) => {
    const file = path.join(FIXTURES, `target-${i}.json`);
    fs.writeFileSync(file, JSON.stringify({ environment: "prod", services: { api: { baseUrl } } }));
    return { baseUrl, file };
});
after(() => fs.rmSync(FIXTURES, { recursive: true, force: true }));

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
        says: /cannot read stack file \/dev\/null: it is a device, not a regular file/,
    },
    {
        command: "check:config",
        args: ["--file", EMPTY],
        says: /stack file .*empty\.yaml is empty: nothing to decrypt or check/,
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
        says: /cannot read --in \/dev\/zero: it is a device, not a regular file/,
    },
    {
        command: "check:config",
        args: ["--file", "/dev/zero"],
        says: /cannot read stack file \/dev\/zero: it is a device, not a regular file/,
    },
    {
        command: "check:config",
        args: ["--file", FIFO],
        says: /cannot read stack file .*fifo: it is a FIFO \(named pipe\), not a regular file/,
    },
    {
        command: "check:config",
        args: ["--file", LINK],
        says: /stack file .*stack-link\.yaml is not valid YAML: .* at line \d+ column \d+$/,
    },
    {
        command: "audit",
        args: ["--target", "/dev/zero"],
        says: /cannot read target file \/dev\/zero: it is a device, not a regular file/,
    },
    {
        command: "audit",
        args: ["--target", FIFO],
        says: /cannot read target file .*fifo: it is a FIFO/,
    },
    {
        command: "db:cutover",
        args: ["plan", "--selector", "/dev/zero"],
        says: /cannot read the selector file \/dev\/zero: it is a device, not a regular file/,
    },
    {
        command: "db:cutover",
        args: ["plan", "--selector", FIFO],
        says: /cannot read the selector file .*fifo: it is a FIFO/,
    },
    {
        command: "db:cutover",
        args: ["plan", "--selector", SECRET_FILE],
        says: /the selector file .*secret\.txt is not JSON: not valid JSON/,
    },
    {
        command: "policy:check",
        args: ["--stack", "prod", "--promoted", SECRET_FILE],
        says: /cannot read promotion record .*secret\.txt: not valid JSON/,
    },
    {
        command: "policy:check",
        args: ["--manifests", BOMB, "--env", "prod"],
        says: /bomb\.yaml:1: its YAML aliases expand to more than 20,000,000 values \(an alias bomb\?\); refused/,
    },
    {
        command: "promote",
        args: ["plan", "--stack", "prod", "--source", SECRET_FILE],
        says: /cannot read --source .*secret\.txt: not valid JSON/,
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
        says: /cannot read --source \/dev\/zero: it is a device, not a regular file/,
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
    ...METADATA_TARGETS.map(({ baseUrl, file }) => ({
        command: "audit",
        args: ["--target", file],
        says: /^file:/.test(baseUrl)
            ? /must be an http\(s\) URL|only http\(s\) targets/
            : /@/.test(baseUrl)
              ? /user info .* is refused/
              : /[#?]/.test(baseUrl)
                ? /query or fragment \(\? or #\) is refused/
                : /is a link-local or cloud metadata address; refused \(pass --allow-target/,
    })),
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
            assert.ok(
                !r.stderr.includes(SECRET),
                "an error quoted the content of the file it is about",
            );
        });
    }
});
