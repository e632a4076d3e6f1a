/** Advisory: images only from registries the organisation mirrors and scans. */
import { imagesOf } from "../images";
import { isWorkload } from "../kubernetes";
import { Finding, finding, PolicyRule } from "../model";

export const allowedRegistries: PolicyRule = {
    name: "allowed-registries",
    description: "Checks that every image comes from an allowed registry (allowedRegistries).",
    enforcementLevel: "advisory",
    configKeys: ["allowedRegistries"],
    check(resources, config) {
        const findings: Finding[] = [];
        for (const r of resources)
            if (isWorkload(r))
                for (const img of imagesOf(r)) {
                    if (
                        config.allowedRegistries.length &&
                        !config.allowedRegistries.includes(img.registry)
                    ) {
                        findings.push(
                            finding(
                                this,
                                r,
                                img.property,
                                `${r.type.split(":")[2]} ${r.name} pulls ${img.image} from ${img.registry}, not an allowed registry (${config.allowedRegistries.join(", ")}).`,
                                "mirror the image into an allowed registry",
                            ),
                        );
                    }
                }
        return { findings, notVerified: [] };
    },
};
