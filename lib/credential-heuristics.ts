/** What makes a name or a value look like a credential: shared by config validation and the policy pack. */

// *_PASS, *_PWD (MYSQL_PWD, SMTP_PASS) are credentials; TOKEN_EXPIRY_SECONDS, TOKEN_TTL and
// TOKEN_URL are settings about tokens, not tokens.
export const SECRET_NAME =
    /(SECRET|PASSWORD|PASSWD|PASSPHRASE|_PASS$|^PASS$|_PWD$|^PWD$|REQUIREPASS|MASTERAUTH|TOKEN(?!_?(EXPIRY|EXPIRES|TTL|LIFETIME|URL|ENDPOINT|TYPE))|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|CREDENTIAL|_KEY$|^KEY$)/i;

// Settings about a credential rather than the credential: where it is (`password_file`,
// `secretName`, `jwt.secret.path`), its rules (`password.min.length`) or whether it is on.
const ABOUT_A_CREDENTIAL =
    /(NAME|FILE|PATH|REF|ENABLED|REQUIRED|LENGTH|HEADER|TYPE|ALGORITHM|ENCODING|POLICY|EXPIRY|TTL)$/i;
// A bare `key` says credential only under a parent that does (`api.key`, `jwt.key`, not `cache.key`).
const CREDENTIAL_PARENT =
    /(API|PRIVATE|ACCESS|SECRET|SIGNING|ENCRYPTION|JWT|HMAC|MASTER|LICEN[CS]E)$/i;

/**
 * Whether a setting inside a file (`spring.datasource.password`, `redis.requirepass`,
 * `db.password` of nested JSON) holds a credential, judged by its last segment.
 */
export function settingNamesCredential(key: string): boolean {
    const segments = key.split(/[.\/\[\]]+/).filter(Boolean);
    const leaf = segments.at(-1) ?? "";
    if (/^key$/i.test(leaf)) return CREDENTIAL_PARENT.test(segments.at(-2) ?? "");
    return SECRET_NAME.test(leaf) && !ABOUT_A_CREDENTIAL.test(leaf);
}

/**
 * scheme://user:password@host — credentials embedded in a URL. Every repetition is bounded:
 * an unbounded scheme made a 160 KB dotted string take minutes (each position re-scanned the
 * rest of the string); bounded, the work is linear in the text. The password is group 1.
 */
const URL_CREDENTIALS = String.raw`[a-z][a-z0-9+.-]{0,31}:\/\/[^\s:@/]{1,256}:([^\s@/]{1,1024})@`;
export const URL_WITH_CREDENTIALS = new RegExp(URL_CREDENTIALS, "i");
/** The same, global: every URL password of a text, for `matchAll`. */
export const URL_PASSWORDS = new RegExp(URL_CREDENTIALS, "gi");

/** Shannon entropy in bits per character. */
export function entropy(text: string): number {
    const counts = new Map<string, number>();
    for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    let h = 0;
    for (const n of counts.values()) {
        const p = n / text.length;
        h -= p * Math.log2(p);
    }
    return h;
}

/** A token-like random string (base64/hex keys): long, no spaces or dots, high entropy. */
export function looksRandom(text: string): boolean {
    return /^[A-Za-z0-9+/=_-]{24,}$/.test(text) && entropy(text) >= 4.2;
}
