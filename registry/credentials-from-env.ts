/** Registry credentials as CI passes them (environment variables). */
export function registryCredentialsFromEnv(env: NodeJS.ProcessEnv = process.env): {
    username?: string;
    password?: string;
    scheme?: "http" | "https";
} {
    return {
        username: env.KEYBUZZ_REGISTRY_USERNAME,
        password: env.KEYBUZZ_REGISTRY_PASSWORD,
        // http only ever for a loopback test registry.
        scheme:
            env.KEYBUZZ_REGISTRY_SCHEME === "http"
                ? "http"
                : env.KEYBUZZ_REGISTRY_SCHEME === "https"
                  ? "https"
                  : undefined,
    };
}
