/** Manifest media types the client accepts and re-serves byte for byte. */
export const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
export const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
export const DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
export const DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";

export const MANIFEST_ACCEPT = [
    OCI_MANIFEST,
    OCI_INDEX,
    DOCKER_MANIFEST,
    DOCKER_MANIFEST_LIST,
].join(", ");

export function isIndex(mediaType: string): boolean {
    return mediaType === OCI_INDEX || mediaType === DOCKER_MANIFEST_LIST;
}
