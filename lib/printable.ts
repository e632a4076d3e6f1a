/** Control characters (ANSI escapes among them) from untrusted text, made visible instead of obeyed. */
export function printable(text: string): string {
    return text.replace(
        /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g,
        (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
    );
}
