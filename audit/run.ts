/**
 * Runs the endpoint matrix and the environment-separation checks against one environment,
 * concurrently over one undici Agent with a bounded number of connections per origin.
 */
import { Agent } from "undici";
import { hostsIn } from "../config/host-names";
import { EnvironmentIdentity, findOwner } from "../config/identity";
import { probe, ProbeResult } from "./http";
import { Endpoint, Matrix } from "./matrix";
import { AuditTarget } from "./target";
import { checkTargetUrl, metadataSafeLookup } from "./target-url";

export interface AuditOptions {
    /** Connections per origin. Default 16. */
    readonly concurrency: number;
    readonly timeoutMs: number;
    readonly maxBodyBytes: number;
    readonly retries: number;
    /** Hosts or addresses --allow-target lets through the link-local/metadata refusal. */
    readonly allowTargets?: ReadonlySet<string>;
    /** Called as each check finishes (progress line). */
    readonly onProgress?: (done: number, total: number) => void;
}

export const DEFAULT_AUDIT_OPTIONS: AuditOptions = {
    concurrency: 16,
    timeoutMs: 5000,
    maxBodyBytes: 1 << 20,
    retries: 2,
};

export interface EndpointCheck {
    readonly service: string;
    readonly method: string;
    readonly path: string;
    /** The URL actually requested (normalised), so a report can be checked against it. */
    readonly url?: string;
    readonly expected: string;
    readonly got: string;
    readonly timeMs: number;
    readonly verdict: "pass" | "fail";
    readonly reason?: string;
    readonly note?: string;
}

export interface SeparationCheck {
    readonly service: string;
    readonly where: string;
    readonly verdict: "pass" | "fail";
    readonly detail: string;
}

export interface AuditResult {
    readonly environment: string;
    readonly checks: EndpointCheck[];
    readonly separation: SeparationCheck[];
    readonly verdict: "pass" | "fail";
    readonly wallMs: number;
}

export class AuditCannotRun extends Error {}

/** The route under the base URL, normalised as it will be requested. */
function join(base: string, path: string): string {
    return new URL(base.replace(/\/+$/, "") + path).href;
}

function jsonField(body: string, field: string): unknown {
    try {
        return field
            .split(".")
            .reduce((v: any, k) => (v == null ? undefined : v[k]), JSON.parse(body));
    } catch {
        return undefined;
    }
}

function judge(
    service: string,
    e: Endpoint,
    r: ProbeResult,
    expectedImage: string | undefined,
): EndpointCheck {
    const base = {
        service,
        method: e.method,
        path: e.path,
        expected: e.expect.join("/") + (e.location ? ` → ${e.location}` : ""),
        timeMs: Math.round(r.timeMs),
        note: e.note,
    };
    if (r.kind === "timeout")
        return {
            ...base,
            got: "timeout",
            verdict: "fail",
            reason: `no answer within ${Math.round(r.timeMs)} ms`,
        };
    if (r.kind === "connection-error")
        return {
            ...base,
            got: r.code,
            verdict: "fail",
            reason: `connection failed (${r.code}) after ${r.attempts} attempts`,
        };
    if (r.kind === "dns-error")
        throw new AuditCannotRun(
            `cannot resolve ${r.host} (${r.code}): check the target's base URL for ${service}`,
        );
    const location = r.headers["location"];
    const got = `${r.status}${location ? ` → ${location}` : ""}`;
    if (!e.expect.includes(r.status)) {
        return {
            ...base,
            got,
            verdict: "fail",
            reason: r.status === 404 ? "route missing (404)" : `unexpected status ${r.status}`,
        };
    }
    if (e.location && location !== e.location && !(location ?? "").endsWith(e.location)) {
        return {
            ...base,
            got,
            verdict: "fail",
            reason: `redirects to ${location ?? "nowhere"}, expected ${e.location}`,
        };
    }
    if (e.body && "jsonField" in e.body) {
        const want = "equals" in e.body ? e.body.equals : expectedImage;
        const have = jsonField(r.body, e.body.jsonField);
        if (want === undefined)
            return {
                ...base,
                got,
                verdict: "fail",
                reason: `the target names no deployed image to compare ${e.body.jsonField} with`,
            };
        if (have !== want)
            return {
                ...base,
                got,
                verdict: "fail",
                reason: `${e.body.jsonField} is ${JSON.stringify(have)}, expected ${JSON.stringify(want)}`,
            };
    }
    if (e.body && "contains" in e.body && !r.body.includes(e.body.contains)) {
        return {
            ...base,
            got,
            verdict: "fail",
            reason: `body does not contain ${JSON.stringify(e.body.contains)}${r.truncated ? " (in the first bytes read)" : ""}`,
        };
    }
    return { ...base, got, verdict: "pass" };
}

/** Hosts of other environments named in `text`, with the environment they belong to. */
function foreignHosts(
    text: string,
    environment: string,
    others: readonly EnvironmentIdentity[],
): Array<{ host: string; owner: string }> {
    const out: Array<{ host: string; owner: string }> = [];
    for (const host of hostsIn(text)) {
        const clash = findOwner(host, environment, others);
        if (clash) out.push({ host, owner: clash.owner });
    }
    return out;
}

