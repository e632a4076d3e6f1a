/**
 * A small token server for the distribution token spec: Basic credentials in, a JWT signed
 * with a throw-away RSA key out (x5c header carrying its self-signed certificate, which the
 * registry trusts through its rootcertbundle). Tokens live `lifetimeSeconds`.
 */
import { createSign, randomUUID, X509Certificate } from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import { AddressInfo } from "node:net";
import { selfSignedCertificate } from "./certificates";

export interface TokenServer {
    readonly realm: string;
    readonly service: string;
    readonly issuer: string;
    readonly rootCertBundle: string;
    issued: number;
    close(): Promise<void>;
}

const b64url = (b: Buffer | string) => Buffer.from(b).toString("base64url");

export async function startTokenServer(
    dir: string,
    user: string,
    password: string,
    lifetimeSeconds: number,
): Promise<TokenServer> {
    const issuerCert = selfSignedCertificate(dir, "token", { cn: "keybuzz-test-token-issuer" });
    const cert = issuerCert.certFile;
    const key = issuerCert.keyFile;
    const der = new X509Certificate(fs.readFileSync(cert)).raw.toString("base64");
    const privateKey = fs.readFileSync(key);
    const service = "keybuzz-test-registry";
    const issuer = "keybuzz-test-issuer";
    const state = { issued: 0 };
    const server = http.createServer((req, res) => {
        const url = new URL(req.url ?? "/", "http://x");
        const expected = "Basic " + Buffer.from(`${user}:${password}`).toString("base64");
        if (req.headers.authorization !== expected) {
            res.writeHead(401).end();
            return;
        }
        const access = url.searchParams.getAll("scope").map((s) => {
            const [type, name, actions] = s.split(":");
            return { type, name, actions: actions.split(",") };
        });
        const now = Math.floor(Date.now() / 1000);
        const header = b64url(JSON.stringify({ alg: "RS256", typ: "JWT", x5c: [der] }));
        const claims = b64url(
            JSON.stringify({
                iss: issuer,
                sub: user,
                aud: service,
                exp: now + lifetimeSeconds,
                nbf: now - 5,
                iat: now,
                jti: randomUUID(),
                access,
            }),
        );
        const signature = createSign("RSA-SHA256")
            .update(`${header}.${claims}`)
            .sign(privateKey)
            .toString("base64url");
        state.issued++;
        res.writeHead(200, { "content-type": "application/json" }).end(
            JSON.stringify({
                token: `${header}.${claims}.${signature}`,
                expires_in: lifetimeSeconds,
            }),
        );
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as AddressInfo).port;
    return {
        realm: `http://127.0.0.1:${port}/token`,
        service,
        issuer,
        rootCertBundle: cert,
        get issued() {
            return state.issued;
        },
        set issued(v: number) {
            state.issued = v;
        },
        close: () => new Promise<void>((r) => server.close(() => r())),
    };
}
