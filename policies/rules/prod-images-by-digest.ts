import { imagesOf } from "../images";
import { Finding, finding, PolicyRule } from "../model";

export const prodImagesByDigest: PolicyRule = {
    name: "prod-images-by-digest",
    description:
        "Checks that, where the environment requires it (requireDigest), every container image is pinned by an immutable @sha256: digest, not a mutable tag.",
    enforcementLevel: "mandatory",
    configKeys: ["requireDigest"],
    check(resources, config) {
        const findings: Finding[] = [];
        if (!config.requireDigest) return { findings, notVerified: [] };
        for (const r of resources) {
            for (const img of imagesOf(r)) {
                if (img.digest) continue;
                findings.push(
                    finding(
                        this,
                        r,
                        img.property,
                        `${r.type.split(":")[2]} ${r.name} runs ${img.image} by a mutable tag in environment ${config.environment}; it must run an image by digest.`,
                        {
                            stack: "promote the image (npm run promote -- plan) so the stack runs image@sha256:…",
                            manifests:
                                "pin the image by digest (image: <repository>@sha256:<digest>, the digest that was verified before release; `skopeo inspect docker://<image>` shows it)",
                        },
                    ),
                );
            }
        }
        return { findings, notVerified: [] };
    },
};
