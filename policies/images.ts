/** Image references of workloads. */
import { containersOf } from "./kubernetes";
import { ResourceView } from "./model";

export interface ImageUse {
    readonly property: string;
    readonly image: string;
    readonly digest?: string;
    readonly registry: string;
}

export function imagesOf(r: ResourceView): ImageUse[] {
    return containersOf(r)
        .filter((c) => typeof c.container.image === "string")
        .map((c) => {
            const image: string = c.container.image;
            const digest = /@(sha256:[a-f0-9]{64})$/.exec(image)?.[1];
            const first = image.split("/")[0];
            const registry = image.includes("/") && (first.includes(".") || first.includes(":") || first === "localhost") ? first : "docker.io";
            return { property: `${c.path}.image`, image, digest, registry };
        });
}
