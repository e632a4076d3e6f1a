/**
 * What a finding may print of a value it found. A value in a Secret, under a credential-like
 * key, carrying credentials in a URL, or that looks like a random key is never printed (the
 * finding says where it is instead); anything else is cut to 120 characters.
 */
import { looksRandom, SECRET_NAME, URL_WITH_CREDENTIALS } from "../lib/credential-heuristics";

export const MAX_SHOWN = 120;

export function bounded(text: string): string {
    return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}…` : text;
}

/** `property` is the readable path (e.g. `spec.template.spec.containers[0].env.SMTP_PASSWORD`, `stringData.PGPASSWORD`). */
export function mayBeCredential(resourceType: string, property: string, text: string): boolean {
    if (resourceType === "kubernetes:core/v1:Secret") return true;
    const lastKey =
        property
            .split(/[.[\]]/)
            .filter(Boolean)
            .pop() ?? "";
    return SECRET_NAME.test(lastKey) || URL_WITH_CREDENTIALS.test(text) || looksRandom(text);
}
