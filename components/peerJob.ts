import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

import { PeerJobArgs, PlainPeerJobArgs } from "./args";
import { isPlain } from "./inputs";
import {
    Manifest,
    hostfileManifest,
    jobManifest,
    networkPolicyManifest,
    serviceManifest,
} from "./manifests";
import { mapIndexes, peerDnsSuffix, peerFqdn, peerShortName } from "./naming";
import { PeerJobValidationError, throwIfProblems } from "./problems";
import { ResolvedPeerJob, namespaceProblems, resolvePeerJob } from "./validation";

/** The Pulumi type token of {@link PeerJob}. */
export const PEER_JOB_TYPE = "peer-job:index:PeerJob";

/** The namespace Kubernetes uses for objects that name none. */
const KUBERNETES_DEFAULT_NAMESPACE = "default";

/**
 * An Indexed Job and the headless Service that gives each of its pods the DNS name
 * `<jobName>-<index>.<serviceName>`, declared consistently: same namespace, the Service selecting
 * exactly the Job's pods, the pods' subdomain equal to the Service's name. Inputs that cannot
 * work are rejected before any child resource is registered.
 */
export class PeerJob extends pulumi.ComponentResource {
    /** The Indexed Job. */
    public readonly job: k8s.batch.v1.Job;
    /** The headless Service (`clusterIP: None`) that publishes the peers' DNS records. */
    public readonly service: k8s.core.v1.Service;
    /** The NetworkPolicy admitting only peers, when `networkPolicy` is on. */
    public readonly networkPolicy: k8s.networking.v1.NetworkPolicy | undefined;
    /** The ConfigMap holding the MPI hostfile, when `hostfile` is on. */
    public readonly hostfile: k8s.core.v1.ConfigMap | undefined;
    /** The Job's name; peer `i` has the hostname `<jobName>-<i>`. */
    public readonly jobName: pulumi.Output<string>;
    /** The Service's name, which is also the pods' subdomain. */
    public readonly serviceName: pulumi.Output<string>;
    /** The namespace of every object. */
    public readonly namespace: pulumi.Output<string>;
    /** The number of peers. */
    public readonly completions: pulumi.Output<number>;
    /** The domain shared by all peers: `<serviceName>.<namespace>.svc.<clusterDomain>`. */
    public readonly dnsSuffix: pulumi.Output<string>;
    /** `<jobName>-<i>.<serviceName>` for every index, in index order: names for the namespace. */
    public readonly peerHostnames: pulumi.Output<string[]>;
    /** The fully qualified name of every peer, in index order: names for the whole cluster. */
    public readonly peerFqdns: pulumi.Output<string[]>;
    /** The fully qualified name of index 0. */
    public readonly coordinator: pulumi.Output<string>;

