/**
 * A stand-in for the `random` resource provider's RandomPassword, used only where the upstream
 * pulumi-resource-random (PULUMI_RANDOM_VERSION in tools/versions.env) cannot be built: the Go
 * module proxy refuses its module (last tried 2026-11-28: 403 for the 4.21.1 pseudo-version).
 * Same inputs, defaults and replace-on-any-change behaviour as the upstream resource; the
 * password comes from node:crypto's CSPRNG and is returned as a secret.
 */
import { generate, withDefaults } from "./password";
import { secret, serve, UNKNOWN } from "./provider-server";

// It answers as the version the npm SDK asks for, which tools/versions.env pins (a test checks
// the pin against package.json); the launcher reads it from there.
const VERSION = process.env.PULUMI_RANDOM_VERSION;
if (!VERSION) {
    process.stderr.write(
        "pulumi-resource-random (stand-in): PULUMI_RANDOM_VERSION is not set; start it through its launcher, which reads tools/versions.env\n",
    );
    process.exit(2);
}
const TYPE = "random:index/randomPassword:RandomPassword";
serve({
    version: VERSION,
    check(type, _olds, news) {
        if (type !== TYPE)
            return {
                inputs: news,
                failures: [
                    {
                        property: "",
                        reason: `the random stand-in implements ${TYPE} only, not ${type}`,
                    },
                ],
            };
        const inputs = withDefaults(news);
        const failures =
            typeof inputs.length === "number" && inputs.length > 0
                ? []
                : [{ property: "length", reason: "length is required and must be positive" }];
        return { inputs, failures };
    },
    diff(_type, olds, news) {
        // Like the upstream resource: any input change makes a new password.
        const keys = [...new Set([...Object.keys(olds), ...Object.keys(news)])].filter(
            (k) => k !== "result" && JSON.stringify(olds[k]) !== JSON.stringify(news[k]),
        );
        return { changes: keys.length > 0, replaces: keys };
    },
    create(_type, _urn, props, preview) {
        return {
            id: "none",
            properties: { ...props, result: preview ? UNKNOWN : secret(generate(props)) },
        };
    },
});
