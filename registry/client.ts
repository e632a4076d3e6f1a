/**
 * An OCI distribution client on undici: manifests (HEAD, GET, PUT) with local digest
 * verification, blob existence, cross-repository mount and streaming, with token/Basic auth
 * and bounded retries. Hand-written because no maintained Node client covers verify-after-
 * write promotion; the HTTP, TLS and pooling are undici's.
 */
import { createHash } from "node:crypto";
import { Agent, Dispatcher, request } from "undici";
import { Authenticator, Credentials } from "./auth";
import { codeForStatus, parseRegistryError, RegistryError } from "./errors";
import { MANIFEST_ACCEPT } from "./media-types";
import { readCapped } from "./bounded-read";
import { errorCode } from "../lib/network-errors";
import { backoffMs, DEFAULT_RETRY, RETRYABLE_CODES, retryableStatus, RetryPolicy } from "./retry";

export interface RegistryClientOptions {
    /** host[:port] of the registry, e.g. ghcr.io or 127.0.0.1:5000. */
    readonly registry: string;
    /** "http" only for a loopback test registry. Default "https". */
    readonly scheme?: "http" | "https";
    readonly credentials?: Credentials;
    readonly retry?: RetryPolicy;
    readonly dispatcher?: Dispatcher;
}

export interface ManifestRef {
    readonly digest: string;
    readonly mediaType: string;
    readonly size: number;
}

export interface Manifest extends ManifestRef {
    readonly bytes: Buffer;
}

export function sha256(bytes: Buffer): string {
    return "sha256:" + createHash("sha256").update(bytes).digest("hex");
}

interface Call {
    readonly method: Dispatcher.HttpMethod;
    readonly path: string;
    readonly scopes: readonly string[];
    readonly image: string;
    readonly headers?: Record<string, string>;
    readonly body?: Buffer;
    /** A 200 answer's body is handed back unread (layers: streamed, never buffered). */
    readonly stream?: boolean;
}

interface Answer {
    readonly status: number;
    readonly stream?: AsyncIterable<Buffer>;
    readonly headers: Record<string, string>;
    readonly body: Buffer;
}

export class RegistryClient {
    readonly registry: string;
    private readonly base: string;
    private readonly retry: RetryPolicy;
    private readonly dispatcher: Dispatcher;
    private readonly auth: Authenticator;
    /** Manifests read by digest, verified, by `repository@digest`. */
    private readonly manifests = new Map<string, Manifest>();
    /** HTTP requests sent to the registry (token requests excluded); for benchmarks. */
    requests = 0;

    constructor(opts: RegistryClientOptions) {
        this.registry = opts.registry;
        this.base = `${opts.scheme ?? "https"}://${opts.registry}`;
        this.retry = opts.retry ?? DEFAULT_RETRY;
        this.dispatcher = opts.dispatcher ?? new Agent({ connections: 8 });
        this.auth = new Authenticator(opts.credentials, this.dispatcher, Date.now, this.base);
    }

    get tokenRequests(): number {
        return this.auth.tokenRequests;
    }

    async close(): Promise<void> {
        await this.dispatcher.close();
    }

