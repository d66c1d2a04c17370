import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

import { Problem } from "./problems";

type JobSpec = k8s.types.input.batch.v1.JobSpec;

/** The Job spec fields that PeerJob passes through unchanged. */
export type PassThroughJobSpec = Pick<
    JobSpec,
    | "backoffLimit"
    | "backoffLimitPerIndex"
    | "maxFailedIndexes"
    | "podFailurePolicy"
    | "successPolicy"
    | "activeDeadlineSeconds"
    | "podReplacementPolicy"
    | "suspend"
    | "ttlSecondsAfterFinished"
>;

/** The names of {@link PassThroughJobSpec}'s fields, in the order the Job spec lists them. */
export const PASS_THROUGH_JOB_FIELDS = [
    "backoffLimit",
    "backoffLimitPerIndex",
    "maxFailedIndexes",
    "podFailurePolicy",
    "successPolicy",
    "activeDeadlineSeconds",
    "podReplacementPolicy",
    "suspend",
    "ttlSecondsAfterFinished",
] as const satisfies readonly (keyof PassThroughJobSpec)[];

/** How the init container added by `waitForPeers` waits. */
export interface WaitForPeersOptions {
    /**
     * Which peers to wait for: `coordinator` (index 0; index 0 itself does not wait) or `all`
     * (every peer by name, refused above {@link MAX_WAIT_FOR_ALL_PEERS} peers).
     * @default "coordinator"
     */
    peers?: pulumi.Input<"coordinator" | "all">;
    /**
     * Also wait until the coordinator accepts a TCP connection on this port. Only with
     * `peers: "coordinator"`: a port opens only once its pod's init containers are done.
     * @default names only
     */
    port?: pulumi.Input<number>;
    /**
     * The bound on the whole wait, after which the init container fails naming the missing
     * peer (and the Job's backoff rules decide what happens next).
     * @default 300
     */
    timeoutSeconds?: pulumi.Input<number>;
    /**
     * The image that runs the wait script; it needs `bash`, `getent` and `timeout`.
     * @default DEFAULT_WAIT_IMAGE
     */
    image?: pulumi.Input<string>;
    /**
     * Resources of the init container.
     * @default requests cpu 10m, memory 16Mi; limits cpu 100m, memory 32Mi
     */
    resources?: pulumi.Input<k8s.types.input.core.v1.ResourceRequirements>;
}

/** The NetworkPolicy added by `networkPolicy`. */
export interface PeerNetworkPolicyOptions {
    /**
     * Further ingress rules, for sources outside the Job (a launcher elsewhere, a metrics
     * scraper). The Job's own pods are always admitted, on every port.
     * @default none
     */
    additionalIngress?: pulumi.Input<
        pulumi.Input<k8s.types.input.networking.v1.NetworkPolicyIngressRule>[]
    >;
}

/** The MPI hostfile added by `hostfile`. */
export interface HostfileOptions {
    /**
     * The `slots=` value of every line: processes per peer.
     * @default 1
     */
    slots?: pulumi.Input<number>;
}

/** Inputs of {@link PeerJob}. */
export interface PeerJobArgs extends PassThroughJobSpec {
    /** The number of peers: pods with indexes `0 .. completions - 1`. An integer, 1 to 100000. */
    completions: pulumi.Input<number>;

    /**
     * How many pods run at once.
     * @default completions
     */
    parallelism?: pulumi.Input<number>;

    /**
     * Accept `parallelism` below `completions`. Pods of the higher indexes then start only after
     * lower ones finish, so the peers are never all running at once: a rendezvous of all peers
     * never completes. Only for work whose pods do not wait for each other.
     * @default false
     */
    allowPartialParallelism?: pulumi.Input<boolean>;

    /**
     * The namespace of the Service and the Job (always the same one). When omitted, both go to
     * the Kubernetes provider's namespace (its `namespace` setting, else the kubeconfig
     * context's, else `default`); the `namespace`, `peerFqdns` and `coordinator` outputs then
     * come from the created Service and are unknown during a first preview.
     * @default the provider's namespace
     */
    namespace?: pulumi.Input<string>;

    /**
     * The Job's name; pod `i` gets the hostname `<jobName>-<i>`.
     * @default the component's name
     */
    jobName?: pulumi.Input<string>;

    /**
     * The headless Service's name, which is also the pods' `subdomain`.
     * @default the component's name
     */
    serviceName?: pulumi.Input<string>;

