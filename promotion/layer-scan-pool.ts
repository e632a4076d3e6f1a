/**
 * Where layers are scanned: in worker threads, one layer per worker and as many workers as
 * the machine has cores, so the layers of several images are decompressed and scanned side
 * by side while the main thread only moves bytes from the registry. A single thread's scan
 * (gunzip, tar, host search) was the bound of a promotion's layer scan.
 *
 * The workers run the compiled JavaScript (out/promotion/layer-scan-worker.js). Where the
 * code runs as TypeScript (tests under tsx, the program under the engine's ts-node), there is
 * no compiled worker to start and layers are scanned in the calling thread: same function,
 * same result.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Worker } from "node:worker_threads";
import { HostMention, layerFileMentions } from "./layer-files";

export type ToWorker =
    | { readonly type: "start"; readonly id: number; readonly mediaType: string }
    | { readonly type: "chunk"; readonly id: number; readonly bytes: Uint8Array }
    | { readonly type: "end"; readonly id: number };
export type FromWorker =
    | { readonly type: "consumed"; readonly id: number; readonly bytes: number }
    | { readonly type: "done"; readonly id: number; readonly mentions: HostMention[] }
    | { readonly type: "failed"; readonly id: number; readonly message: string };

const WORKER_FILE = path.join(__dirname, "..", "promotion", "layer-scan-worker.js");
// Bytes sent to a worker and not yet taken by its decompressor: bounds memory per layer.
const IN_FLIGHT_BYTES = 8 << 20;
// Below this (compressed) a layer is scanned in the calling thread: starting a worker (~50 ms)
// costs more than scanning it.
const WORKER_MIN_BYTES = 128 << 10;
const SIZE = Math.max(1, Math.min(os.availableParallelism(), 4));

const idle: Worker[] = [];
const waiting: Array<(w: Worker) => void> = [];
let started = 0;
let nextId = 1;

function workersAvailable(): boolean {
    return __filename.endsWith(".js") && fs.existsSync(WORKER_FILE);
}

function acquire(): Promise<Worker> {
    const w = idle.pop();
    if (w) return Promise.resolve(w);
    if (started < SIZE) {
        started++;
        const worker = new Worker(WORKER_FILE);
        // Idle workers never keep the command alive.
        worker.unref();
        worker.on("error", () => undefined);
        worker.on("exit", () => {
            started--;
            const i = idle.indexOf(worker);
            if (i >= 0) idle.splice(i, 1);
        });
        return Promise.resolve(worker);
    }
    return new Promise((resolve) => waiting.push(resolve));
}

function release(w: Worker): void {
    const next = waiting.shift();
    if (next) next(w);
    else idle.push(w);
}

function scanInWorker(
    w: Worker,
    bytes: AsyncIterable<Uint8Array>,
    mediaType: string,
): Promise<HostMention[]> {
    const id = nextId++;
    return new Promise<HostMention[]>((resolve, reject) => {
        let inFlight = 0;
        let resume: (() => void) | undefined;
        // Declared before use (not hoisted consts): Pulumi's closure serializer, which captures
        // this module when the engine's RegistryTag runs the promotion checks, requires it.
        let onMessage: (m: FromWorker) => void = () => undefined;
        let onExit: (code: number) => void = () => undefined;
        const finish = (e: Error | undefined, mentions?: HostMention[]) => {
            w.off("message", onMessage);
            w.off("exit", onExit);
            resume?.();
            if (e) reject(e);
            else resolve(mentions!);
        };
        onMessage = (m: FromWorker) => {
            if (m.id !== id) return; // a message of an abandoned job
            if (m.type === "consumed") {
                inFlight -= m.bytes;
                if (inFlight < IN_FLIGHT_BYTES) resume?.();
            } else if (m.type === "done") finish(undefined, m.mentions);
            else finish(new Error(m.message));
        };
        onExit = (code: number) =>
            finish(new Error(`the layer-scan worker stopped (exit ${code})`));
        w.on("message", onMessage);
        w.on("exit", onExit);
        w.ref();
        w.postMessage({ type: "start", id, mediaType } satisfies ToWorker);
        (async () => {
            for await (const chunk of bytes) {
                const copy = new Uint8Array(chunk);
                inFlight += copy.byteLength;
                w.postMessage({ type: "chunk", id, bytes: copy } satisfies ToWorker, [copy.buffer]);
                if (inFlight >= IN_FLIGHT_BYTES) await new Promise<void>((r) => (resume = r));
                resume = undefined;
            }
            w.postMessage({ type: "end", id } satisfies ToWorker);
        })().catch((e: Error) => {
            // The source broke mid-layer: the worker's scan is abandoned (its late answer is ignored).
            w.postMessage({ type: "end", id } satisfies ToWorker);
            finish(e);
        });
    }).finally(() => w.unref());
}

/** How many layer-scan workers this process has running (for tests and diagnostics). */
export function layerScanWorkers(): number {
    return started;
}

/**
 * What one layer's files mention, scanned in a worker thread when the compiled worker exists
 * and the layer is large enough to pay for it (`size`, the blob's bytes as its manifest says):
 * a small layer is scanned faster where it is than a worker starts.
 */
export async function scanLayer(
    bytes: AsyncIterable<Uint8Array>,
    mediaType: string,
    size?: number,
): Promise<HostMention[]> {
    if (!workersAvailable() || size === undefined || size < WORKER_MIN_BYTES)
        return layerFileMentions(bytes, mediaType);
    const w = await acquire();
    try {
        return await scanInWorker(w, bytes, mediaType);
    } finally {
        release(w);
    }
}
