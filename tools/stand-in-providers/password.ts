/** Password generation with the upstream RandomPassword's inputs and defaults. */
import { randomInt } from "node:crypto";
import { Props } from "./provider-server";

const DEFAULT_SPECIAL = "!@#$%&*()-_=+[]{}<>:?";

export function withDefaults(i: Props): Props {
    return {
        special: true,
        upper: true,
        lower: true,
        numeric: true,
        minUpper: 0,
        minLower: 0,
        minNumeric: 0,
        minSpecial: 0,
        ...i,
    };
}

export function generate(i: Props): string {
    const sets: Array<{ chars: string; min: number }> = [];
    if (i.upper) sets.push({ chars: "ABCDEFGHIJKLMNOPQRSTUVWXYZ", min: i.minUpper });
    if (i.lower) sets.push({ chars: "abcdefghijklmnopqrstuvwxyz", min: i.minLower });
    if (i.numeric) sets.push({ chars: "0123456789", min: i.minNumeric });
    if (i.special) sets.push({ chars: i.overrideSpecial ?? DEFAULT_SPECIAL, min: i.minSpecial });
    const all = sets.map((s) => s.chars).join("");
    const out: string[] = [];
    for (const s of sets)
        for (let k = 0; k < s.min; k++) out.push(s.chars[randomInt(s.chars.length)]);
    while (out.length < i.length) out.push(all[randomInt(all.length)]);
    // Shuffle so the guaranteed characters are not at the front.
    for (let k = out.length - 1; k > 0; k--) {
        const j = randomInt(k + 1);
        [out[k], out[j]] = [out[j], out[k]];
    }
    return out.join("");
}
