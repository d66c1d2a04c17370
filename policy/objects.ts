/**
 * Reading the Kubernetes objects of a stack as the policies receive them: plain JSON, where any
 * value may be unknown during a preview (reading it throws) and where nothing has been checked
 * against the Kubernetes schema yet. Each function reads only the fields it needs, so an unknown
 * value elsewhere in an object does not stop a check that does not depend on it.
 */
import { tryRead } from "./unknowns";

export const JOB_TYPE = "kubernetes:batch/v1:Job";
export const POD_TYPE = "kubernetes:core/v1:Pod";
export const SERVICE_TYPE = "kubernetes:core/v1:Service";

/** The annotation Pulumi's Kubernetes provider puts on an object it named itself. */
export const AUTONAMED_ANNOTATION = "pulumi.com/autonamed";

/**
 * Labels that the API server adds to the pod template of a Job without `manualSelector`, with the
 * Job's name as their value (unless the template sets them itself).
 */
export const JOB_NAME_LABELS: readonly string[] = ["batch.kubernetes.io/job-name", "job-name"];

/**
 * The label PeerJob puts on its pods and its Service selects, `SELECTOR_LABEL` in
 * `components/validation.ts` (a test keeps the two equal). It is repeated here because importing
 * that module would make the Pulumi CLI type-check the Kubernetes SDK's types each time it loads
 * the pack, which takes seconds.
 */
export const PEER_JOB_SELECTOR_LABEL = "peer-job/job-name";

/**
 * The label the Job controller puts on each pod of an Indexed Job, with the pod's completion index
 * as its value, on Kubernetes 1.28 and later (feature gate `PodIndexLabel`, on by default; GA in
 * 1.32). It replaces any value the pod template gives it, and shares its key with the annotation
 * that carries the index on every version.
 */
export const COMPLETION_INDEX_LABEL = "batch.kubernetes.io/job-completion-index";

/** Labels whose presence in a Service's selector means it selects the pods of one Job. */
export const JOB_POD_LABELS: readonly string[] = [...JOB_NAME_LABELS, PEER_JOB_SELECTOR_LABEL];

/** A JSON object as a policy receives it. */
export type Json = Record<string, unknown>;

/** `value` as an object, or `undefined` when it is anything else. */
export function asObject(value: unknown): Json | undefined {
    return value !== null && typeof value === "object" && !Array.isArray(value)
        ? (value as Json)
        : undefined;
}

/** `value` as a non-empty string, or `undefined`. */
export function asString(value: unknown): string | undefined {
    return typeof value === "string" && value.length > 0 ? value : undefined;
}

