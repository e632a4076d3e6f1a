import * as assert from "node:assert/strict";
import { loadStackConfig } from "../../config/load";
import { SecretValue } from "../../config/secret";
import { ConfigError, validateStackConfig } from "../../config/validate";
import { runUnderMocks } from "../../lib/mock-run";
import { deployPlatform } from "../../program";
import { auditLeakedNextauthSecret, editedRaw, identityOfStack } from "../support/stacks";

/** Runs the whole program for an edited prod config; returns the error and what got registered. */
async function runInvalid(
    stack: "dev" | "prod",
    edit: (raw: any) => void,
): Promise<{ error: ConfigError; registered: number }> {
    const other = stack === "prod" ? "dev" : "prod";
    const raw = editedRaw(stack, edit);
    const { resources, result } = await runUnderMocks(stack, () => {
        try {
            deployPlatform(loadStackConfig(stack, [identityOfStack(other)], raw));
            return undefined;
        } catch (e) {
            return e;
        }
    });
    assert.ok(result instanceof ConfigError, `expected a ConfigError, got ${result}`);
    return { error: result, registered: resources.length };
}

const cases: Array<{
    should: string;
    stack?: "dev" | "prod";
    edit: (raw: any) => void;
    message: string;
}> = [
    {
        should: "refuses prod using the dev DB user, naming the key and the value",
        edit: (r) => (r.database.user = "keybuzz_api_dev"),
        message: `keybuzz-platform:database.user: "keybuzz_api_dev" belongs to environment dev (declared by Pulumi.dev.yaml), not prod`,
    },
    {
        should: "refuses prod calling the dev backend",
        edit: (r) => (r.services.api.backendHost = "backend-dev.keybuzz.io"),
        message: `keybuzz-platform:services.api.backendHost: "backend-dev.keybuzz.io" belongs to environment dev (declared by Pulumi.dev.yaml), not prod`,
    },
    {
        should: "refuses prod sharing dev's database name",
        edit: (r) => (r.database.name = "keybuzz_dev"),
        message: `keybuzz-platform:database.name: "keybuzz_dev" belongs to environment dev (declared by Pulumi.dev.yaml), not prod`,
    },
    {
        should: "refuses a dev-marked host that no stack file declares",
        edit: (r) =>
            r.services.client.hosts.push("client-dev2.keybuzz.io".replace("dev2", "staging-dev")),
        message: `keybuzz-platform:services.client.hosts[1]: "client-staging-dev.keybuzz.io" belongs to environment dev (the word "dev" marks dev values), not prod`,
    },
    {
        should: "refuses prod in dev's namespace",
        edit: (r) => (r.namespace = "keybuzz-dev"),
        message: `keybuzz-platform:namespace: "keybuzz-dev" belongs to environment dev (declared by Pulumi.dev.yaml), not prod`,
    },
    {
        should: "refuses a stack that declares another environment",
        edit: (r) => (r.environment = "dev"),
        message: `keybuzz-platform:environment: is "dev" but the stack is "prod"`,
    },
    {
        should: "refuses a plaintext value under a secret key",
        edit: (r) => (r.smtpPassword = "hunter2-plain"),
        message:
            "keybuzz-platform:smtpPassword: holds a plaintext value; credentials must be stored encrypted\n    fix: pulumi config set --secret smtpPassword <value> --stack prod",
    },
    {
        should: "refuses the NEXTAUTH_SECRET printed in the audit report",
        edit: (r) =>
            (r.nextauthSecret = new SecretValue("nextauthSecret", auditLeakedNextauthSecret())),
        message:
            "keybuzz-platform:nextauthSecret: is a known-leaked value (PH28.1 audit report §4 (NEXTAUTH_SECRET))",
    },
    {
        should: "refuses prod with a single replica",
        edit: (r) => (r.services.api.replicas = 1),
        message: "keybuzz-platform:services.api.replicas: is 1; environment prod runs at least 2",
    },
    {
        should: "refuses an image reference that is not an OCI reference",
        edit: (r) => (r.services.api.image = "ghcr.io/keybuzzio/Keybuzz-API"),
        message: `keybuzz-platform:services.api.image: "ghcr.io/keybuzzio/Keybuzz-API" must be an OCI image reference with a tag or digest`,
    },
    {
        should: "refuses an external database without a host",
        edit: (r) => delete r.database.host,
        message: "keybuzz-platform:database.host: is required when database.mode is external",
    },
    {
        should: "refuses a missing secret and says how to set it",
        edit: (r) => delete r.googleClientSecret,
        message:
            "keybuzz-platform:googleClientSecret: is required and missing\n    fix: pulumi config set --secret googleClientSecret <value> --stack <stack>",
    },
    {
        should: "refuses an unknown key",
        edit: (r) => (r.database.passwrd = "x"),
        message: "keybuzz-platform:database.passwrd: unknown key database.passwrd",
    },
    {
        should: "refuses a backend host that is not one of the API's hosts",
        edit: (r) => (r.services.api.backendHost = "backend2.keybuzz.io"),
        message: `keybuzz-platform:services.api.backendHost: "backend2.keybuzz.io" is not one of the API's hosts (api.keybuzz.io, backend.keybuzz.io)`,
    },
    {
        should: "refuses dev using a prod host",
        stack: "dev",
        edit: (r) => (r.services.website.hosts = ["keybuzz.pro"]),
        message: `keybuzz-platform:services.website.hosts[0]: "keybuzz.pro" belongs to environment prod (declared by Pulumi.prod.yaml), not dev`,
    },
    {
        should: "refuses one host routed to two services",
        edit: (r) => r.services.website.hosts.push("client.keybuzz.io"),
        message: `keybuzz-platform:services.website.hosts[1]: "client.keybuzz.io" is also a host of client`,
    },
];