    /** One logical call: auth on 401, retries on transient failures, bounded in time. */
    private async call(c: Call): Promise<Answer> {
        const deadline = Date.now() + this.retry.totalMs;
        let authRetried = false;
        for (let attempt = 1; ; attempt++) {
            let answer: Answer | undefined;
            let failure: unknown;
            try {
                const authorization = await this.auth.header(c.scopes, c.image);
                this.requests++;
                const res = await request(this.base + c.path, {
                    method: c.method,
                    dispatcher: this.dispatcher,
                    headers: { ...(c.headers ?? {}), ...(authorization ? { authorization } : {}) },
                    body: c.body,
                    headersTimeout: 30_000,
                    bodyTimeout: 30_000,
                });
                const headers: Record<string, string> = {};
                for (const [k, v] of Object.entries(res.headers))
                    if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(", ") : String(v);
                if (c.stream && res.statusCode === 200)
                    return { status: 200, headers, body: Buffer.alloc(0), stream: res.body };
                answer = {
                    status: res.statusCode,
                    headers,
                    body: await readCapped(
                        res.body,
                        c.image,
                        `the answer to ${c.method} ${c.path}`,
                    ),
                };
            } catch (e) {
                if (e instanceof RegistryError) throw e;
                if (!RETRYABLE_CODES.includes(errorCode(e)))
                    throw new RegistryError(
                        "CONNECTION",
                        0,
                        c.image,
                        `${c.method} ${this.base}${c.path} failed: ${(e as Error).message}`,
                    );
                failure = e;
            }
            if (
                answer?.status === 401 &&
                !authRetried &&
                this.auth.onUnauthorized(answer.headers["www-authenticate"], c.scopes)
            ) {
                authRetried = true;
                attempt--;
                continue;
            }
            const transient =
                failure !== undefined || (answer !== undefined && retryableStatus(answer.status));
            if (!transient) return answer!;
            const wait = backoffMs(this.retry, attempt, answer?.headers["retry-after"]);
            if (attempt >= this.retry.attempts || Date.now() + wait > deadline) {
                if (answer) return answer;
                throw new RegistryError(
                    "CONNECTION",
                    0,
                    c.image,
                    `${c.method} ${this.base}${c.path} failed after ${attempt} attempts: ${errorCode(failure) || (failure as Error).message}`,
                );
            }
            await new Promise((r) => setTimeout(r, wait));
        }
    }

    private fail(a: Answer, image: string, what: string): never {
        const parsed = parseRegistryError(a.body.toString("utf8"));
        throw new RegistryError(
            parsed?.code ?? codeForStatus(a.status),
            a.status,
            image,
            `${what}: ${parsed?.message || `HTTP ${a.status}`}`,
        );
    }

    private image(repository: string, reference: string): string {
        return `${this.registry}/${repository}${reference.startsWith("sha256:") ? "@" : ":"}${reference}`;
    }

    /** HEAD a manifest: what a tag or digest points at, or undefined when it does not exist. */
    async headManifest(repository: string, reference: string): Promise<ManifestRef | undefined> {
        const image = this.image(repository, reference);
        const a = await this.call({
            method: "HEAD",
            path: `/v2/${repository}/manifests/${reference}`,
            scopes: [`repository:${repository}:pull`],
            image,
            headers: { accept: MANIFEST_ACCEPT },
        });
        if (a.status === 404) return undefined;
        if (a.status !== 200) this.fail(a, image, "cannot read the manifest");
        const digest = a.headers["docker-content-digest"];
        if (!digest) {
            // Some registries omit the header on HEAD: fall back to the bytes.
            const m = await this.getManifest(repository, reference);
            return { digest: m.digest, mediaType: m.mediaType, size: m.size };
        }
        return {
            digest,
            mediaType: (a.headers["content-type"] ?? "").split(";")[0],
            size: Number(a.headers["content-length"] ?? 0),
        };
    }

    /** GET a manifest's exact bytes; the digest is computed locally and checked. */
    async getManifest(repository: string, reference: string): Promise<Manifest> {
        // By digest a manifest never changes: read once per repository per client (the layer
        // scan and both tag writes of a promotion all need the same bytes).
        const known = reference.startsWith("sha256:")
            ? this.manifests.get(`${repository}@${reference}`)
            : undefined;
        if (known) return known;
        const manifest = await this.fetchManifest(repository, reference);
        if (reference.startsWith("sha256:"))
            this.manifests.set(`${repository}@${reference}`, manifest);
        return manifest;
    }