    constructor(name: string, args: PeerJobArgs, opts?: pulumi.ComponentResourceOptions) {
        // Inputs known now are checked before anything, the component included, is registered.
        const addsHostfile = isSwitchedOn(name, "hostfile", args.hostfile);
        const addsNetworkPolicy = isSwitchedOn(name, "networkPolicy", args.networkPolicy);
        const checked = isPlain(args) ? resolvePeerJob(name, args as PlainPeerJobArgs) : undefined;
        super(PEER_JOB_TYPE, name, {}, opts);

        const settings = checked === undefined ? resolveLater(name, args) : pulumi.output(checked);
        const namespace =
            checked === undefined
                ? checkNamespaceLater(name, args.namespace, settings)
                : checked.namespace;
        settings.apply((s) => s.warnings.forEach((warning) => pulumi.log.warn(warning, this)));

        this.service = new k8s.core.v1.Service(
            name,
            withNamespace(settings.apply(serviceManifest), namespace),
            { parent: this },
        );
        this.jobName = settings.jobName;
        this.serviceName = settings.serviceName;
        this.completions = settings.completions;
        this.namespace =
            namespace === undefined
                ? this.service.metadata.namespace.apply((ns) => ns ?? KUBERNETES_DEFAULT_NAMESPACE)
                : pulumi.output(namespace);
        this.dnsSuffix = pulumi
            .all([settings, this.namespace])
            .apply(([s, ns]) => peerDnsSuffix(s.serviceName, ns, s.clusterDomain));

        this.networkPolicy = addsNetworkPolicy
            ? new k8s.networking.v1.NetworkPolicy(
                  name,
                  withNamespace(settings.apply(networkPolicyManifest), namespace),
                  { parent: this },
              )
            : undefined;
        let hostfile: k8s.core.v1.ConfigMap | undefined;
        if (addsHostfile) {
            const manifest = pulumi
                .all([settings, this.dnsSuffix])
                .apply(([s, suffix]) => hostfileManifest(s, suffix));
            hostfile = new k8s.core.v1.ConfigMap(
                name,
                {
                    metadata: {
                        name: manifest.apply((m) => m.metadata.name),
                        namespace,
                        labels: manifest.apply((m) => m.metadata.labels),
                    },
                    data: manifest.apply((m) => m.data),
                },
                { parent: this },
            );
        }
        this.hostfile = hostfile;

        // What the pods need goes first: the Service, so that the peers' records exist before
        // any pod asks (CoreDNS caches a miss), and the hostfile, which the pods mount.
        this.job = new k8s.batch.v1.Job(
            name,
            withNamespace(settings.apply(jobManifest), namespace),
            {
                parent: this,
                dependsOn: hostfile === undefined ? [this.service] : [this.service, hostfile],
            },
        );

        this.peerHostnames = settings.apply((s) =>
            mapIndexes(s.completions, (i) => peerShortName(s.jobName, s.serviceName, i)),
        );
        this.peerFqdns = pulumi
            .all([settings, this.dnsSuffix])
            .apply(([s, suffix]) =>
                mapIndexes(s.completions, (i) => peerFqdn(s.jobName, i, suffix)),
            );
        this.coordinator = pulumi
            .all([this.jobName, this.dnsSuffix])
            .apply(([jobName, suffix]) => peerFqdn(jobName, 0, suffix));

        // The per-peer lists stay off the state: they grow with completions and derive from these.
        this.registerOutputs({
            jobName: this.jobName,
            serviceName: this.serviceName,
            namespace: this.namespace,
            completions: this.completions,
            dnsSuffix: this.dnsSuffix,
            coordinator: this.coordinator,
        });
    }
}

/**
 * Whether an option that adds a resource is on. It decides which resources exist, so it must be
 * known when the program runs: an Output or a Promise here is rejected.
 */
function isSwitchedOn(name: string, field: string, value: unknown): boolean {
    if (pulumi.Output.isInstance(value) || value instanceof Promise) {
        throw new PeerJobValidationError(name, [
            {
                field,
                value: "<Output>",
                rule:
                    "decides which resources exist, so it must be a plain true, false or " +
                    "options object (fields inside the options may be Outputs)",
            },
        ]);
    }
    return value !== undefined && value !== false;
}

/** Checks the inputs once they are known; a value unknown in a preview leaves this unknown. */
function resolveLater(name: string, args: PeerJobArgs): pulumi.Output<ResolvedPeerJob> {
    // The namespace is checked on its own, so an unknown namespace leaves the specs known.
    const { namespace: _namespace, ...rest } = args;
    return pulumi.output(rest).apply((plain) => resolvePeerJob(name, plain as PlainPeerJobArgs));
}

function checkNamespaceLater(
    name: string,
    namespace: pulumi.Input<string> | undefined,
    settings: pulumi.Output<ResolvedPeerJob>,
): pulumi.Output<string> | undefined {
    if (namespace === undefined) {
        return undefined;
    }
    return pulumi.all([settings, namespace]).apply(([s, ns]) => {
        throwIfProblems(name, namespaceProblems(s, ns));
        return ns;
    });
}

/**
 * A child's arguments with each metadata field its own input, so that a namespace unknown in a
 * preview leaves the name, labels and spec known.
 */
function withNamespace<Spec>(
    manifest: pulumi.Output<Manifest<Spec>>,
    namespace: pulumi.Input<string> | undefined,
) {
    return {
        metadata: {
            name: manifest.apply((m) => m.metadata.name),
            namespace,
            labels: manifest.apply((m) => m.metadata.labels),
            annotations: manifest.apply((m) => m.metadata.annotations),
        },
        spec: manifest.apply((m) => m.spec),
    };
}
