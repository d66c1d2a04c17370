import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

import {
    HOSTFILE_DIR,
    HOSTFILE_KEY,
    HOSTFILE_PATH,
    HOSTFILE_VOLUME,
    hostfileConfigMapName,
    hostfileContent,
} from "./hostfile";
import { networkPolicyName, networkPolicySpec } from "./networkPolicy";
import { PEER_ENV, peerEnvVars } from "./peerEnv";
import { waitForPeersContainer } from "./waitForPeers";
import { PlainPodTemplate, ResolvedPeerJob, ResolvedSettings, SELECTOR_LABEL } from "./validation";

type ObjectMeta = pulumi.Unwrap<k8s.types.input.meta.v1.ObjectMeta>;
type ServiceSpec = pulumi.Unwrap<k8s.types.input.core.v1.ServiceSpec>;
type JobSpec = pulumi.Unwrap<k8s.types.input.batch.v1.JobSpec>;
type Container = pulumi.Unwrap<k8s.types.input.core.v1.Container>;
type NetworkPolicySpec = pulumi.Unwrap<k8s.types.input.networking.v1.NetworkPolicySpec>;

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
export function serviceManifest(job: ResolvedSettings): Manifest<ServiceSpec> {
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
 * The caller's template plus what makes its pods peers: the selector label, the subdomain, the
 * peer environment variables (placed first, so that the caller's own variables can refer to
 * them with `$(VAR)`), and the wait container and hostfile mount when asked for. Nothing in it
 * depends on the number of peers beyond one count.
 */
export function peerPodTemplate(job: ResolvedPeerJob): PlainPodTemplate {
    const { template } = job;
    const spec = template.spec ?? { containers: [] };
    const env = peerEnvVars(job.jobName, job.serviceName, job.clusterDomain, job.completions);
    const withEnv = (c: Container): Container => ({ ...c, env: [...env, ...(c.env ?? [])] });

    let containers = spec.containers.map(withEnv);
    let initContainers = spec.initContainers?.map(withEnv);
    if (job.waitForPeers !== undefined) {
        initContainers = [
            withEnv(waitForPeersContainer(job.waitForPeers)),
            ...(initContainers ?? []),
        ];
    }
    let volumes = spec.volumes;
    if (job.hostfile !== undefined) {
        containers = containers.map(withHostfileMount);
        volumes = [
            ...(volumes ?? []),
            { name: HOSTFILE_VOLUME, configMap: { name: hostfileConfigMapName(job.jobName) } },
        ];
    }

    return {
        ...template,
        metadata: {
            ...template.metadata,
            labels: { ...template.metadata?.labels, ...peerSelector(job.jobName) },
        },
        spec: { ...spec, subdomain: job.serviceName, initContainers, containers, volumes },
    };
}

function withHostfileMount(c: Container): Container {
    return {
        ...c,
        env: [...(c.env ?? []), { name: PEER_ENV.hostfile, value: HOSTFILE_PATH }],
        volumeMounts: [
            ...(c.volumeMounts ?? []),
            { name: HOSTFILE_VOLUME, mountPath: HOSTFILE_DIR, readOnly: true },
        ],
    };
}

/** The ConfigMap holding the MPI hostfile, whose lines need the peers' DNS suffix. */
export function hostfileManifest(
    job: ResolvedSettings,
    dnsSuffix: string,
): { metadata: ObjectMeta; data: Record<string, string> } {
    const slots = job.hostfile?.slots ?? 1;
    return {
        metadata: { name: hostfileConfigMapName(job.jobName), labels: job.labels },
        data: { [HOSTFILE_KEY]: hostfileContent(job.jobName, dnsSuffix, job.completions, slots) },
    };
}

/** The NetworkPolicy admitting ingress to the Job's pods only from its own pods. */
export function networkPolicyManifest(job: ResolvedSettings): Manifest<NetworkPolicySpec> {
    return {
        metadata: { name: networkPolicyName(job.jobName), labels: job.labels },
        spec: networkPolicySpec(peerSelector(job.jobName), {
            additionalIngress: job.networkPolicy?.additionalIngress ?? [],
        }),
    };
}
