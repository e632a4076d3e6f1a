/** Image references as the registry client needs them: registry host, repository, tag, digest. */
import { parseImageReference } from "../config/schema";

export interface ImageByDigest {
    readonly registry: string;
    readonly repository: string;
    readonly tag?: string;
    readonly digest: string;
}

/** Splits `registry/repo[:tag]@sha256:…`; throws when there is no digest (promotion is by digest). */
export function splitImage(ref: string): ImageByDigest {
    const parsed = parseImageReference(ref);
    if (!parsed?.digest) throw new Error(`source image "${ref}" has no @sha256 digest: promotion is by digest; DEV's stack must export images by digest`);
    const [registry, ...rest] = parsed.repository.split("/");
    return { registry, repository: rest.join("/"), tag: parsed.tag, digest: parsed.digest };
}

/** Registry credentials from the environment (CI secrets); undefined when not set. */
export function registryCredentialsFromEnv(env: NodeJS.ProcessEnv = process.env): { username?: string; password?: string; scheme?: "http" | "https" } {
    return {
        username: env.KEYBUZZ_REGISTRY_USERNAME,
        password: env.KEYBUZZ_REGISTRY_PASSWORD,
        // http only ever for a loopback test registry.
        scheme: env.KEYBUZZ_REGISTRY_SCHEME === "http" ? "http" : env.KEYBUZZ_REGISTRY_SCHEME === "https" ? "https" : undefined,
    };
}
