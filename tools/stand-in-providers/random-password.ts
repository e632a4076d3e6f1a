/**
 * A stand-in for the `random` resource provider's RandomPassword, used only where the upstream
 * pulumi-resource-random 4.21.1 cannot be installed (the Go module proxy here refuses it).
 * Same inputs, defaults and replace-on-any-change behaviour as the upstream resource; the
 * password comes from node:crypto's CSPRNG and is returned as a secret.
 */
import { randomInt } from "node:crypto";
import { Props, secret, serve, UNKNOWN } from "./provider-server";

const VERSION = process.env.KEYBUZZ_STAND_IN_RANDOM_VERSION ?? "4.21.1";
const TYPE = "random:index/randomPassword:RandomPassword";
const DEFAULT_SPECIAL = "!@#$%&*()-_=+[]{}<>:?";

function withDefaults(i: Props): Props {
    return { special: true, upper: true, lower: true, numeric: true, minUpper: 0, minLower: 0, minNumeric: 0, minSpecial: 0, ...i };
}

export function generate(i: Props): string {
    const sets: Array<{ chars: string; min: number }> = [];
    if (i.upper) sets.push({ chars: "ABCDEFGHIJKLMNOPQRSTUVWXYZ", min: i.minUpper });
    if (i.lower) sets.push({ chars: "abcdefghijklmnopqrstuvwxyz", min: i.minLower });
    if (i.numeric) sets.push({ chars: "0123456789", min: i.minNumeric });
    if (i.special) sets.push({ chars: i.overrideSpecial ?? DEFAULT_SPECIAL, min: i.minSpecial });
    const all = sets.map((s) => s.chars).join("");
    const out: string[] = [];
    for (const s of sets) for (let k = 0; k < s.min; k++) out.push(s.chars[randomInt(s.chars.length)]);
    while (out.length < i.length) out.push(all[randomInt(all.length)]);
    // Shuffle so the guaranteed characters are not at the front.
    for (let k = out.length - 1; k > 0; k--) {
        const j = randomInt(k + 1);
        [out[k], out[j]] = [out[j], out[k]];
    }
    return out.join("");
}

serve({
    version: VERSION,
    check(type, _olds, news) {
        if (type !== TYPE) return { inputs: news, failures: [{ property: "", reason: `the random stand-in implements ${TYPE} only, not ${type}` }] };
        const inputs = withDefaults(news);
        const failures = typeof inputs.length === "number" && inputs.length > 0 ? [] : [{ property: "length", reason: "length is required and must be positive" }];
        return { inputs, failures };
    },
    diff(_type, olds, news) {
        // Like the upstream resource: any input change makes a new password.
        const keys = [...new Set([...Object.keys(olds), ...Object.keys(news)])].filter((k) => k !== "result" && JSON.stringify(olds[k]) !== JSON.stringify(news[k]));
        return { changes: keys.length > 0, replaces: keys };
    },
    create(_type, _urn, props, preview) {
        return { id: "none", properties: { ...props, result: preview ? UNKNOWN : secret(generate(props)) } };
    },
});
