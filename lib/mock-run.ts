/**
 * Runs the Pulumi program under the SDK's mocks and returns every resource it registered,
 * with its inputs. Unit tests and `policy:check` both use it: no engine, no backend, no
 * cluster, a few hundred milliseconds per stack.
 */
import * as pulumi from "@pulumi/pulumi";

export interface RegisteredResource {
    readonly type: string;
    readonly name: string;
    readonly urn: string;
    readonly inputs: Record<string, any>;
    readonly custom: boolean;
}

const PROJECT = "keybuzz-platform";

/**
 * Under mocks nothing is deployed, so a dynamic provider's code never runs: serializing its
 * closure (the SDK parses every captured function with the TypeScript compiler, most of a
 * policy:check's CPU) is work for nothing: the serializer answers with a placeholder text
 * in this process once mocks are set.
 */
function skipDynamicProviderSerialization(): void {
    const serializer =
        require("@pulumi/pulumi/runtime/closure/serializeClosure") as typeof import("@pulumi/pulumi/runtime/closure/serializeClosure");
    const placeholder = {
        text: "// not serialized: the program ran under mocks (policy checks, unit tests)",
        containsSecrets: false,
    };
    // The SDK's dynamic resources call it through the module object at each registration.
    (serializer as { serializeFunction: unknown }).serializeFunction = async () => placeholder;
}

/** Outputs of other stacks, by stack name, served to StackReferences. */
export type StackOutputs = Record<string, Record<string, unknown>>;

// Deterministic stand-ins for provider-computed values (a random password's result, a
// StackReference's outputs).
function computedState(
    type: string,
    name: string,
    inputs: Record<string, any>,
    stacks: StackOutputs,
): Record<string, any> {
    if (type === "pulumi:pulumi:StackReference") {
        return { ...inputs, outputs: stacks[inputs.name ?? name] ?? {}, secretOutputNames: [] };
    }
    if (type === "random:index/randomPassword:RandomPassword") {
        const length = typeof inputs.length === "number" ? inputs.length : 32;
        return {
            ...inputs,
            result: `mock-${name}-`.padEnd(length, "x").slice(0, Math.max(length, 12)),
        };
    }
    return inputs;
}

/**
 * Calls `program` with mocks installed for `stack`, waits until every registration has
 * landed, and returns the resources and what the program returned.
 */
export async function runUnderMocks<T>(
    stack: string,
    program: () => T,
    stacks: StackOutputs = {},
): Promise<{ resources: RegisteredResource[]; result: T }> {
    const resources: RegisteredResource[] = [];
    skipDynamicProviderSerialization();
    await pulumi.runtime.setMocks(
        {
            newResource(args: pulumi.runtime.MockResourceArgs) {
                const state = computedState(args.type, args.name, args.inputs, stacks);
                resources.push({
                    type: args.type,
                    name: args.name,
                    urn: `urn:pulumi:${stack}::${PROJECT}::${args.type}::${args.name}`,
                    inputs: state,
                    custom: args.custom ?? true,
                });
                return { id: `${args.name}-id`, state };
            },
            call(args: pulumi.runtime.MockCallArgs) {
                return args.inputs;
            },
        },
        PROJECT,
        stack,
        true,
    );
    const result = program();
    await settle(resources);
    return { resources, result };
}

/** Waits until no new registration has arrived for several event-loop turns. */
async function settle(resources: RegisteredResource[]): Promise<void> {
    let last = -1;
    let quiet = 0;
    while (quiet < 20) {
        await new Promise((r) => setTimeout(r, 2));
        if (resources.length === last) quiet++;
        else {
            quiet = 0;
            last = resources.length;
        }
    }
}

/** Resolves an Output to its value (unit tests only; unknowns resolve to undefined). */
export function valueOf<T>(output: pulumi.Output<T> | T): Promise<T> {
    return new Promise((resolve) =>
        pulumi.Output.isInstance(output)
            ? (output as pulumi.Output<T>).apply((v) => resolve(v))
            : resolve(output as T),
    );
}
