/**
 * Registry authentication per the distribution token spec: a 401 with
 * `WWW-Authenticate: Bearer realm=…,service=…,scope=…` → a token from the realm (Basic
 * credentials when we have them) → the request again with `Authorization: Bearer`. Tokens are
 * cached per scope until shortly before they expire. `WWW-Authenticate: Basic` → Basic auth.
 */
import { readCapped } from "./bounded-read";
import { Dispatcher, request } from "undici";
import { RegistryError } from "./errors";

export interface Credentials {
    readonly username: string;
    readonly password: string;
}

export interface Challenge {
    readonly scheme: "basic" | "bearer";
    readonly params: Record<string, string>;
}

/** Parses one WWW-Authenticate challenge (registries send one). */
export function parseChallenge(header: string | undefined): Challenge | undefined {
    if (!header) return undefined;
    const m = /^\s*(Basic|Bearer)\b\s*(.*)$/i.exec(header);
    if (!m) return undefined;
    const params: Record<string, string> = {};
    for (const p of m[2].matchAll(/([a-zA-Z_]+)=(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g))
        params[p[1].toLowerCase()] = p[2] ?? p[3] ?? "";
    return { scheme: m[1].toLowerCase() as Challenge["scheme"], params };
}

function isLoopback(host: string): boolean {
    return host === "localhost" || host === "[::1]" || /^127\./.test(host);
}

interface CachedToken {
    readonly token: string;
    readonly expiresAt: number;
}

/**
 * The token realm is the registry's own host, or a host of the same parent domain (Docker
 * Hub: registry-1.docker.io and auth.docker.io); anything else is where a lying registry
 * would send the password.
 */
function sameSite(realmHost: string, registryBase: string | undefined): boolean {
    if (!registryBase) return false;
    const host = new URL(registryBase).hostname.toLowerCase();
    const realm = realmHost.toLowerCase();
    if (realm === host) return true;
    if (isLoopback(realm) && isLoopback(host)) return true;
    const parent = (h: string) => h.split(".").slice(-2).join(".");
    return host.includes(".") && /[a-z]/.test(host) && parent(realm) === parent(host);
}

export class Authenticator {
    private readonly tokens = new Map<string, CachedToken>();
    private scheme: "none" | "basic" | "bearer" = "none";
    private challenge?: Challenge;
    tokenRequests = 0;

    constructor(
        private readonly credentials: Credentials | undefined,
        private readonly dispatcher: Dispatcher,
        private readonly now: () => number = Date.now,
        /** The registry's own base URL: a loopback http registry may name a loopback http realm. */
        private readonly registryBase?: string,
    ) {
        // Credentials given for this registry go with the first request when the channel is
        // safe (https, or http on this machine): a Basic registry then answers at once instead
        // of after a 401 round trip per connection; a token registry answers 401 with its
        // Bearer challenge as it would have anyway. Over plain http to another host: never.
        if (
            credentials &&
            registryBase &&
            (registryBase.startsWith("https://") || isLoopback(new URL(registryBase).hostname))
        )
            this.scheme = "basic";
    }

    private basic(): string | undefined {
        return this.credentials
            ? "Basic " +
                  Buffer.from(`${this.credentials.username}:${this.credentials.password}`).toString(
                      "base64",
                  )
            : undefined;
    }

    /** The Authorization header for a request needing `scopes`, from what we already know. */
    async header(scopes: readonly string[], image: string): Promise<string | undefined> {
        if (this.scheme === "basic") return this.basic();
        if (this.scheme !== "bearer" || !this.challenge) return undefined;
        const key = scopes.join(" ");
        const cached = this.tokens.get(key);
        if (cached && cached.expiresAt > this.now()) return `Bearer ${cached.token}`;
        return `Bearer ${await this.fetchToken(scopes, image)}`;
    }

    /** https, or http with both ends on this machine (a test registry). */
    private safeToSend(): boolean {
        if (!this.registryBase) return false;
        const u = new URL(this.registryBase);
        return u.protocol === "https:" || (u.protocol === "http:" && isLoopback(u.hostname));
    }

    /** Learns from a 401; returns true when a retry with new credentials makes sense. */
    onUnauthorized(wwwAuthenticate: string | undefined, scopes: readonly string[]): boolean {
        const c = parseChallenge(wwwAuthenticate);
        if (!c) return false;
        // A Basic challenge over plain http to another machine: the password would cross the
        // network in clear (base64 is no protection). Refused before anything is sent.
        if (c.scheme === "basic" && this.credentials && !this.safeToSend())
            throw new RegistryError(
                "UNAUTHORIZED",
                401,
                scopes.join(" "),
                `the registry ${this.registryBase} asks for a password over plain http; refused (credentials go only over https, or over http to a registry on this machine); use https`,
            );
        const wasBearer = this.scheme === "bearer";
        this.scheme = c.scheme;
        this.challenge = c;
        this.tokens.delete(scopes.join(" "));
        return (
            c.scheme === "bearer" ||
            (!wasBearer && this.credentials !== undefined && c.scheme === "basic")
        );
    }

    private async fetchToken(scopes: readonly string[], image: string): Promise<string> {
        const { realm, service } = this.challenge!.params;
        if (!realm)
            throw new RegistryError(
                "UNAUTHORIZED",
                401,
                image,
                "the registry's Bearer challenge names no realm",
            );
        const url = new URL(realm);
        if (service) url.searchParams.set("service", service);
        for (const s of scopes) url.searchParams.append("scope", s);
        const auth = this.basic();
        // The realm comes from the registry's answer: never send credentials in clear text
        // to wherever it points, unless both ends are this machine (a test registry).
        if (auth && !sameSite(url.hostname, this.registryBase)) {
            throw new RegistryError(
                "UNAUTHORIZED",
                401,
                image,
                `the registry's token service ${url.origin} is not on the registry's own host or domain; credentials refused (they go only to the registry's origin or its token realm on the same domain)`,
            );
        }
        if (auth && url.protocol !== "https:") {
            const registry = this.registryBase ? new URL(this.registryBase) : undefined;
            if (!(
                registry?.protocol === "http:" &&
                isLoopback(registry.hostname) &&
                isLoopback(url.hostname)
            )) {
                throw new RegistryError(
                    "UNAUTHORIZED",
                    401,
                    image,
                    `the registry asks for credentials to be sent to ${url.origin} over plain http; refused (only a registry on this machine, over http, may name an http token service)`,
                );
            }
        }
        this.tokenRequests++;
        const res = await request(url, {
            dispatcher: this.dispatcher,
            headers: auth ? { authorization: auth } : {},
        });
        const text = (
            await readCapped(res.body, realm, "the token service's answer", 1 << 20)
        ).toString("utf8");
        if (res.statusCode !== 200)
            throw new RegistryError(
                res.statusCode === 401 ? "UNAUTHORIZED" : "DENIED",
                res.statusCode,
                image,
                `the token server ${url.origin} refused a token for ${scopes.join(" ")}`,
            );
        let body: { token?: string; access_token?: string; expires_in?: number };
        try {
            body = JSON.parse(text);
        } catch {
            throw new RegistryError(
                "UNAUTHORIZED",
                401,
                image,
                `the token server ${url.origin} answered something that is not JSON`,
            );
        }
        const token = body.token ?? body.access_token;
        if (!token)
            throw new RegistryError(
                "UNAUTHORIZED",
                401,
                image,
                `the token server ${url.origin} answered without a token`,
            );
        // Refresh a little before expiry; the spec's default lifetime is 60 s.
        const lifetime = Math.max(1, (body.expires_in ?? 60) - 5) * 1000;
        this.tokens.set(scopes.join(" "), { token, expiresAt: this.now() + lifetime });
        return token;
    }
}
