/** Property paths in findings: `…containers[0].env.NEXTAUTH_SECRET` rather than `env[3].value`. */

function at(root: any, path: string): any {
    return path
        .split(/\.|\[|\]/)
        .filter(Boolean)
        .reduce((v: any, k) => (v == null ? undefined : v[k]), root);
}

export function readablePath(props: any, path: string): string {
    const m = /^(.*\.(?:init)?[cC]ontainers\[\d+\])\.env\[(\d+)\]\.value$/.exec(path);
    if (m) {
        const name = at(props, `${m[1]}.env[${m[2]}].name`);
        if (typeof name === "string") return `${m[1]}.env.${name}`;
    }
    return path;
}

/** Short human phrase for a path: "env NEXT_PUBLIC_BACKEND_URL", "data.DATABASE_URL", or the path. */
export function describePath(path: string): string {
    const env = /\.env\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(path);
    if (env) return `env ${env[1]}`;
    return path;
}

/** Fields never scanned: tooling copies of the whole object and our own fingerprint records. */
export const IGNORED_PATHS = [
    /^metadata\.annotations\.kubectl\.kubernetes\.io\/last-applied-configuration$/,
    /^metadata\.managedFields/,
    /^status\b/,
    /^metadata\.annotations\.keybuzz\.io\/fingerprints$/,
    /^__/,
];

export function ignored(path: string): boolean {
    return IGNORED_PATHS.some((re) => re.test(path));
}
