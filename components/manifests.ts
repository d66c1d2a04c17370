import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

import { peerEnvVars } from "./peerEnv";
import { PlainPodTemplate, ResolvedPeerJob, SELECTOR_LABEL } from "./validation";

type ObjectMeta = pulumi.Unwrap<k8s.types.input.meta.v1.ObjectMeta>;
type ServiceSpec = pulumi.Unwrap<k8s.types.input.core.v1.ServiceSpec>;
type JobSpec = pulumi.Unwrap<k8s.types.input.batch.v1.JobSpec>;
type Container = pulumi.Unwrap<k8s.types.input.core.v1.Container>;

/** The body of a Kubernetes object as PeerJob declares it; the namespace is added separately. */
export interface Manifest<Spec> {
    metadata: ObjectMeta;
    spec: Spec;
}

/** The selector that ties the Service to this Job's pods, and to nothing else. */
export function peerSelector(jobName: string): Record<string, string> {
    return { [SELECTOR_LABEL]: jobName };
}

/** The headless Service whose name is the pods' subdomain. */
export function serviceManifest(job: ResolvedPeerJob): Manifest<ServiceSpec> {
    return {
        metadata: {
            name: job.serviceName,
            labels: job.labels,
            annotations: job.serviceAnnotations,
        },
        spec: {
            clusterIP: "None",
            selector: peerSelector(job.jobName),
            publishNotReadyAddresses: job.publishNotReadyAddresses,
            ports: job.ports,
        },
    };
}

/** The Indexed Job whose pods carry the Service's selector label and subdomain. */
export function jobManifest(job: ResolvedPeerJob): Manifest<JobSpec> {
    return {
        metadata: {
            name: job.jobName,
            labels: job.labels,
            annotations: job.jobAnnotations,
        },
        spec: {
            completionMode: "Indexed",
            completions: job.completions,
            parallelism: job.parallelism,
            ...job.jobSpecFields,
            template: peerPodTemplate(job),
        },
    };
}

/**
 * The caller's template plus what makes its pods peers: the selector label, the subdomain and
 * the peer environment variables, placed first so that the caller's own variables can refer to
 * them with `$(VAR)`. Nothing in it depends on the number of peers beyond one count.
 */
export function peerPodTemplate(job: ResolvedPeerJob): PlainPodTemplate {
    const { template } = job;
    const env = peerEnvVars(job.jobName, job.serviceName, job.clusterDomain, job.completions);
    const withEnv = (c: Container): Container => ({ ...c, env: [...env, ...(c.env ?? [])] });
    const spec = template.spec ?? { containers: [] };

    return {
        ...template,
        metadata: {
            ...template.metadata,
            labels: { ...template.metadata?.labels, ...peerSelector(job.jobName) },
        },
        spec: {
            ...spec,
            subdomain: job.serviceName,
            initContainers: spec.initContainers?.map(withEnv),
            containers: spec.containers.map(withEnv),
        },
    };
}