/** `value` as a finite number, or `undefined`. */
export function asNumber(value: unknown): number | undefined {
    return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

/** `value` as an array, or an empty one. */
export function asArray(value: unknown): unknown[] {
    return Array.isArray(value) ? value : [];
}

/** The value at `path` below `root`, reading one field at a time. */
export function at(root: unknown, ...path: string[]): unknown {
    let value = root;
    for (const key of path) {
        const object = asObject(value);
        if (object === undefined) {
            return undefined;
        }
        value = object[key];
    }
    return value;
}

/** A Job or a bare Pod: an object whose pods may have peers. */
export interface Workload {
    kind: "Job" | "Pod";
    /** The Pulumi resource name, which names the object when `metadata.name` is not given. */
    resourceName: string;
    props: Json;
    /** Where the pod spec lies in the object, for messages. */
    podSpecPath: "spec.template.spec" | "spec";
}

/** The workload view of a resource, or `undefined` when it is neither a Job nor a Pod. */
export function workloadOf(type: string, resourceName: string, props: Json): Workload | undefined {
    if (type === JOB_TYPE) {
        return { kind: "Job", resourceName, props, podSpecPath: "spec.template.spec" };
    }
    if (type === POD_TYPE) {
        return { kind: "Pod", resourceName, props, podSpecPath: "spec" };
    }
    return undefined;
}

/** The spec of the workload's pods. */
export function podSpecOf(workload: Workload): Json | undefined {
    const path = workload.kind === "Job" ? ["spec", "template", "spec"] : ["spec"];
    return asObject(at(workload.props, ...path));
}

/** The labels the workload's pods carry, as declared (see {@link effectivePodLabel}). */
export function declaredPodLabelsOf(workload: Workload): Json | undefined {
    const path = workload.kind === "Job" ? ["spec", "template", "metadata"] : ["metadata"];
    return asObject(at(workload.props, ...path, "labels"));
}

/** The `subdomain` of the workload's pods, or `undefined` when they have none. */
export function subdomainOf(workload: Workload): string | undefined {
    return asString(podSpecOf(workload)?.subdomain);
}

/**
 * How the value of a pod label is known: declared in the object, added by the API server with a
 * value this policy can compute, added with a value it cannot know (the name the provider has yet
 * to choose), the completion index the Job controller gives each pod of an Indexed Job (one value
 * per pod), or absent (with a note on where the label would come from, when there is one).
 */
export type PodLabel =
    | { state: "value"; value: string }
    | { state: "unchecked"; reason: string }
    | { state: "completionIndex" }
    | { state: "absent"; note?: string };

/**
 * The value the workload's pods will carry for label `key`, counting the labels the API server
 * adds to a Job's pod template.
 */
export function effectivePodLabel(workload: Workload, key: string): PodLabel {
    const indexLabel = workload.kind === "Job" && key === COMPLETION_INDEX_LABEL;
    if (indexLabel && completionModeOf(workload.props) === "Indexed") {
        return { state: "completionIndex" };
    }
    const declared = declaredPodLabelsOf(workload)?.[key];
    if (typeof declared === "string") {
        return { state: "value", value: declared };
    }
    const addedByApiServer =
        workload.kind === "Job" &&
        JOB_NAME_LABELS.includes(key) &&
        at(workload.props, "spec", "manualSelector") !== true;
    if (!addedByApiServer) {
        return indexLabel
            ? { state: "absent", note: "the Job controller adds it to an Indexed Job's pods only" }
            : { state: "absent" };
    }
    const name = nameOf(workload.props);
    return name === undefined
        ? {
              state: "unchecked",
              reason: `the Job has no metadata.name, so "${key}" has no value yet`,
          }
        : { state: "value", value: name };
}

/**
 * The object's `metadata.name`: the one it was given, or the one the provider generated (see
 * {@link isAutoNamed}); `undefined` while naming is left to the provider.
 */
export function nameOf(props: Json): string | undefined {
    return asString(at(props, "metadata", "name"));
}

/**
 * Whether the provider names the object: no `metadata.name` in its inputs, or the annotation the
 * provider adds once it has generated one.
 */
export function isAutoNamed(props: Json): boolean {
    return (
        nameOf(props) === undefined ||
        at(props, "metadata", "annotations", AUTONAMED_ANNOTATION) === "true"
    );
}

/**
 * Who will name an object that has no `metadata.name` yet, and how: the API server from its
 * `metadata.generateName`, or else the Kubernetes provider from its Pulumi name. Both add a
 * random suffix.
 */
export function futureName(props: Json, resourceName: string): string {
    const prefix = asString(at(props, "metadata", "generateName"));
    return prefix === undefined
        ? `the provider names it "${resourceName}-" plus a random suffix`
        : `the API server names it "${prefix}" (its metadata.generateName) plus a random suffix`;
}

/**
 * How an object is named in messages: `Job "example-job"`, or by its Pulumi resource name when
 * it has no `metadata.name` or its name is not known in this preview.
 */
export function describe(kind: string, resourceName: string, props: Json): string {
    const name = tryRead(() => nameOf(props));
    if (!name.known) {
        return `${kind} "${resourceName}" (name not known in this preview)`;
    }
    return name.value === undefined
        ? `${kind} "${resourceName}" (Pulumi name; no metadata.name)`
        : `${kind} "${name.value}"`;
}

/** How many pods a Job runs, with the API server's defaults applied. */
export interface JobPods {
    /** `spec.completions`, `undefined` for a work-queue Job that leaves it unset. */
    completions: number | undefined;
    /** `spec.parallelism`, which defaults to 1. */
    parallelism: number;
    /** Whether `spec.parallelism` was left to its default. */
    parallelismDefaulted: boolean;
    /** Whether the Job runs more than one pod in all. */
    multiplePods: boolean;
}

export function jobPodsOf(props: Json): JobPods {
    const completions = asNumber(at(props, "spec", "completions"));
    const declaredParallelism = asNumber(at(props, "spec", "parallelism"));
    const parallelism = declaredParallelism ?? 1;
    return {
        completions,
        parallelism,
        parallelismDefaulted: declaredParallelism === undefined,
        multiplePods: completions === undefined ? parallelism > 1 : completions > 1,
    };
}

/** `spec.completionMode` with its default, `NonIndexed`. */
export function completionModeOf(props: Json): string {
    return asString(at(props, "spec", "completionMode")) ?? "NonIndexed";
}

/**
 * The namespace an object lands in: its own `metadata.namespace`, else its provider's `namespace`
 * setting, else `undefined`, meaning the provider's default (its kubeconfig context's namespace,
 * or `default`), which a policy cannot see.
 */
export function namespaceOf(props: Json, providerProps: Json | undefined): string | undefined {
    return asString(at(props, "metadata", "namespace")) ?? asString(providerProps?.namespace);
}

/**
 * Whether two objects share a namespace. Two objects that both leave it to the provider are
 * taken to share it; one that names a namespace and one that does not are `undecided`.
 */
export function sameNamespace(a: string | undefined, b: string | undefined): boolean | "undecided" {
    if (a === undefined && b === undefined) {
        return true;
    }
    if (a === undefined || b === undefined) {
        return "undecided";
    }
    return a === b;
}

/** How a namespace reads in a message. */
export function describeNamespace(namespace: string | undefined): string {
    return namespace === undefined ? "the provider's namespace" : `namespace "${namespace}"`;
}

/** A short JSON rendering of a value for messages. */
export function formatValue(value: unknown): string {
    const text = JSON.stringify(value) ?? String(value);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
