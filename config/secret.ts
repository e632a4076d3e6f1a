/**
 * A secret config value. The stack-file checker sees only that the value is encrypted
 * (`value` undefined); the Pulumi program sees the decrypted value and must wrap it in
 * `pulumi.secret` before it goes anywhere.
 */
export class SecretValue {
    constructor(
        /** The config key, for messages. */
        readonly key: string,
        /** The decrypted value, when the engine decrypted it; undefined when only the ciphertext was read. */
        readonly value: string | undefined,
    ) {}

    /** Never print a secret by accident: string conversion and JSON show a placeholder. */
    toString(): string {
        return "[secret]";
    }
    toJSON(): string {
        return "[secret]";
    }
}
