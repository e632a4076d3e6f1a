/**
 * A worker thread that scans layers (promotion/layer-files.ts) for the pool in
 * promotion/layer-scan-pool.ts: the layer's compressed bytes arrive as messages, the
 * mentions go back as one. One layer at a time per worker.
 */
import { parentPort } from "node:worker_threads";
import { layerFileMentions } from "./layer-files";
import type { FromWorker, ToWorker } from "./layer-scan-pool";

/** The bytes of the layer being scanned, as an async queue fed by messages. */
class ByteQueue implements AsyncIterable<Uint8Array> {
    constructor(readonly id: number) {}
    private readonly chunks: Uint8Array[] = [];
    private wake?: () => void;
    private ended = false;
    push(chunk: Uint8Array): void {
        this.chunks.push(chunk);
        this.wake?.();
    }
    end(): void {
        this.ended = true;
        this.wake?.();
    }
    async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
        for (;;) {
            const chunk = this.chunks.shift();
            if (chunk) {
                parentPort!.postMessage({
                    type: "consumed",
                    id: this.id,
                    bytes: chunk.byteLength,
                } satisfies FromWorker);
                yield chunk;
            } else if (this.ended) return;
            else await new Promise<void>((r) => (this.wake = r));
            this.wake = undefined;
        }
    }
}

let queue: ByteQueue | undefined;
parentPort!.on("message", (m: ToWorker) => {
    if (m.type === "start") {
        // A job the main thread abandoned ends here: its truncated scan fails unheard.
        queue?.end();
        const q = (queue = new ByteQueue(m.id));
        layerFileMentions(q, m.mediaType).then(
            (mentions) =>
                parentPort!.postMessage({ type: "done", id: m.id, mentions } satisfies FromWorker),
            (e: Error) =>
                parentPort!.postMessage({
                    type: "failed",
                    id: m.id,
                    message: e.message,
                } satisfies FromWorker),
        );
    } else if (m.id === queue?.id) {
        if (m.type === "chunk") queue.push(m.bytes);
        else queue.end();
    }
});
