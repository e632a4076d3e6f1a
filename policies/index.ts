/**
 * The CrossGuard policy pack: `pulumi preview --policy-pack policies --policy-pack-config <file>`.
 * Each rule runs as a stack policy over the resources the engine sees; the same rule code
 * runs in `npm run policy:check`. Config per environment (never a stack-name branch): each
 * policy reads the PackConfig keys it declares; `npm run policy:check` documents them.
 */
import { PolicyPack, PolicyConfigSchema, StackValidationPolicy } from "@pulumi/policy";
import {
    crossGuardConfigSchema,
    PackConfigKey,
    packConfigSchema,
    parsePackConfig,
} from "./config-schema";
import { PolicyRule, ResourceView } from "./model";
import { RULES } from "./rules";

function asPolicy(rule: PolicyRule): StackValidationPolicy {
    return {
        name: rule.name,
        description: rule.description,
        enforcementLevel: rule.enforcementLevel,
        configSchema: crossGuardConfigSchema(rule.configKeys) as PolicyConfigSchema,
        validateStack: (args, reportViolation) => {
            const config = parsePackConfig(args.getConfig());
            const result = rule.check(viewsOf(args), config);
            for (const f of result.findings)
                reportViolation(`${f.message}\nfix: ${f.fix}`, f.resource.urn);
        },
    };
}

function viewsOf(args: {
    resources: ReadonlyArray<{ type: string; name: string; urn: string; props: any }>;
}): ResourceView[] {
    return args.resources.map((r) => ({
        type: r.type,
        name: r.props?.metadata?.name ?? r.name,
        urn: r.urn,
        props: r.props,
    }));
}

// CrossGuard has no "not verified" state and a mandatory policy cannot report one without
// failing the preview: an advisory policy lists every check whose evidence was missing.
const evidenceAvailable: StackValidationPolicy = {
    name: "evidence-available",
    description:
        "Checks that every policy had the evidence it needs (other environments' fingerprints, the promotion ledger); a missing one is reported, never passed silently.",
    enforcementLevel: "advisory",
    configSchema: crossGuardConfigSchema(
        Object.keys(packConfigSchema.shape) as PackConfigKey[],
    ) as PolicyConfigSchema,
    validateStack: (args, reportViolation) => {
        const config = parsePackConfig(args.getConfig());
        for (const rule of RULES)
            for (const n of rule.check(viewsOf(args), config).notVerified)
                reportViolation(`not verified (${n.policy}): ${n.reason}`);
    },
};

new PolicyPack("keybuzz-platform", { policies: [...RULES.map(asPolicy), evidenceAvailable] });
