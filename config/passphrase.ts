/**
 * Decrypts `secure:` values of a stack file encrypted by Pulumi's passphrase secrets
 * provider, without a backend. `policy:check` needs the credentials' fingerprints of every
 * stack offline, and the Pulumi CLI only decrypts config of a stack that exists in a backend.
 * The scheme (pulumi/sdk go/common/resource/config/crypt.go): key = PBKDF2-SHA256(passphrase,
 * salt, 1,000,000 iterations, 32 bytes); value = "v1:" base64(nonce) ":" base64(AES-256-GCM
 * ciphertext with its 16-byte tag). Node's crypto implements both; an integration test checks
 * this module against values the real CLI encrypted.
 */
import * as fs from "node:fs";
import { nodeCrypto } from "../lib/node-crypto";
import { readInputFile } from "../lib/input-file";

export class PassphraseError extends Error {}

export interface Decrypter {
    decrypt(ciphertext: string): string;
}

function decryptWith(key: Buffer, value: string): string {
    const parts = value.split(":");
    if (parts.length !== 3 || parts[0] !== "v1")
        throw new PassphraseError(
            `not a passphrase-encrypted value (expected v1:<nonce>:<ciphertext>)`,
        );
    const nonce = Buffer.from(parts[1], "base64");
    const data = Buffer.from(parts[2], "base64");
    const decipher = nodeCrypto().createDecipheriv("aes-256-gcm", key, nonce);
    decipher.setAuthTag(data.subarray(data.length - 16));
    try {
        return Buffer.concat([
            decipher.update(data.subarray(0, data.length - 16)),
            decipher.final(),
        ]).toString("utf8");
    } catch {
        throw new PassphraseError("incorrect passphrase");
    }
}

const ITERATIONS = 1_000_000;

/**
 * Keys derived ahead of use, in this process's memory only (never written anywhere), by salt
 * and passphrase. The derivation is 1M iterations of PBKDF2 (~250 ms) by design; started
 * early on libuv's thread pool, it runs while the command loads its modules, and the keys of
 * several stack files are derived side by side.
 */
const derived = new Map<string, { passphrase: string; key?: Buffer; pending: Promise<void> }>();

function saltOf(encryptionSalt: string): string | undefined {
    return /^v1:([^:]+):v1:[^:]+:[^:]+$/.exec(encryptionSalt)?.[1];
}

/** Starts deriving the key of each stack file (by its `encryptionsalt` line); resolves when all are ready. Unreadable files are left to the read that follows. */
export function prederiveKeys(
    files: readonly string[],
    passphrase: string | undefined,
): Promise<void> {
    if (passphrase === undefined) return Promise.resolve();
    const jobs: Promise<void>[] = [];
    for (const file of files) {
        let text: string;
        try {
            text = readInputFile(file, "stack file");
        } catch {
            continue;
        }
        const salt = saltOf(/^encryptionsalt:\s*(\S+)\s*$/m.exec(text)?.[1] ?? "");
        if (!salt) continue;
        const known = derived.get(salt);
        if (known?.passphrase === passphrase) {
            jobs.push(known.pending);
            continue;
        }
        const entry: { passphrase: string; key?: Buffer; pending: Promise<void> } = {
            passphrase,
            pending: Promise.resolve(),
        };
        entry.pending = new Promise((resolve) =>
            nodeCrypto().pbkdf2(
                passphrase,
                Buffer.from(salt, "base64"),
                ITERATIONS,
                32,
                "sha256",
                (err, key) => {
                    if (!err) entry.key = key;
                    resolve();
                },
            ),
        );
        derived.set(salt, entry);
        jobs.push(entry.pending);
    }
    return Promise.all(jobs).then(() => undefined);
}

function keyFor(salt: string, passphrase: string): Buffer {
    const known = derived.get(salt);
    if (known?.passphrase === passphrase && known.key) return known.key;
    return nodeCrypto().pbkdf2Sync(
        passphrase,
        Buffer.from(salt, "base64"),
        ITERATIONS,
        32,
        "sha256",
    );
}

/**
 * A decrypter for a stack file's `encryptionsalt` ("v1:<salt>:<encrypted 'pulumi'>").
 * Throws PassphraseError when the passphrase is wrong.
 */
export function passphraseDecrypter(encryptionSalt: string, passphrase: string): Decrypter {
    const m = /^v1:([^:]+):(v1:[^:]+:[^:]+)$/.exec(encryptionSalt);
    if (!m) throw new PassphraseError(`encryptionsalt is not in the v1 passphrase format`);
    const key = keyFor(m[1], passphrase);
    if (decryptWith(key, m[2]) !== "pulumi") throw new PassphraseError("incorrect passphrase");
    return {
        // The passphrase is right (it opened the salt): a value that fails now is the value's fault.
        decrypt: (v) => {
            try {
                return decryptWith(key, v);
            } catch {
                throw new PassphraseError(
                    "not valid ciphertext for this stack (tampered, truncated, or encrypted under another stack's salt or passphrase)",
                );
            }
        },
    };
}

/** The passphrase the Pulumi CLI would use: PULUMI_CONFIG_PASSPHRASE, else the _FILE variant. */
export function passphraseFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
    if (env.PULUMI_CONFIG_PASSPHRASE !== undefined) return env.PULUMI_CONFIG_PASSPHRASE;
    const file = env.PULUMI_CONFIG_PASSPHRASE_FILE;
    return file ? readInputFile(file, "PULUMI_CONFIG_PASSPHRASE_FILE", 1 << 20).trim() : undefined;
}
