/**
 * npm run db:cutover -- plan|copy|verify (--tenants <ids> | --selector <file>) [flags]
 * Moves PROD's tenants out of a shared database into PROD's own (README, "Data cutover").
 *   source  KEYBUZZ_CUTOVER_SOURCE_URL (read only; never a password on the command line)
 *   target  KEYBUZZ_CUTOVER_TARGET_URL, or --target-stack <name> (its databaseUrl output)
 * Exit: plan 0 (1 when copy would refuse), copy 0, verify 0 equal / 1 any difference;
 * 2 when the command cannot run (bad selector, unreachable server, refused copy).
 */
import { execFileSync } from "node:child_process";
import { Client } from "pg";
import { readCatalog } from "../cutover/catalog";
import {
    Connection,
    connectionFromEnv,
    connectionFromUrl,
    ConnectionError,
} from "../cutover/connection";
import { copyCutover, CopyError } from "../cutover/copy";
import { computeMembership, CROSS_TENANT_RULES } from "../cutover/membership";
import { planCutover, planText } from "../cutover/plan";
import { parseTenantIds, readSelector, SelectorError, TenantChoice } from "../cutover/selector";
import { select, SelectionError } from "../cutover/selection";
import { verifyCutover, verifyText } from "../cutover/verify";
import { CannotRun, emit, EXIT_FAILED, EXIT_OK, main, oneOf, parseFlags } from "../lib/cli";

const USAGE =
    "npm run db:cutover -- plan|copy|verify (--tenants <id,id> | --selector <file>) [--tenant-table tenants] [--whole-table <t,t>] [--cross-tenant refuse|skip|null] [--target-stack <name>] [--batch-rows 50000] [--format text|json] [--out <file>]";

