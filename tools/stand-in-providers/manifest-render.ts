/**
 * How the render-only kubernetes stand-in writes a manifest: secrets unwrapped for comparison,
 * redacted for rendering; a Secret keeps its keys, never its values.
 */
import { isSecret, Props, SPECIAL_SIG_KEY } from "./provider-server";

export const REDACTED = "[not rendered: the value is in the stack's encrypted state]";

/** Plain values, secrets unwrapped (for comparison) or redacted (for rendering). */
export function plain(v: unknown, redact: boolean): unknown {
    if (isSecret(v)) return redact ? REDACTED : plain(v.value, redact);
    if (Array.isArray(v)) return v.map((x) => plain(x, redact));
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).filter(([k]) => k !== SPECIAL_SIG_KEY).map(([k, x]) => [k, plain(x, redact)]));
    return v;
}

export function renderManifest(props: Props): Props {
    const m = plain(props, true) as Props;
    if (m.kind === "Secret") {
        // Keys from the unwrapped object: a whole stringData map may itself be one secret.
        const unwrapped = plain(props, false) as Props;
        const keys = [...Object.keys(unwrapped.data ?? {}), ...Object.keys(unwrapped.stringData ?? {})];
        m.stringData = Object.fromEntries(keys.map((k) => [k, REDACTED]));
        delete m.data;
        m.metadata = { ...(m.metadata ?? {}), annotations: { ...(m.metadata?.annotations ?? {}), "keybuzz.io/rendered-secret": "values not rendered; they are in the Pulumi stack's encrypted state" } };
    }
    return m;
}

