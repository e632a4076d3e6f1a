/** Reading Kubernetes objects the way the rules need them, whatever their source. */
import { ResourceView } from "./model";

export interface ContainerView {
    readonly path: string;
    readonly container: Record<string, any>;
    readonly pod: Record<string, any>;
}

/**
 * Where an object keeps its pod spec, found by shape rather than by kind: every workload
 * kind and apiVersion, core and legacy (ReplicaSet, ReplicationController, extensions/v1beta1,
 * apps/v1beta2, batch/v1beta1 CronJob) and kinds this code has never heard of (an Argo
 * Rollout, a Knative Service, a PodTemplate) are checked alike.
 */
const POD_SPEC_PATHS: ReadonlyArray<readonly string[]> = [
    ["spec", "template", "spec"],
    ["spec", "jobTemplate", "spec", "template", "spec"],
    ["template", "spec"],
    ["spec"],
];

function podSpecOf(props: any): { path: string; pod: Record<string, any> } | undefined {
    for (const segments of POD_SPEC_PATHS) {
        let cur = props;
        for (const s of segments) cur = cur?.[s];
        if (
            cur &&
            typeof cur === "object" &&
            (Array.isArray(cur.containers) || Array.isArray(cur.initContainers))
        )
            return { path: segments.join("."), pod: cur };
    }
    return undefined;
}

export function isWorkload(r: ResourceView): boolean {
    return podSpecOf(r.props) !== undefined;
}

/** Every container (and init container) of a workload, with its property path. */
export function containersOf(r: ResourceView): ContainerView[] {
    const found = podSpecOf(r.props);
    if (!found) return [];
    const out: ContainerView[] = [];
    for (const field of ["initContainers", "containers"]) {
        (found.pod[field] ?? []).forEach((c: any, i: number) =>
            out.push({ path: `${found.path}.${field}[${i}]`, container: c, pod: found.pod }),
        );
    }
    return out;
}

// API groups of Kubernetes itself, whose kinds the pack knows (what each field means).
const BUILT_IN_GROUP =
    /^(|apps|batch|extensions|policy|autoscaling|networking\.k8s\.io|rbac\.authorization\.k8s\.io|storage\.k8s\.io|apiextensions\.k8s\.io|admissionregistration\.k8s\.io|scheduling\.k8s\.io|coordination\.k8s\.io|discovery\.k8s\.io|events\.k8s\.io|node\.k8s\.io|certificates\.k8s\.io|flowcontrol\.apiserver\.k8s\.io|resource\.k8s\.io)$/;

/**
 * `apiVersion Kind` of a manifest object the pack cannot interpret: not one of Kubernetes'
 * own kinds and carrying no pod template (a cert-manager Certificate, a ServiceMonitor). Its
 * strings are still scanned (other environments' references, known-leaked values), but which
 * of its fields hold credentials is unknown. Undefined for everything the pack understands.
 */
export function uninterpretedKind(r: ResourceView): string | undefined {
    if (r.origin !== "manifests" || isWorkload(r)) return undefined;
    const apiVersion = String(r.props?.apiVersion ?? "");
    const group = apiVersion.includes("/") ? apiVersion.split("/")[0] : "";
    return BUILT_IN_GROUP.test(group) ? undefined : `${apiVersion} ${r.props?.kind}`;
}

/** A Secret's values, decoded: stringData as is, data from base64. */
export function secretValues(r: ResourceView): Record<string, string> {
    if (r.type !== "kubernetes:core/v1:Secret") return {};
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(r.props?.data ?? {}))
        if (typeof v === "string") out[k] = Buffer.from(v, "base64").toString("utf8");
    for (const [k, v] of Object.entries(r.props?.stringData ?? {}))
        if (typeof v === "string") out[k] = v;
    return out;
}

/** Pulumi type token of a Kubernetes object, e.g. apps/v1 Deployment → kubernetes:apps/v1:Deployment. */
export function typeToken(apiVersion: string, kind: string): string {
    const group = apiVersion.includes("/") ? apiVersion : `core/${apiVersion}`;
    return `kubernetes:${group}:${kind}`;
}

/** Walks every string in `value`, calling `visit(path, text)`. */
export function walkStrings(
    value: unknown,
    path: string,
    visit: (path: string, text: string) => void,
): void {
    if (typeof value === "string") visit(path, value);
    else if (Array.isArray(value)) value.forEach((v, i) => walkStrings(v, `${path}[${i}]`, visit));
    else if (value && typeof value === "object")
        for (const [k, v] of Object.entries(value))
            walkStrings(v, path ? `${path}.${k}` : k, visit);
}