    private async fetchManifest(repository: string, reference: string): Promise<Manifest> {
        const image = this.image(repository, reference);
        const a = await this.call({
            method: "GET",
            path: `/v2/${repository}/manifests/${reference}`,
            scopes: [`repository:${repository}:pull`],
            image,
            headers: { accept: MANIFEST_ACCEPT },
        });
        if (a.status !== 200) this.fail(a, image, "cannot read the manifest");
        const digest = sha256(a.body);
        const claimed = a.headers["docker-content-digest"];
        if (reference.startsWith("sha256:") && digest !== reference)
            throw new RegistryError(
                "DIGEST_INVALID",
                200,
                image,
                `the registry served bytes whose digest is ${digest}`,
            );
        if (claimed && claimed !== digest)
            throw new RegistryError(
                "DIGEST_INVALID",
                200,
                image,
                `Docker-Content-Digest says ${claimed} but the bytes hash to ${digest}`,
            );
        return {
            bytes: a.body,
            digest,
            mediaType: (a.headers["content-type"] ?? "").split(";")[0],
            size: a.body.length,
        };
    }

    /** PUT the exact bytes under `reference`; returns the digest, checked against the bytes. */
    async putManifest(
        repository: string,
        reference: string,
        m: Pick<Manifest, "bytes" | "mediaType">,
    ): Promise<string> {
        const image = this.image(repository, reference);
        const a = await this.call({
            method: "PUT",
            path: `/v2/${repository}/manifests/${reference}`,
            scopes: [`repository:${repository}:pull,push`],
            image,
            headers: { "content-type": m.mediaType },
            body: m.bytes,
        });
        if (a.status !== 201 && a.status !== 200) this.fail(a, image, "cannot write the manifest");
        const digest = sha256(m.bytes);
        const claimed = a.headers["docker-content-digest"];
        if (claimed && claimed !== digest) {
            // The answer's header disagrees with the bytes sent: ask the registry what the
            // reference now holds (a proxy or cache may have rewritten the header) and fail
            // only if it is not what was written.
            const now = await this.headManifest(repository, reference);
            if (now?.digest !== digest)
                throw new RegistryError(
                    "DIGEST_INVALID",
                    a.status,
                    image,
                    `after the write the registry reports ${claimed} and holds ${now?.digest ?? "nothing"}, not ${digest}`,
                );
        }
        return digest;
    }

    async blobExists(repository: string, digest: string): Promise<boolean> {
        const image = this.image(repository, digest);
        const a = await this.call({
            method: "HEAD",
            path: `/v2/${repository}/blobs/${digest}`,
            scopes: [`repository:${repository}:pull`],
            image,
        });
        if (a.status === 200) return true;
        if (a.status === 404) return false;
        this.fail(a, image, "cannot check the blob");
    }

    /** Cross-repository mount of a blob; false when the registry would need an upload instead. */
    async mountBlob(repository: string, digest: string, from: string): Promise<boolean> {
        const image = this.image(repository, digest);
        const a = await this.call({
            method: "POST",
            path: `/v2/${repository}/blobs/uploads/?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(from)}`,
            scopes: [`repository:${repository}:pull,push`, `repository:${from}:pull`],
            image,
        });
        if (a.status === 201) return true;
        if (a.status === 202) {
            // The registry opened an upload instead: cancel it, we do not upload here.
            const location = a.headers["location"];
            if (location) {
                const path = location.startsWith("http")
                    ? new URL(location).pathname + new URL(location).search
                    : location;
                await this.call({
                    method: "DELETE",
                    path,
                    scopes: [`repository:${repository}:pull,push`],
                    image,
                }).catch(() => undefined);
            }
            return false;
        }
        this.fail(a, image, `cannot mount the blob from ${from}`);
    }

    /**
     * Streams a blob (layers can be large: never buffered whole). Opening it goes through the
     * same auth and bounded retries as every other call; a failure mid-stream is the reader's
     * to retry (promotion/layer-scan re-reads the layer).
     */
    async blobStream(repository: string, digest: string): Promise<AsyncIterable<Buffer>> {
        const image = this.image(repository, digest);
        const a = await this.call({
            method: "GET",
            path: `/v2/${repository}/blobs/${digest}`,
            scopes: [`repository:${repository}:pull`],
            image,
            stream: true,
        });
        if (a.status !== 200 || !a.stream) this.fail(a, image, "cannot read the layer");
        return a.stream as AsyncIterable<Buffer>;
    }
}
