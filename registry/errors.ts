/** Registry failures as messages that say which image, which tag, and what to do. */

const ADVICE: Record<string, string> = {
    MANIFEST_UNKNOWN:
        "the tag or digest does not exist in that repository: check the reference, or that DEV really runs it",
    NAME_UNKNOWN: "the repository does not exist on that registry: check the image name",
    UNAUTHORIZED:
        "the registry refused the credentials: check the registry username and password/token (registryPassword)",
    DENIED: "the credentials are valid but lack permission: grant push/pull on this repository to the promotion account",
    TOOMANYREQUESTS: "the registry is rate-limiting: retry later or use authenticated requests",
    BLOB_UNKNOWN:
        "a layer is missing from the registry: the image is incomplete; rebuild and push it",
    MANIFEST_INVALID: "the registry rejected the manifest bytes",
    DIGEST_INVALID: "the content does not match its digest",
};

export class RegistryError extends Error {
    constructor(
        readonly code: string,
        readonly status: number,
        readonly image: string,
        detail: string,
    ) {
        const message = `${image}: ${code} (HTTP ${status}): ${detail}${ADVICE[code] ? `; ${ADVICE[code]}` : ""}`;
        super(message);
        // Set again: inside a Pulumi dynamic provider the class is re-created by the closure
        // serializer, where Error's constructor does not set `message` on `this`.
        Object.defineProperty(this, "message", {
            value: message,
            writable: true,
            configurable: true,
        });
        this.name = "RegistryError";
    }
}

/** A registry's JSON error body ({ errors: [{ code, message }] }) → its first code and message. */
export function parseRegistryError(body: string): { code: string; message: string } | undefined {
    try {
        const e = JSON.parse(body)?.errors?.[0];
        if (e && typeof e.code === "string")
            return { code: e.code, message: String(e.message ?? "") };
    } catch {
        // Not JSON: the caller reports the HTTP status.
    }
    return undefined;
}

export function codeForStatus(status: number): string {
    return (
        (
            {
                401: "UNAUTHORIZED",
                403: "DENIED",
                404: "MANIFEST_UNKNOWN",
                429: "TOOMANYREQUESTS",
            } as Record<number, string>
        )[status] ?? `HTTP_${status}`
    );
}
