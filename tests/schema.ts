/**
 * Validates Kubernetes objects against the Kubernetes OpenAPI schema, with the validators that
 * kubernetes-models generates from it. kubernetes-models is an ES module, so it is loaded with a
 * real dynamic import (kept as such by the `node16` module setting).
 */

type Model = { validate(): void };
type ModelClass = new (data: never) => Model;

const MODELS: Record<string, () => Promise<ModelClass>> = {
    "v1/Service": async () => (await import("kubernetes-models/v1/Service")).Service,
    "v1/Pod": async () => (await import("kubernetes-models/v1/Pod")).Pod,
    "v1/ConfigMap": async () => (await import("kubernetes-models/v1/ConfigMap")).ConfigMap,
    "batch/v1/Job": async () => (await import("kubernetes-models/batch/v1/Job")).Job,
    "networking.k8s.io/v1/NetworkPolicy": async () =>
        (await import("kubernetes-models/networking.k8s.io/v1/NetworkPolicy")).NetworkPolicy,
};

/** Throws with the schema's complaint when `object` is not a valid Kubernetes object. */
export async function validateObject(object: Record<string, unknown>): Promise<void> {
    const key = `${object.apiVersion}/${object.kind}`;
    const load = MODELS[key];
    if (load === undefined) {
        throw new Error(`no schema loaded for ${key}`);
    }
    const Model = await load();
    new Model(object as never).validate();
}
