/** The app.kubernetes.io/* labels every resource of a service carries. */
export function appLabels(app: string, environment: string): Record<string, string> {
    return {
        "app.kubernetes.io/name": `keybuzz-${app}`,
        "app.kubernetes.io/instance": `keybuzz-${app}-${environment}`,
        "app.kubernetes.io/part-of": "keybuzz",
        "app.kubernetes.io/managed-by": "pulumi",
        "keybuzz.io/environment": environment,
    };
}

/** The subset used in selectors: stable across image and config changes. */
export function selectorLabels(app: string, environment: string): Record<string, string> {
    return {
        "app.kubernetes.io/name": `keybuzz-${app}`,
        "app.kubernetes.io/instance": `keybuzz-${app}-${environment}`,
    };
}