describe("invalid stack config", () => {
    for (const c of cases) {
        it(c.should + ", registering no resource", async () => {
            const { error, registered } = await runInvalid(c.stack ?? "prod", c.edit);
            assert.ok(error.message.includes(c.message), `message was:\n${error.message}`);
            assert.equal(registered, 0);
        });
    }

    it("reports every problem at once", async () => {
        const { error } = await runInvalid("prod", (r) => {
            r.database.user = "keybuzz_api_dev";
            r.services.client.replicas = 1;
            r.registryPassword = "plain";
        });
        assert.equal(error.issues.length, 3, error.message);
        assert.match(
            error.message,
            /^Invalid config for stack "prod" \(Pulumi\.prod\.yaml\): 3 problems; nothing was deployed\./,
        );
    });

    it("never prints a secret value in a message", async () => {
        const { error } = await runInvalid(
            "prod",
            (r) =>
                (r.nextauthSecret = new SecretValue("nextauthSecret", auditLeakedNextauthSecret())),
        );
        assert.ok(!error.message.includes(auditLeakedNextauthSecret()), error.message);
    });
});

describe("validation messages echo values safely", () => {
    it("never echoes a credential-like wrong value, and cuts any echoed value to 120 characters", () => {
        const leakedUrl = ["https://ci:hunter2-hunter2@registry.example"];
        const r = validateStackConfig(
            "prod",
            editedRaw(
                "prod",
                (c) => ((c.registry.username = leakedUrl), (c.auth.smtp.user = ["x".repeat(5000)])),
            ),
            [],
        );
        assert.equal(r.ok, false);
        const text = JSON.stringify(r);
        assert.ok(!text.includes("hunter2"), "a credential was echoed");
        const smtp = (r as any).issues.find((i: any) => i.path === "auth.smtp.user");
        assert.ok(smtp.problem.length < 200, smtp.problem);
        assert.match(smtp.problem, /x{100,}…/);
    });
});
