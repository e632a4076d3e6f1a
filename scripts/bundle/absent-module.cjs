// Stands in, inside the policy:check bundle only, for packages the Pulumi SDK loads at start
// but uses only to serialize dynamic providers' code (typescript, @npmcli/arborist), which a
// program run under mocks never does (lib/mock-run.ts). Loading them was a third of the
// command's start. Any use fails loudly, naming what was used.
module.exports = new Proxy(
    {},
    {
        get(_target, property) {
            // What module loaders probe on every module: answered as an empty module.
            if (
                typeof property === "symbol" ||
                ["__esModule", "default", "then"].includes(property)
            )
                return undefined;
            throw new Error(
                `${String(property)}: this package is left out of the policy:check bundle (scripts/bundle/absent-module.cjs); it serializes dynamic providers, which a run under mocks never does`,
            );
        },
    },
);
