/**
 * The local control plane's certificates and service-account key, made with openssl at
 * `cluster:up`: one CA, the API server's serving certificate (127.0.0.1, localhost), one
 * admin client certificate in group system:masters, and the RSA key that signs and
 * verifies service-account tokens. openssl rather than a JavaScript X.509 library: it is
 * on every Debian machine, and these files are exactly what kubeadm's docs make with it.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

export interface Pki {
    readonly caCert: string;
    readonly caKey: string;
    readonly serverCert: string;
    readonly serverKey: string;
    readonly adminCert: string;
    readonly adminKey: string;
    readonly serviceAccountKey: string;
    readonly serviceAccountPub: string;
}

export function pkiPaths(dir: string): Pki {
    const f = (name: string) => path.join(dir, name);
    return {
        caCert: f("ca.crt"),
        caKey: f("ca.key"),
        serverCert: f("apiserver.crt"),
        serverKey: f("apiserver.key"),
        adminCert: f("admin.crt"),
        adminKey: f("admin.key"),
        serviceAccountKey: f("sa.key"),
        serviceAccountPub: f("sa.pub"),
    };
}

function openssl(args: string[], cwd: string): void {
    try {
        execFileSync("openssl", args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
    } catch (e) {
        const err = e as { stderr?: Buffer; code?: string };
        if (err.code === "ENOENT")
            throw new Error(
                "openssl is not installed; install it (apt-get install openssl) and re-run cluster:up",
            );
        throw new Error(`openssl ${args[0]} failed: ${err.stderr?.toString().trim()}`);
    }
}

/** Creates every file of the PKI in `dir` (private keys 0600). */
export function createPki(dir: string): Pki {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const p = pkiPaths(dir);
    const ext = path.join(dir, "apiserver.ext");
    fs.writeFileSync(
        ext,
        "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n" +
            "subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc\n",
    );
    const clientExt = path.join(dir, "client.ext");
    fs.writeFileSync(
        clientExt,
        "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n",
    );
    const days = "30";
    openssl(
        [
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            p.caKey,
            "-out",
            p.caCert,
            "-days",
            days,
            "-subj",
            "/CN=keybuzz-local-ca",
        ],
        dir,
    );
    const leaf = (key: string, cert: string, subj: string, extFile: string) => {
        const csr = `${cert}.csr`;
        openssl(
            ["req", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", csr, "-subj", subj],
            dir,
        );
        openssl(
            [
                "x509",
                "-req",
                "-in",
                csr,
                "-CA",
                p.caCert,
                "-CAkey",
                p.caKey,
                "-CAcreateserial",
                "-out",
                cert,
                "-days",
                days,
                "-extfile",
                extFile,
            ],
            dir,
        );
        fs.rmSync(csr);
    };
    leaf(p.serverKey, p.serverCert, "/CN=kube-apiserver", ext);
    leaf(p.adminKey, p.adminCert, "/O=system:masters/CN=keybuzz-local-admin", clientExt);
    openssl(["genrsa", "-out", p.serviceAccountKey, "2048"], dir);
    openssl(["rsa", "-in", p.serviceAccountKey, "-pubout", "-out", p.serviceAccountPub], dir);
    for (const key of [p.caKey, p.serverKey, p.adminKey, p.serviceAccountKey])
        fs.chmodSync(key, 0o600);
    return p;
}
