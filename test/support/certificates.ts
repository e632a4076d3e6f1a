/** Self-signed certificates for the tests' own servers, written by openssl into `dir`. */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

export interface SelfSigned {
    readonly certFile: string;
    readonly keyFile: string;
    readonly cert: string;
    readonly key: string;
}

/** A self-signed (its own root) RSA certificate named `cn`, optionally with subject alt names. */
export function selfSignedCertificate(
    dir: string,
    name: string,
    options: { cn?: string; subjectAltName?: string; days?: number } = {},
): SelfSigned {
    const keyFile = path.join(dir, `${name}.key`);
    const certFile = path.join(dir, `${name}.crt`);
    execFileSync(
        "openssl",
        [
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            keyFile,
            "-out",
            certFile,
            "-days",
            String(options.days ?? 1),
            "-subj",
            `/CN=${options.cn ?? name}`,
            ...(options.subjectAltName
                ? ["-addext", `subjectAltName=${options.subjectAltName}`]
                : []),
        ],
        { stdio: "pipe" },
    );
    return {
        certFile,
        keyFile,
        cert: fs.readFileSync(certFile, "utf8"),
        key: fs.readFileSync(keyFile, "utf8"),
    };
}
