import * as assert from "node:assert/strict";
import { fileEntries, isFileStyle, isReference } from "../../../policies/file-entries";
import { settingNamesCredential } from "../../../lib/credential-heuristics";

describe("settings inside file-style entries (policies/file-entries.ts)", () => {
    it("tells a file from a value: an extension or several lines", () => {
        assert.equal(isFileStyle("application.properties", "a=b"), true);
        assert.equal(isFileStyle("STARTUP", "line one\nline two"), true);
        assert.equal(isFileStyle("DB_PASSWORD", "hunter2"), false);
        assert.equal(isFileStyle("NOTE", "ends with a newline\n"), false);
    });

    it("reads properties, INI sections, dotenv and redis.conf with their lines", () => {
        assert.deepEqual(
            fileEntries(
                "application.properties",
                "# comment\nserver.port=8080\nspring.datasource.password = 's3cret'\n",
            ).map((e) => [e.key, e.leaf, e.value, e.line]),
            [
                ["server.port", "port", "8080", 2],
                ["spring.datasource.password", "password", "s3cret", 3],
            ],
        );
        assert.deepEqual(
            fileEntries("app.ini", "[database]\npassword: x1\n; note\n").map((e) => e.key),
            ["database.password"],
        );
        assert.deepEqual(
            fileEntries(".env", 'export API_TOKEN="abc123"\n').map((e) => [e.key, e.value]),
            [["API_TOKEN", "abc123"]],
        );
        assert.deepEqual(
            fileEntries("redis.conf", "maxmemory 256mb\nrequirepass Zx81kdP0q # set by ops\n").map(
                (e) => [e.key, e.value],
            ),
            [
                ["maxmemory", "256mb"],
                ["requirepass", "Zx81kdP0q"],
            ],
        );
    });

    it("reads nested JSON and YAML by dotted path", () => {
        assert.deepEqual(
            fileEntries(
                "config.json",
                '{"smtp": {"password": "p1", "port": 25}, "hosts": ["a"]}',
            ).map((e) => [e.key, e.leaf, e.value]),
            [
                ["smtp.password", "password", "p1"],
                ["smtp.port", "port", "25"],
                ["hosts[0]", "hosts", "a"],
            ],
        );
        assert.deepEqual(
            fileEntries("settings.yaml", "payments:\n  apiKey: pk_1\n").map((e) => e.key),
            ["payments.apiKey"],
        );
        // Not a document after all: read line by line.
        assert.deepEqual(
            fileEntries("broken.json", "{ not json\npassword=x\n").map((e) => e.key),
            ["password"],
        );
    });

    it("knows a reference, a path, a number or a flag is not a credential", () => {
        for (const v of [
            "${PGPASSWORD}",
            "$PGPASSWORD",
            "%(password)s",
            "{{ .pw }}",
            "/run/secrets/pw",
            "12",
            "true",
            "",
        ])
            assert.equal(isReference(v), true, v);
        for (const v of ["hunter2", "Zx81kdP0q", "pk_live_51H"])
            assert.equal(isReference(v), false, v);
    });

    it("judges a setting by its last segment, not by words about credentials", () => {
        for (const k of [
            "spring.datasource.password",
            "requirepass",
            "masterauth",
            "smtp.password",
            "payments.apiKey",
            "api.key",
            "jwt.secret",
            "database.passwd",
        ])
            assert.equal(settingNamesCredential(k), true, k);
        for (const k of [
            "password.min.length",
            "auth.secretName",
            "auth.passwordFile",
            "cache.key",
            "cache.key.prefix",
            "session.tokenExpirySeconds",
            "auth.tokenUrl",
            "server.port",
        ])
            assert.equal(settingNamesCredential(k), false, k);
    });

    it("reads an entry whose YAML aliases would expand past the budget as lines, without expanding it", () => {
        const names = "abcdefghi";
        const lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]', "password: s3cret-in-bomb"];
        for (let i = 1; i < names.length; i++)
            lines.push(
                `${names[i]}: &${names[i]} [${Array(9)
                    .fill(`*${names[i - 1]}`)
                    .join(",")}]`,
            );
        const entries = fileEntries("config.yaml", lines.join("\n"));
        assert.ok(entries.length <= lines.length, `${entries.length} entries`);
        assert.ok(entries.some((e) => e.key === "password"));
    });
});
