/** Image references of workloads. */
import { digestOf, registryOf } from "../image/reference";
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
            return {
                property: `${c.path}.image`,
                image,
                digest: digestOf(image),
                registry: registryOf(image),
            };
        });
}