export async function runAudit(
    target: AuditTarget,
    matrices: Record<string, Matrix>,
    others: readonly EnvironmentIdentity[],
    options: AuditOptions = DEFAULT_AUDIT_OPTIONS,
): Promise<AuditResult> {
    const started = performance.now();
    const allowed = options.allowTargets ?? new Set<string>();
    // Every base URL checked before any request; names checked again when they resolve.
    for (const [service, t] of Object.entries(target.services))
        if (t) checkTargetUrl(t.baseUrl, `services.${service}.baseUrl`, allowed);
    const agent = new Agent({
        connections: options.concurrency,
        keepAliveTimeout: 1000,
        connect: { lookup: metadataSafeLookup(allowed) },
    });
    const env = target.environment;
    const probeOpts = (e?: Endpoint) => ({
        method: e?.method ?? "GET",
        timeoutMs: e?.timeoutMs ?? options.timeoutMs,
        maxBodyBytes: options.maxBodyBytes,
        retries: options.retries,
        dispatcher: agent,
    });
    const separation: SeparationCheck[] = [];
    try {
        const jobs: Array<Promise<EndpointCheck>> = [];
        const scans: Array<Promise<void>> = [];
        let done = 0;
        let total = 0;
        for (const [service, t] of Object.entries(target.services)) {
            if (!t) continue;
            const matrix = matrices[service];
            if (!matrix)
                throw new AuditCannotRun(
                    `no endpoint matrix for service ${service} (audit/matrix/${service}.json)`,
                );
            for (const e of matrix.endpoints) {
                total++;
                jobs.push(
                    probe(join(t.baseUrl, e.path), probeOpts(e)).then((r) => {
                        const url = join(t.baseUrl, e.path);
                        options.onProgress?.(++done, total);
                        if (r.kind === "answer") {
                            // No endpoint of one environment may send users to another's hosts.
                            for (const f of foreignHosts(
                                r.headers["location"] ?? "",
                                env,
                                others,
                            )) {
                                separation.push({
                                    service,
                                    where: `${e.method} ${e.path} Location`,
                                    verdict: "fail",
                                    detail: `redirects to ${f.host}, a ${f.owner} host`,
                                });
                            }
                            if ((r.headers["content-type"] ?? "").includes("text/html")) {
                                for (const f of foreignHosts(r.body, env, others))
                                    separation.push({
                                        service,
                                        where: `${e.method} ${e.path} body`,
                                        verdict: "fail",
                                        detail: `links to ${f.host}, a ${f.owner} host`,
                                    });
                            }
                        }
                        return { ...judge(service, e, r, t.expectedImage), url };
                    }),
                );
            }
            for (const page of matrix.scanPages) scans.push(scanPage(service, t.baseUrl, page));
        }

        // Client pages and their same-origin scripts: Next.js inlines NEXT_PUBLIC_* at build time.
        async function scanPage(service: string, baseUrl: string, page: string): Promise<void> {
            const r = await probe(join(baseUrl, page), probeOpts());
            if (r.kind !== "answer") {
                separation.push({
                    service,
                    where: `GET ${page}`,
                    verdict: "fail",
                    detail: `could not be read for the separation scan (${r.kind})`,
                });
                return;
            }
            const sources = [{ where: `GET ${page}`, text: r.body }];
            const scripts = [...r.body.matchAll(/<script[^>]+src="([^"]+)"/g)]
                .map((m) => m[1])
                .filter((s) => s.startsWith("/") && !s.startsWith("//"))
                .slice(0, 20);
            const loaded = await Promise.all(
                scripts.map(async (s) => ({
                    s,
                    r: await probe(join(baseUrl, s), { ...probeOpts(), maxBodyBytes: 5 << 20 }),
                })),
            );
            for (const { s, r: sr } of loaded)
                if (sr.kind === "answer") sources.push({ where: `script ${s}`, text: sr.body });
            let foreign = 0;
            for (const src of sources) {
                for (const f of foreignHosts(src.text, env, others)) {
                    foreign++;
                    separation.push({
                        service,
                        where: src.where,
                        verdict: "fail",
                        detail: `names ${f.host}, a ${f.owner} host: the ${service} calls another environment's backend`,
                    });
                }
            }
            if (foreign === 0)
                separation.push({
                    service,
                    where: `GET ${page} and ${scripts.length} scripts`,
                    verdict: "pass",
                    detail: "names only its own environment's hosts",
                });
        }

        const [checks] = await Promise.all([Promise.all(jobs), Promise.all(scans)]);
        const failed =
            checks.some((c) => c.verdict === "fail") ||
            separation.some((s) => s.verdict === "fail");
        return {
            environment: env,
            checks,
            separation: dedupe(separation),
            verdict: failed ? "fail" : "pass",
            wallMs: Math.round(performance.now() - started),
        };
    } finally {
        await agent.close();
    }
}

function dedupe(s: SeparationCheck[]): SeparationCheck[] {
    const seen = new Set<string>();
    return s.filter((x) => {
        const k = `${x.service}|${x.where}|${x.detail}`;
        if (seen.has(k)) return false;
        seen.add(k);
        return true;
    });
}
