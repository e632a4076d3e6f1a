import { createHmac } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";

/**
 * Keyed fingerprint of a credential: HMAC-SHA256 with the organisation-wide fingerprint key.
 * Equal credentials give equal fingerprints in every stack; without the key, a fingerprint
 * reveals nothing about the value (unlike a plain hash of a short password).
 */
export function fingerprintOf(key: string, value: string): string {
    return "hmac-sha256:" + createHmac("sha256", key).update(value, "utf8").digest("hex");
}

/** The fingerprint as a plain (non-secret) output: it is safe to publish by construction. */
export function fingerprint(
    key: pulumi.Input<string>,
    value: pulumi.Input<string>,
): pulumi.Output<string> {
    return pulumi.unsecret(pulumi.all([key, value]).apply(([k, v]) => fingerprintOf(k, v)));
}

export { FINGERPRINT_ANNOTATION } from "../lib/fingerprint-annotation";

/** `{ name: fingerprint }` as the annotation's JSON text (plain: it reveals no value). */
export function fingerprintAnnotation(
    key: pulumi.Input<string>,
    credentials: Record<string, pulumi.Input<string>>,
): pulumi.Output<string> {
    const fps = Object.fromEntries(
        Object.entries(credentials).map(([name, value]) => [name, fingerprint(key, value)]),
    );
    return pulumi.unsecret(pulumi.all(fps).apply((m) => JSON.stringify(m)));
}
