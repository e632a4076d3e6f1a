/** Reading Kubernetes objects the way the rules need them, whatever their source. */
import { ResourceView } from "./model";

export interface ContainerView {
    readonly path: string;
    readonly container: Record<string, any>;
    readonly pod: Record<string, any>;
}

const WORKLOADS: Record<string, (props: any) => any> = {
    "kubernetes:apps/v1:Deployment": (p) => p?.spec?.template?.spec,
    "kubernetes:apps/v1:StatefulSet": (p) => p?.spec?.template?.spec,
    "kubernetes:apps/v1:DaemonSet": (p) => p?.spec?.template?.spec,
    "kubernetes:batch/v1:Job": (p) => p?.spec?.template?.spec,
    "kubernetes:batch/v1:CronJob": (p) => p?.spec?.jobTemplate?.spec?.template?.spec,
    "kubernetes:core/v1:Pod": (p) => p?.spec,
};

export function isWorkload(r: ResourceView): boolean {
    return r.type in WORKLOADS;
}

export function podSpecPath(type: string): string {
    return { "kubernetes:batch/v1:CronJob": "spec.jobTemplate.spec.template.spec", "kubernetes:core/v1:Pod": "spec" }[type] ?? "spec.template.spec";
}

/** Every container (and init container) of a workload, with its property path. */
export function containersOf(r: ResourceView): ContainerView[] {
    const pod = WORKLOADS[r.type]?.(r.props);
    if (!pod) return [];
    const base = podSpecPath(r.type);
    const out: ContainerView[] = [];
    for (const field of ["initContainers", "containers"]) {
        (pod[field] ?? []).forEach((c: any, i: number) => out.push({ path: `${base}.${field}[${i}]`, container: c, pod }));
    }
    return out;
}

/** A Secret's values, decoded: stringData as is, data from base64. */
export function secretValues(r: ResourceView): Record<string, string> {
    if (r.type !== "kubernetes:core/v1:Secret") return {};
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(r.props?.data ?? {})) if (typeof v === "string") out[k] = Buffer.from(v, "base64").toString("utf8");
    for (const [k, v] of Object.entries(r.props?.stringData ?? {})) if (typeof v === "string") out[k] = v;
    return out;
}

/** Pulumi type token of a Kubernetes object, e.g. apps/v1 Deployment → kubernetes:apps/v1:Deployment. */
export function typeToken(apiVersion: string, kind: string): string {
    const group = apiVersion.includes("/") ? apiVersion : `core/${apiVersion}`;
    return `kubernetes:${group}:${kind}`;
}

/** Walks every string in `value`, calling `visit(path, text)`. */
export function walkStrings(value: unknown, path: string, visit: (path: string, text: string) => void): void {
    if (typeof value === "string") visit(path, value);
    else if (Array.isArray(value)) value.forEach((v, i) => walkStrings(v, `${path}[${i}]`, visit));
    else if (value && typeof value === "object") for (const [k, v] of Object.entries(value)) walkStrings(v, path ? `${path}.${k}` : k, visit);
}
