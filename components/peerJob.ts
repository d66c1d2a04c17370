import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

import { PeerJobArgs, PlainSettingsArgs } from "./args";
import { isPlain } from "./inputs";
import {
    Manifest,
    hostfileManifest,
    jobManifest,
    networkPolicyManifest,
    serviceManifest,
} from "./manifests";
import { mapIndexes, peerDnsSuffix, peerFqdn, peerShortName } from "./naming";
import { PeerJobValidationError, describeProblem, throwIfProblems } from "./problems";
import {
    PlainPodTemplate,
    ResolvedSettings,
    checkKnownInputs,
    namespaceProblems,
    resolveSettings,
    resolveTemplate,
    searchDomainProblems,
} from "./validation";

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
        if (args === null || typeof args !== "object") {
            throw new PeerJobValidationError(name, [
                { field: "args", value: args, rule: "must be an object of PeerJob inputs" },
            ]);
        }
        const addsHostfile = isSwitchedOn(name, "hostfile", args.hostfile);
        const addsNetworkPolicy = isSwitchedOn(name, "networkPolicy", args.networkPolicy);
        const known = checkKnownInputs(name, args as PlainSettingsArgs);
        super(PEER_JOB_TYPE, name, {}, opts);

        // What was not known is checked once it is; a value unknown in a preview leaves what
        // depends on it unknown, and nothing else.
        const { template, namespace, ...rest } = args;
        const namespaceKnown = isPlain(namespace);
        const settings =
            known.settings === undefined
                ? pulumi
                      .output(namespaceKnown ? { ...rest, namespace } : rest)
                      .apply((a) => resolveSettings(name, a as PlainSettingsArgs, namespaceKnown))
                : pulumi.output(known.settings);
        const podTemplate =
            known.template === undefined
                ? pulumi
                      .all([settings, template])
                      .apply(([s, t]) => resolveTemplate(name, s, t as PlainPodTemplate))
                : pulumi.output(known.template);
        const checkedNamespace = namespaceKnown
            ? (namespace as string | undefined)
            : checkNamespaceLater(name, namespace, settings);
        // When every input was known at construction, every check has run already.
        const now =
            known.settings !== undefined && known.template !== undefined && namespaceKnown
                ? { ...known.settings, template: known.template.template }
                : undefined;
        // In an update every input is known, and the children wait for every check, so a bad
        // template creates nothing. A preview creates nothing either way, and there the
        // Service stays known even where the template is not.
        const checked =
            pulumi.runtime.isDryRun() || now !== undefined
                ? settings
                : pulumi.all([settings, podTemplate, checkedNamespace]).apply(([s, t, ns]) => {
                      // The one template rule that needs the namespace, when it arrived later.
                      const spec = t.template.spec;
                      if (spec !== undefined && !namespaceKnown) {
                          throwIfProblems(name, searchDomainProblems(spec, ns, s.clusterDomain));
                      }
                      return s;
                  });
        const warn = (warnings: string[]) => warnings.forEach((w) => pulumi.log.warn(w, this));
        settings.apply((s) => warn(s.warnings));
        podTemplate.apply((t) => warn(t.warnings));

        this.service = new k8s.core.v1.Service(
            name,
            childArgs(serviceManifest, now, () => checked, checkedNamespace),
            { parent: this },
        );

        // With the settings and the namespace known now, each value is computed once and wrapped
        // in one Output: a chain of pulumi.all per value costs measurable time and memory over
        // many PeerJobs.
        const summaryNow =
            known.settings !== undefined && typeof namespace === "string"
                ? summarize(known.settings, namespace)
                : undefined;
        const summary =
            summaryNow === undefined
                ? summarizeLater(this, settings, checkedNamespace, this.service)
                : outputsOf(summaryNow);
        this.jobName = summary.jobName;
        this.serviceName = summary.serviceName;
        this.namespace = summary.namespace;
        this.completions = summary.completions;
        this.dnsSuffix = summary.dnsSuffix;
        this.coordinator = summary.coordinator;

        this.networkPolicy = addsNetworkPolicy
            ? new k8s.networking.v1.NetworkPolicy(
                  name,
                  childArgs(networkPolicyManifest, now, () => checked, checkedNamespace),
                  { parent: this },
              )
            : undefined;
        let hostfile: k8s.core.v1.ConfigMap | undefined;
        if (addsHostfile) {
            const manifest = pulumi
                .all([checked, this.dnsSuffix])
                .apply(([s, suffix]) => hostfileManifest(s, suffix));
            hostfile = new k8s.core.v1.ConfigMap(
                name,
                {
                    metadata: {
                        name: manifest.apply((m) => m.metadata.name),
                        namespace: checkedNamespace,
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
        const peerJob = () =>
            pulumi.all([settings, podTemplate]).apply(([s, t]) => ({ ...s, template: t.template }));
        this.job = new k8s.batch.v1.Job(
            name,
            childArgs(jobManifest, now, peerJob, checkedNamespace),
            {
                parent: this,
                dependsOn: hostfile === undefined ? [this.service] : [this.service, hostfile],
            },
        );

        const fqdns = (s: ResolvedSettings, suffix: string) =>
            mapIndexes(s.completions, (i) => peerFqdn(s.jobName, i, suffix));
        this.peerHostnames = settings.apply((s) =>
            mapIndexes(s.completions, (i) => peerShortName(s.jobName, s.serviceName, i)),
        );
        this.peerFqdns =
            summaryNow === undefined
                ? pulumi.all([settings, this.dnsSuffix]).apply(([s, suffix]) => fqdns(s, suffix))
                : settings.apply((s) => fqdns(s, summaryNow.dnsSuffix));

        // The per-peer lists stay off the state: they grow with completions and derive from these.
        // Values known now are registered as they are, which costs the runtime less than Outputs.
        this.registerOutputs(summaryNow ?? summary);
    }
}

/** What PeerJob registers as its outputs: the values every peer name derives from. */
interface Summary {
    jobName: string;
    serviceName: string;
    namespace: string;
    completions: number;
    dnsSuffix: string;
    coordinator: string;
}

type Outputs<T> = { [K in keyof T]: pulumi.Output<T[K]> };

/** The summary of a PeerJob whose settings and namespace were known at construction. */
function summarize(s: ResolvedSettings, namespace: string): Summary {
    const dnsSuffix = peerDnsSuffix(s.serviceName, namespace, s.clusterDomain);
    return {
        jobName: s.jobName,
        serviceName: s.serviceName,
        namespace,
        completions: s.completions,
        dnsSuffix,
        coordinator: peerFqdn(s.jobName, 0, dnsSuffix),
    };
}

function outputsOf(summary: Summary): Outputs<Summary> {
    return {
        jobName: pulumi.output(summary.jobName),
        serviceName: pulumi.output(summary.serviceName),
        namespace: pulumi.output(summary.namespace),
        completions: pulumi.output(summary.completions),
        dnsSuffix: pulumi.output(summary.dnsSuffix),
        coordinator: pulumi.output(summary.coordinator),
    };
}

/**
 * The summary once the inputs are known; without a namespace input, the namespace is the one
 * the provider gave the Service.
 */
function summarizeLater(
    component: PeerJob,
    settings: pulumi.Output<ResolvedSettings>,
    checkedNamespace: pulumi.Input<string> | undefined,
    service: k8s.core.v1.Service,
): Outputs<Summary> {
    const namespace =
        checkedNamespace === undefined
            ? providerNamespace(component, settings, service)
            : pulumi.output(checkedNamespace);
    const dnsSuffix = pulumi
        .all([settings, namespace])
        .apply(([s, ns]) => peerDnsSuffix(s.serviceName, ns, s.clusterDomain));
    return {
        jobName: settings.jobName,
        serviceName: settings.serviceName,
        namespace,
        completions: settings.completions,
        dnsSuffix,
        coordinator: pulumi
            .all([settings.jobName, dnsSuffix])
            .apply(([jobName, suffix]) => peerFqdn(jobName, 0, suffix)),
    };
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

/**
 * The namespace the provider chose, from the created Service. The checks that need it can no
 * longer stop anything, so what they find is a warning.
 */
function providerNamespace(
    component: PeerJob,
    settings: pulumi.Output<ResolvedSettings>,
    service: k8s.core.v1.Service,
): pulumi.Output<string> {
    return pulumi.all([settings, service.metadata.namespace]).apply(([s, ns]) => {
        const namespace = ns ?? KUBERNETES_DEFAULT_NAMESPACE;
        for (const problem of namespaceProblems(s, namespace)) {
            pulumi.log.warn(describeProblem(problem), component);
        }
        return namespace;
    });
}

function checkNamespaceLater(
    name: string,
    namespace: pulumi.Input<string> | undefined,
    settings: pulumi.Output<ResolvedSettings>,
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
 * A child's arguments: plain values when every input was known at construction (`now`), which
 * spares the runtime an Output per field; otherwise those of {@link withNamespace}.
 */
function childArgs<T, Spec>(
    render: (job: T) => Manifest<Spec>,
    now: T | undefined,
    later: () => pulumi.Output<T>,
    namespace: pulumi.Input<string> | undefined,
) {
    if (now === undefined) {
        return withNamespace(later().apply(render), namespace);
    }
    const { metadata, spec } = render(now);
    return { metadata: { ...metadata, namespace }, spec };
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
