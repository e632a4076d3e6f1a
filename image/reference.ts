/**
 * OCI image references, in one place: the grammar (distribution spec), splitting into
 * registry / repository / tag / digest, and the digest form promotion relies on. Nothing here
 * knows about stacks or config; config, the registry client, the policy pack and the
 * promotion all read references through this module.
 */

/** A sha256 content digest as registries name manifests and blobs. */
export const DIGEST_PATTERN = /^sha256:[a-f0-9]{64}$/;

export function isDigest(value: unknown): value is string {
    return typeof value === "string" && DIGEST_PATTERN.test(value);
}

// registry/repository[:tag][@sha256:<64 hex>], per the distribution spec grammar.
const REFERENCE =
    /^(?<name>[a-z0-9]+(?:[._-][a-z0-9]+)*(?::[0-9]+)?(?:\/[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*)+)(?::(?<tag>[A-Za-z0-9_][A-Za-z0-9._-]{0,127}))?(?:@(?<digest>sha256:[a-f0-9]{64}))?$/;

/** The tag grammar of the distribution spec. */
export const TAG_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;

export interface ImageReference {
    /** `registry/repository`, as written (the registry part included). */
    readonly name: string;
    readonly tag?: string;
    readonly digest?: string;
}

/** Parses a reference that names a tag or a digest; undefined when it is not one. */
export function parseImageReference(ref: string): ImageReference | undefined {
    const m = REFERENCE.exec(ref);
    if (!m?.groups) return undefined;
    if (!m.groups.tag && !m.groups.digest) return undefined;
    return { name: m.groups.name, tag: m.groups.tag, digest: m.groups.digest };
}

/**
 * The registry host of a reference as a container runtime resolves it: the first path
 * segment when it looks like a host (a dot, a port or localhost), else Docker Hub.
 */
export function registryOf(image: string): string {
    const first = image.split("/")[0];
    return image.includes("/") &&
        (first.includes(".") || first.includes(":") || first === "localhost")
        ? first
        : "docker.io";
}

/** The digest a reference pins, if any (`…@sha256:…`). */
export function digestOf(image: string): string | undefined {
    const at = image.lastIndexOf("@");
    const digest = at >= 0 ? image.slice(at + 1) : undefined;
    return isDigest(digest) ? digest : undefined;
}

export interface ImageByDigest {
    readonly registry: string;
    readonly repository: string;
    readonly tag?: string;
    readonly digest: string;
}

/** Splits `registry/repo[:tag]@sha256:…`; throws when there is no digest (promotion is by digest). */
export function splitImage(ref: string): ImageByDigest {
    const parsed = parseImageReference(ref);
    if (!parsed?.digest)
        throw new Error(
            `source image "${ref}" has no @sha256 digest: promotion is by digest; DEV's stack must export images by digest`,
        );
    const [registry, ...rest] = parsed.name.split("/");
    return { registry, repository: rest.join("/"), tag: parsed.tag, digest: parsed.digest };
}

/** `registry/repository@digest`: how a promoted image is pinned. */
export function imageByDigest(registry: string, repository: string, digest: string): string {
    return `${registry}/${repository}@${digest}`;
}
