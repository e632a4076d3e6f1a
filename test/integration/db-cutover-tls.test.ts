import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Client } from "pg";
import { selfSignedCertificate } from "../support/certificates";
import { PrivatePostgres, startPrivatePostgres } from "../support/private-postgres";
import { npmRunAsync } from "../support/run";

const PASSWORD = "tls-superuser-pw-93ad";

/** A self-signed certificate for 127.0.0.1 (its own root). */
const selfSigned = (dir: string, name: string) =>
    selfSignedCertificate(dir, name, { subjectAltName: "IP:127.0.0.1", days: 2 });

describe("db:cutover honours every libpq sslmode as psql does (a TLS server with an untrusted certificate, and one without TLS)", function () {
    this.timeout(300_000);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "keybuzz-tls-"));
    let tls: PrivatePostgres;
    let plain: PrivatePostgres;
    let serverCert: string;
    let otherRoot: string;
    before(async () => {
        const server = selfSigned(tmp, "server");
        serverCert = server.certFile;
        otherRoot = selfSigned(tmp, "other-root").certFile;
        tls = await startPrivatePostgres(PASSWORD, { tls: server });
        plain = await startPrivatePostgres(PASSWORD);
        for (const pg of [tls, plain]) {
            const c = new Client({
                connectionString: pg.url("postgres", PASSWORD, "postgres"),
                ssl: pg === tls ? { rejectUnauthorized: false } : false,
            });
            await c.connect();
            await c.query("CREATE DATABASE src");
            await c.end();
            const d = new Client({
                connectionString: pg.url("postgres", PASSWORD, "src"),
                ssl: pg === tls ? { rejectUnauthorized: false } : false,
            });
            await d.connect();
            await d.query(
                "CREATE TABLE tenants (id int PRIMARY KEY, is_test boolean); INSERT INTO tenants VALUES (1, false)",
            );
            await d.end();
        }
    });
    after(() => {
        tls?.stop();
        plain?.stop();
        fs.rmSync(tmp, { recursive: true, force: true });
    });

    const cases: [string, string, string][] = [
        ["tls", "disable", ""],
        ["tls", "prefer", ""],
        ["tls", "require", ""],
        ["tls", "verify-ca", "other"],
        ["tls", "verify-ca", "server"],
        ["tls", "verify-full", "other"],
        ["tls", "verify-full", "server"],
        ["plain", "disable", ""],
        ["plain", "prefer", ""],
        ["plain", "require", ""],
        ["plain", "verify-full", "server"],
    ];
    for (const [server, mode, root] of cases)
        it(`${server} server, sslmode=${mode}${root ? ` with the ${root} root` : ""}: the same outcome as psql, no password printed`, async () => {
            const pg = server === "tls" ? tls : plain;
            const rootFile = root === "server" ? serverCert : root === "other" ? otherRoot : "";
            const url = `${pg.url("postgres", PASSWORD, "src")}?sslmode=${mode}${rootFile ? `&sslrootcert=${encodeURIComponent(rootFile)}` : ""}`;
            const psql = spawnSync("psql", ["--no-psqlrc", "-Atc", "SHOW ssl", url], {
                encoding: "utf8",
                env: { ...process.env, PGCONNECT_TIMEOUT: "10" },
            });
            const ours = await npmRunAsync("db:cutover", ["plan", "--tenants", "1"], {
                KEYBUZZ_CUTOVER_SOURCE_URL: url,
            });
            assert.ok(!ours.stdout.includes(PASSWORD) && !ours.stderr.includes(PASSWORD));
            const psqlConnected = psql.status === 0;
            assert.equal(
                ours.code === 0,
                psqlConnected,
                `psql ${psqlConnected ? "connected" : `refused: ${psql.stderr.trim()}`}; ours exit ${ours.code}: ${ours.stderr.trim()}`,
            );
            if (!psqlConnected) {
                assert.equal(ours.code, 2);
                assert.match(ours.stderr, new RegExp(`sslmode=${mode}`));
            }
            // What the server saw, from its own connection log (log_connections): TLS used
            // whenever it was asked for and possible, never when disabled.
            if (psqlConnected && server === "tls") {
                const seen = fs
                    .readFileSync(path.join(pg.dir, "server.log"), "utf8")
                    .split("\n")
                    .filter((l) =>
                        /connection authorized: .*application_name=keybuzz-db-cutover/.test(l),
                    )
                    .pop();
                assert.ok(seen, "the server logged no connection of db:cutover");
                assert.equal(/SSL enabled/.test(seen!), mode !== "disable", seen);
            }
        });
});
