import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

import { peerHostname } from "./naming";

type EnvVar = pulumi.Unwrap<k8s.types.input.core.v1.EnvVar>;

/**
 * Names of the environment variables PeerJob gives every container, init containers included.
 * Together with Kubernetes' own `JOB_COMPLETION_INDEX` they tell a pod who its peers are.
 */
export const PEER_ENV = {
    /** The Job's name: peer `i` has the hostname `<PEER_JOB_NAME>-<i>`. */
    jobName: "PEER_JOB_NAME",
    /** The headless Service's name, which is the pods' `subdomain`. */
    subdomain: "PEER_JOB_SUBDOMAIN",
    /** The namespace the pods run in, from the downward API. */
    namespace: "PEER_JOB_NAMESPACE",
    /** The domain shared by every peer: peer `i` is `<PEER_JOB_NAME>-<i>.<PEER_JOB_DNS_SUFFIX>`. */
    dnsSuffix: "PEER_JOB_DNS_SUFFIX",
    /** The fully qualified name of index 0, the conventional coordinator. */
    coordinator: "PEER_JOB_COORDINATOR",
    /** The number of peers (`completions`). */
    peerCount: "PEER_JOB_PEER_COUNT",
    /** The path of the MPI hostfile, only when `hostfile` is on. */
    hostfile: "PEER_JOB_HOSTFILE",
} as const;

/**
 * The Job controller's own variable for the pod's index. A template that defines it would give
 * every pod the same index, since the controller keeps a value already there.
 */
export const COMPLETION_INDEX_ENV = "JOB_COMPLETION_INDEX";

/** Variables a template must not define itself: PeerJob's and the completion index. */
export const RESERVED_ENV_NAMES: readonly string[] = [
    ...Object.values(PEER_ENV),
    COMPLETION_INDEX_ENV,
];

/**
 * The peer variables for one Job. They do not depend on the namespace input: the namespace
 * comes from the downward API and the other values refer to it with `$(VAR)` expansion, so they
 * are right even where the provider chooses the namespace. Their size does not grow with the
 * number of peers.
 */
export function peerEnvVars(
    jobName: string,
    serviceName: string,
    clusterDomain: string,
    completions: number,
): EnvVar[] {
    return [
        { name: PEER_ENV.jobName, value: jobName },
        { name: PEER_ENV.subdomain, value: serviceName },
        {
            name: PEER_ENV.namespace,
            valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } },
        },
        {
            name: PEER_ENV.dnsSuffix,
            value: `${serviceName}.$(${PEER_ENV.namespace}).svc.${clusterDomain}`,
        },
        {
            name: PEER_ENV.coordinator,
            value: `${peerHostname(jobName, 0)}.$(${PEER_ENV.dnsSuffix})`,
        },
        { name: PEER_ENV.peerCount, value: String(completions) },
    ];
}
