import { imagesOf } from "../images";
import { Finding, finding, NotVerified, PolicyRule } from "../model";

export const prodImagesPromoted: PolicyRule = {
    name: "prod-images-promoted",
    description:
        "Checks that, where the environment requires it (requirePromoted), every image digest is one the promotion recorded after it was verified in the source stage.",
    enforcementLevel: "mandatory",
    configKeys: ["requirePromoted", "promotedDigests"],
    check(resources, config) {
        const findings: Finding[] = [];
        const notVerified: NotVerified[] = [];
        if (!config.requirePromoted) return { findings, notVerified };
        if (!config.promotedDigests) {
            notVerified.push({
                policy: this.name,
                reason: "the promotion ledger was not available (policy config promotedDigests); whether the images were promoted was not checked",
            });
            return { findings, notVerified };
        }
        const promoted = new Set(config.promotedDigests);
        for (const r of resources) {
            for (const img of imagesOf(r)) {
                if (!img.digest || promoted.has(img.digest)) continue;
                findings.push(
                    finding(
                        this,
                        r,
                        img.property,
                        `${r.type.split(":")[2]} ${r.name} runs ${img.digest}, which no promotion recorded; only digests verified in DEV may run in ${config.environment}.`,
                        {
                            stack:
                                "promote a verified DEV digest: npm run promote -- plan --stack " +
                                config.environment,
                            manifests:
                                "run only a digest that was verified in the source stage and recorded by a promotion (the promotion ledger lists them)",
                        },
                    ),
                );
            }
        }
        return { findings, notVerified };
    },
};