    /**
     * The pod template. PeerJob sets `subdomain`, the label its Service selects, and the peer
     * environment variables; it defaults `restartPolicy` to `Never`.
     */
    template: pulumi.Input<k8s.types.input.core.v1.PodTemplateSpec>;

    /**
     * The cluster's DNS domain, the last part of every peer's fully qualified name.
     * @default "cluster.local"
     */
    clusterDomain?: pulumi.Input<string>;

    /**
     * Publish DNS records for pods before they are Ready. Pods that wait for their peers before
     * passing a readiness probe need this, or the rendezvous deadlocks.
     * @default true
     */
    publishNotReadyAddresses?: pulumi.Input<boolean>;

    /**
     * Ports of the headless Service. Peer names resolve without any; list ports to name them
     * (SRV records) or for tools that expect them.
     * @default no ports
     */
    ports?: pulumi.Input<pulumi.Input<k8s.types.input.core.v1.ServicePort>[]>;

    /** Labels for the Service and the Job objects (not for the pods: use `template`). */
    labels?: pulumi.Input<Record<string, pulumi.Input<string>>>;

    /** Annotations for the Service and the Job objects (not for the pods: use `template`). */
    annotations?: pulumi.Input<Record<string, pulumi.Input<string>>>;

    /**
     * Accepted so that a spec copied from a hand-written Job is checked rather than silently
     * changed: must be `Indexed` when given, since only Indexed Jobs give pods stable hostnames.
     * @default "Indexed"
     */
    completionMode?: pulumi.Input<string>;

    /**
     * Make `pulumi up` wait until the Job completes, as Pulumi's Kubernetes provider does for
     * Jobs by default. Off by default, because distributed work often runs for longer than the
     * provider's 10-minute wait: `pulumi up` then returns once the objects exist.
     * @default false
     */
    awaitCompletion?: pulumi.Input<boolean>;

    /**
     * With `awaitCompletion`, how long `pulumi up` waits before it fails, in seconds. A
     * `customTimeouts` resource option on the component takes precedence.
     * @default the provider's 600 seconds
     */
    awaitTimeoutSeconds?: pulumi.Input<number>;

    /**
     * Add an init container, first in the list, that holds the workload back until the peers
     * it needs resolve by name (and, with a port, accept TCP connections). `true` for the
     * defaults of {@link WaitForPeersOptions}.
     * @default no waiting
     */
    waitForPeers?: pulumi.Input<boolean | WaitForPeersOptions>;

    /**
     * Declare a NetworkPolicy that admits ingress to the Job's pods only from the Job's own
     * pods, plus the rules given. Egress is untouched, so DNS keeps working. Enforced only by a
     * network plugin that implements NetworkPolicy. `true` for peers only.
     * @default no NetworkPolicy
     */
    networkPolicy?: pulumi.Input<boolean | PeerNetworkPolicyOptions>;

    /**
     * Declare a ConfigMap holding an MPI hostfile, one `<fqdn> slots=<n>` line per peer, and
     * mount it into every container at {@link HOSTFILE_PATH}. `true` for one slot per peer.
     * @default no hostfile
     */
    hostfile?: pulumi.Input<boolean | HostfileOptions>;
}

/** {@link PeerJobArgs} with every input resolved to a plain value. */
export type PlainPeerJobArgs = pulumi.Unwrap<PeerJobArgs>;

/** PeerJob's plain inputs other than the pod template. */
export type PlainSettingsArgs = Omit<PlainPeerJobArgs, "template">;

/**
 * The options object of an option that is off (`undefined`, `false`), on with its defaults
 * (`true`) or given options; `undefined` when off. Anything else, and an options object with
 * keys the option does not know, is a problem: a string "false" from stack configuration must
 * not switch an option on.
 */
export function switchedOptions<T extends object>(
    field: string,
    option: unknown,
    keys: readonly (keyof T & string)[],
    problems: Problem[],
): T | undefined {
    if (option === undefined || option === false) {
        return undefined;
    }
    if (option === true) {
        return {} as T;
    }
    if (option === null || typeof option !== "object" || Array.isArray(option)) {
        problems.push({ field, value: option, rule: "must be true, false or an options object" });
        return undefined;
    }
    for (const key of Object.keys(option)) {
        if (!(keys as readonly string[]).includes(key)) {
            problems.push({
                field: `${field}.${key}`,
                value: (option as Record<string, unknown>)[key],
                rule: `is not an option of ${field}; it takes ${keys.join(", ")}`,
            });
        }
    }
    return option as T;
}