function targetConnection(stack: string | undefined): Connection {
    if (!stack) return connectionFromEnv("KEYBUZZ_CUTOVER_TARGET_URL");
    if (!/^[A-Za-z0-9_.-]{1,100}$/.test(stack))
        throw new CannotRun(
            `--target-stack ${JSON.stringify(stack.slice(0, 100))} is not a stack name`,
        );
    let url: string;
    try {
        url = JSON.parse(
            execFileSync(
                "pulumi",
                ["stack", "output", "--stack", stack, "--show-secrets", "--json", "databaseUrl"],
                { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
            ),
        );
    } catch (e) {
        const why =
            (e as { stderr?: string }).stderr?.trim().split("\n").pop() ?? (e as Error).message;
        throw new CannotRun(
            `cannot read output databaseUrl of stack ${stack}: ${why}; deploy it first (npm run up -- --stack ${stack}) or set KEYBUZZ_CUTOVER_TARGET_URL`,
        );
    }
    return connectionFromUrl(url, `stack ${stack} output databaseUrl`);
}

/** Per statement, on the server and in the client (a server that stalls after login). */
function statementTimeoutMs(): number {
    const raw = process.env.KEYBUZZ_CUTOVER_STATEMENT_TIMEOUT_S;
    const s = raw === undefined ? 600 : Number(raw);
    if (!Number.isInteger(s) || s < 1 || s > 86_400)
        throw new CannotRun(
            `KEYBUZZ_CUTOVER_STATEMENT_TIMEOUT_S must be a whole number of seconds from 1 to 86400, not ${JSON.stringify(String(raw).slice(0, 20))}`,
        );
    return s * 1000;
}

async function connect(conn: Connection, clientTimeout: boolean): Promise<Client> {
    const ms = statementTimeoutMs();
    // The client-side timer too where no COPY stream runs (pg never clears it for one, and
    // the process would wait it out): a server that accepts the login and then stalls.
    const timeouts = clientTimeout
        ? { statement_timeout: ms, query_timeout: ms + 30_000 }
        : { statement_timeout: ms };
    const attempt = async (config: Connection["config"]) => {
        const c = new Client({ ...config, ...timeouts });
        c.on("error", () => undefined); // a dropped connection fails the query in flight
        try {
            await c.connect();
            return c;
        } catch (e) {
            await c.end().catch(() => undefined);
            throw e;
        }
    };
    try {
        try {
            return await attempt(conn.config);
        } catch (e) {
            // prefer/allow: a server without TLS gets the plain connection, as libpq does.
            if (conn.withoutTls && /does not support SSL/i.test((e as Error).message))
                return await attempt(conn.withoutTls);
            throw e;
        }
    } catch (e) {
        throw new CannotRun(
            `cannot connect to ${conn.label} (${conn.source}): ${(e as Error).message} (sslmode=${conn.sslmode})`,
        );
    }
}

/** The same server and database answering both URLs: a copy would write into its own source. */
async function sameDatabase(a: Client, b: Client): Promise<boolean> {
    const q = `SELECT current_database() || ' ' || COALESCE(inet_server_addr()::text, 'socket') || ' ' || COALESCE(inet_server_port(), 0) || ' ' || pg_postmaster_start_time()::text AS id`;
    const [x, y] = await Promise.all([a.query(q), b.query(q)]);
    return x.rows[0].id === y.rows[0].id;
}

main(
    "db:cutover",
    async () => {
        const { values, positionals } = parseFlags(
            process.argv.slice(2),
            {
                tenants: { type: "string" },
                selector: { type: "string" },
                "tenant-table": { type: "string" },
                "whole-table": { type: "string" },
                "cross-tenant": { type: "string" },
                "target-stack": { type: "string" },
                "batch-rows": { type: "string" },
                format: { type: "string" },
                out: { type: "string" },
            },
            USAGE,
        );
        const sub = oneOf(
            "subcommand",
            positionals[0],
            ["plan", "copy", "verify"] as const,
            "plan",
        );
        if (!positionals[0]) throw new CannotRun(`name a subcommand\nusage: ${USAGE}`);
        const format = oneOf("format", values.format, ["text", "json"] as const, "text");
        // Rows that reach a moving tenant but point at one that stays: refused until declared.
        const crossTenant = oneOf(
            "cross-tenant",
            values["cross-tenant"],
            CROSS_TENANT_RULES,
            "refuse",
        );
        if (!!values.tenants === !!values.selector)
            throw new CannotRun(
                `give exactly one of --tenants <ids> or --selector <file>\nusage: ${USAGE}`,
            );
        // Rows stream through COPY, so memory does not grow with the batch; a batch is the work an
        // interruption can lose, and each one re-evaluates the tenant selection (bench/cutover).
        const batchRows =
            values["batch-rows"] === undefined ? 50_000 : Number(values["batch-rows"]);
        if (!Number.isInteger(batchRows) || batchRows < 1 || batchRows > 1_000_000)
            throw new CannotRun(
                `--batch-rows must be a whole number from 1 to 1000000, not ${JSON.stringify(values["batch-rows"]).slice(0, 40)}`,
            );
        let choice: TenantChoice;
        try {
            if (values.selector) {
                const selector = readSelector(values.selector);
                choice = {
                    tenantTable: values["tenant-table"] ?? selector.tenantTable,
                    selector,
                    file: values.selector,
                };
            } else {
                choice = {
                    tenantTable: values["tenant-table"] ?? "tenants",
                    ids: parseTenantIds(values.tenants!),
                };
            }
        } catch (e) {
            if (e instanceof SelectorError) throw new CannotRun(e.message);
            throw e;
        }
        let sourceConn: Connection;
        let targetConn: Connection | undefined;
        try {
            sourceConn = connectionFromEnv("KEYBUZZ_CUTOVER_SOURCE_URL");
            if (sub !== "plan") targetConn = targetConnection(values["target-stack"]);
        } catch (e) {
            if (e instanceof ConnectionError) throw new CannotRun(e.message);
            throw e;
        }
        const source = await connect(sourceConn, sub !== "copy");
        let target: Client | undefined;
        try {
            target = targetConn ? await connect(targetConn, sub !== "copy") : undefined;
            if (target && (await sameDatabase(source, target)))
                throw new CannotRun(
                    `the target ${targetConn!.label} is the source database itself (same server and database); point KEYBUZZ_CUTOVER_TARGET_URL or --target-stack at PROD's own database`,
                );
            // One consistent snapshot, and a transaction the server itself keeps from writing.
            await source.query("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY");
            const catalog = await readCatalog(source);
            let sel;
            try {
                sel = select(
                    catalog,
                    choice,
                    (values["whole-table"] ?? "")
                        .split(",")
                        .map((s) => s.trim())
                        .filter(Boolean),
                    (s) => source.escapeLiteral(s),
                );
            } catch (e) {
                if (e instanceof SelectionError) throw new CannotRun(e.message);
                throw e;
            }
            const membership = await computeMembership(source, sel, crossTenant);
            if (sub === "plan") {
                const plan = await planCutover(source, sel, membership);
                emit(
                    format === "json"
                        ? JSON.stringify(
                              { schemaVersion: 1, source: sourceConn.label, ...plan },
                              null,
                              2,
                          )
                        : planText(plan),
                    values.out,
                );
                return plan.blockers.length ? EXIT_FAILED : EXIT_OK;
            }
            if (sub === "copy") {
                const tty = process.stderr.isTTY;
                let lastLine = 0;
                const result = await copyCutover(
                    source,
                    target!,
                    { source: sourceConn, target: targetConn! },
                    sel,
                    membership,
                    {
                        batchRows,
                        progress: ({ table, copied, total, done }) => {
                            if (tty) {
                                process.stderr.write(
                                    `\r\x1b[Kcopy: ${table} ${copied}/${total} rows${done ? "\n" : ""}`,
                                );
                            } else if (done || Date.now() - lastLine > 5000) {
                                lastLine = Date.now();
                                process.stderr.write(
                                    `copy: ${table} ${copied}/${total} rows${done ? " (done)" : ""}\n`,
                                );
                            }
                        },
                    },
                ).catch((e) => {
                    if (e instanceof CopyError) throw new CannotRun(e.message);
                    throw e;
                });
                const summary = {
                    schemaVersion: 1,
                    source: sourceConn.label,
                    target: targetConn!.label,
                    ...result,
                    rowsPerSecond:
                        result.seconds > 0 ? Math.round(result.rows / result.seconds) : result.rows,
                };
                emit(
                    format === "json"
                        ? JSON.stringify(summary, null, 2)
                        : `copied ${result.rows} row(s) in ${result.seconds.toFixed(1)}s into ${targetConn!.label}${result.schemaCreated ? " (schema created)" : ""}\n` +
                              result.tables
                                  .map(
                                      (t) =>
                                          `  ${t.table}: ${t.copied}${t.resumedAfter ? ` (resumed after key ${t.resumedAfter})` : ""}`,
                                  )
                                  .join("\n") +
                              result.deferredSet
                                  .map(
                                      (d) =>
                                          `\n  ${d.table}: ${d.columns.join(", ")} set after the copy on ${d.rows} row(s) (cycle)`,
                                  )
                                  .join("") +
                              (result.crossTenant.skipped || result.crossTenant.nulled
                                  ? `\n  cross-tenant rows: ${result.crossTenant.skipped} left in the source, ${result.crossTenant.nulled} moved with a reference set to NULL (plan lists them)`
                                  : "") +
                              "\nnext: npm run db:cutover -- verify with the same flags",
                    values.out,
                );
                return EXIT_OK;
            }
            const checks = await verifyCutover(source, target!, sel, membership);
            emit(
                format === "json"
                    ? JSON.stringify(
                          {
                              schemaVersion: 1,
                              source: sourceConn.label,
                              target: targetConn!.label,
                              equal: checks.every((c) => c.equal),
                              tables: checks,
                          },
                          null,
                          2,
                      )
                    : verifyText(checks),
                values.out,
            );
            return checks.every((c) => c.equal) ? EXIT_OK : EXIT_FAILED;
        } finally {
            await source.query("ROLLBACK").catch(() => undefined);
            await source.end().catch(() => undefined);
            await target?.end().catch(() => undefined);
        }
    },
    { timeoutS: 6 * 3600, deadlineNote: "batches already committed stay; re-run copy to continue" },
);
