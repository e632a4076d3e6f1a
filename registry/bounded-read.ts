/**
 * Reads an HTTP answer body whole only up to a cap: a registry that streams without end (or
 * a hostile one) must not take the command's memory with it. The OCI distribution spec has
 * registries accept manifests of at least 4 MiB; nothing the client reads whole is larger.
 */
import { RegistryError } from "./errors";

export const MAX_ANSWER_BYTES = 4 << 20;

export async function readCapped(
    body: AsyncIterable<Buffer> & { destroy?: (e?: Error) => void },
    image: string,
    what: string,
    cap = MAX_ANSWER_BYTES,
): Promise<Buffer> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of body) {
        size += chunk.length;
        if (size > cap) {
            body.destroy?.();
            throw new RegistryError(
                "TOO_LARGE",
                0,
                image,
                `${what} is larger than ${cap} bytes; a registry answer of that size is refused (is this a registry?)`,
            );
        }
        chunks.push(chunk);
    }
    return Buffer.concat(chunks);
}
