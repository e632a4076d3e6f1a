/**
 * Host names written in free text: URLs, connection strings, config values, the JavaScript of
 * a client bundle. The policy pack and the audit ask about short strings; the layer scan asks
 * about hundreds of megabytes, so the scan works on bytes, in one pass, and remembers the hosts
 * it has seen in a table of its own (a bundle names the same few hosts millions of times).
 *
 * A host is a dotted name with a letters-only top-level domain, starting where no host
 * character precedes it, each label 1–63 characters, none starting or ending in "-", 253
 * characters at most (test/unit/config/host-names.test.ts holds that definition as a regular
 * expression and compares). Written by hand rather than as that expression: the expression
 * costs a match attempt at every word of a bundle (37 MB/s here, against ~250 MB/s for this).
 */

// Byte classes: 0 not a host character, 1 letter, 2 digit or "-", 3 ".".
const OTHER = 0;
const LETTER = 1;
const DIGIT_OR_HYPHEN = 2;
const DOT = 3;
// Built on first use and checked to still be a typed array: the engine's closure serializer
// (the RegistryTag provider scans layers) captures a module's values, and turns a typed array
// into a plain object.
let CLASS: Uint8Array | undefined;
function classes(): Uint8Array {
    if (CLASS instanceof Uint8Array) return CLASS;
    const table = new Uint8Array(256);
    for (const c of "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
        table[c.charCodeAt(0)] = LETTER;
    for (const c of "0123456789-") table[c.charCodeAt(0)] = DIGIT_OR_HYPHEN;
    table[".".charCodeAt(0)] = DOT;
    return (CLASS = table);
}

const MAX_LABEL = 63;
const MAX_HOST = 253;
const BAD_LABEL = /(^|\.)-|-(\.|$)/;

/** Spreads a rotate-and-xor hash (of bytes lower-cased with | 0x20) over the table's low bits. */
function mixed(hash: number): number {
    hash = Math.imul(hash ^ (hash >>> 16), 0x45d9f3b);
    return hash ^ (hash >>> 16);
}

/** Whether a character code can be part of a host name (letters, digits, "." and "-"). */
export function isHostChar(code: number): boolean {
    return code < 256 && classes()[code] !== OTHER;
}

/**
 * The distinct hosts of a text fed to it in pieces (`scan`), lower-cased, in the order first
 * seen. A piece must not end inside a run of host characters unless the text ends there
 * (promotion/layer-files.ts carries such a run on to the next piece).
 */
export class HostNames {
    // Open-addressed table of distinct written hosts (lower-cased bytes in `arena`).
    private slots = new Int32Array(64).fill(-1);
    private slotHashes = new Int32Array(64);
    private offsets = new Int32Array(32);
    private lengths = new Int32Array(32);
    private arena = new Uint8Array(1024);
    private arenaUsed = 0;
    private count = 0;
    private readonly hosts: string[] = [];

    /** Hosts found so far. */
    list(): string[] {
        return [...this.hosts];
    }

    /**
     * Finds the hosts in `bytes[from, to)`, Latin-1 (or UTF-8: every byte of a multi-byte
     * character is above 127, never a host character).
     */
    scan(bytes: Uint8Array, from = 0, to = bytes.length): void {
        const CLASS = classes();
        let i = from;
        while (i < to) {
            while (i < to && CLASS[bytes[i]] === OTHER) i++;
            if (i >= to) return;
            // A run of host characters: the host it holds, if any, starts at its start (a host
            // starts where no host character precedes it) and takes as many labels as it can,
            // ending with a letters-only label of 2–63 letters followed by "." or the run's end.
            // Letters, most of a run, take the shortest path through the loop; the hash is a
            // rotate-and-xor (one cycle's dependency a byte, where a multiply took three).
            const start = i;
            let c = CLASS[bytes[i]];
            let label = i;
            let labels = 0;
            let lettersOnly = c === LETTER;
            let valid = c !== DOT;
            let end = -1;
            let hash = bytes[i] | 0x20;
            let endHash = 0;
            for (i++; i < to; i++) {
                const b = bytes[i];
                c = CLASS[b];
                if (c === LETTER) {
                    hash = ((hash << 5) | (hash >>> 27)) ^ (b | 0x20);
                    continue;
                }
                if (c === OTHER) break;
                if (c === DOT) {
                    if (valid) {
                        const length = i - label;
                        if (length === 0 || length > MAX_LABEL) valid = false;
                        else if (labels > 0 && lettersOnly && length >= 2) {
                            end = i;
                            endHash = hash;
                        }
                    }
                    labels++;
                    label = i + 1;
                    lettersOnly = true;
                } else lettersOnly = false;
                hash = ((hash << 5) | (hash >>> 27)) ^ (b | 0x20);
            }
            if (valid && labels > 0 && lettersOnly) {
                const length = i - label;
                if (length >= 2 && length <= MAX_LABEL) {
                    end = i;
                    endHash = hash;
                }
            }
            if (end > 0) this.add(bytes, start, end, mixed(endHash));
        }
    }

    private add(bytes: Uint8Array, start: number, end: number, hash: number): void {
        const length = end - start;
        const mask = this.slots.length - 1;
        for (let s = hash & mask; ; s = (s + 1) & mask) {
            const entry = this.slots[s];
            if (entry < 0) return this.insert(bytes, start, length, hash, s);
            if (this.slotHashes[s] === hash && this.lengths[entry] === length) {
                const arena = this.arena;
                const offset = this.offsets[entry];
                let k = 0;
                while (k < length && arena[offset + k] === (bytes[start + k] | 0x20)) k++;
                if (k === length) return;
            }
        }
    }

    private insert(
        bytes: Uint8Array,
        start: number,
        length: number,
        hash: number,
        slot: number,
    ): void {
        if (this.arenaUsed + length > this.arena.length)
            this.arena = grown(this.arena, this.arenaUsed + length);
        const offset = this.arenaUsed;
        for (let k = 0; k < length; k++) this.arena[offset + k] = bytes[start + k] | 0x20;
        this.arenaUsed += length;
        const entry = this.count++;
        if (entry >= this.offsets.length) {
            this.offsets = grown(this.offsets, entry + 1);
            this.lengths = grown(this.lengths, entry + 1);
        }
        this.offsets[entry] = offset;
        this.lengths[entry] = length;
        this.slots[slot] = entry;
        this.slotHashes[slot] = hash;
        // Written hosts that are not hosts (a label with an edge "-", too long) stay in the
        // table, so each is judged once.
        const host = Buffer.from(
            this.arena.buffer,
            this.arena.byteOffset + offset,
            length,
        ).toString("latin1");
        if (host.length <= MAX_HOST && !BAD_LABEL.test(host)) this.hosts.push(host);
        if (this.count * 2 > this.slots.length) this.rehash();
    }

    private rehash(): void {
        const slots = new Int32Array(this.slots.length * 2).fill(-1);
        const hashes = new Int32Array(slots.length);
        const mask = slots.length - 1;
        for (let s = 0; s < this.slots.length; s++) {
            if (this.slots[s] < 0) continue;
            let t = this.slotHashes[s] & mask;
            while (slots[t] >= 0) t = (t + 1) & mask;
            slots[t] = this.slots[s];
            hashes[t] = this.slotHashes[s];
        }
        this.slots = slots;
        this.slotHashes = hashes;
    }
}

function grown<T extends Int32Array | Uint8Array>(array: T, atLeast: number): T {
    const bigger = new (array.constructor as new (n: number) => T)(
        Math.max(array.length * 2, atLeast),
    );
    bigger.set(array);
    return bigger;
}

/** Hosts named inside a free string, lower-cased, once each, in one linear pass. */
export function hostsIn(text: string): string[] {
    if (!text.includes(".")) return [];
    // One byte per UTF-16 unit; a unit above 255 is no host character, whatever its low byte.
    const bytes = Buffer.from(text, "latin1");
    if (/[^\x00-\xff]/.test(text))
        for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 255) bytes[i] = 0;
    const names = new HostNames();
    names.scan(bytes);
    return names.list();
}
