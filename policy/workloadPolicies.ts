/**
 * Policies on one Job or Pod at a time: what its own spec must hold for its pods to have peer
 * names that resolve, and settings that work but bite later. They run before an object is
 * created or updated, so a mandatory one stops `pulumi up` before anything changes.
 */
import {
    ReportViolation,
    ResourceValidation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
} from "@pulumi/policy";

import {
    MAX_LABEL_LENGTH,
    longestHostname,
    maxJobNameLength,
    rfc1035LabelProblem,
    rfc1123LabelProblem,
} from "../components/naming";
import { isIntegerIn } from "../components/problems";
import {
    Json,
    Workload,
    asArray,
    asNumber,
    asObject,
    asString,
    at,
    completionModeOf,
    describe,
    futureName,
    isAutoNamed,
    jobPodsOf,
    nameOf,
    podSpecOf,
    subdomainOf,
    workloadOf,
} from "./objects";
import { pingRunBy } from "./containerCommands";
import { checkEach, tryRead } from "./unknowns";

/** A Job or Pod whose pods set a subdomain, with the words that name it in messages. */
interface Peered {
    workload: Workload;
    subdomain: string;
    /** `Job "example-job"`. */
    who: string;
}

/**
 * A validation of the Jobs (and Pods, when listed) whose pods set a subdomain; every other
 * resource is marked not applicable. An unknown subdomain is read like any unknown value: the
 * framework reports that the policy could not run.
 */
function peeredValidation(
    kinds: readonly Workload["kind"][],
    validate: (peered: Peered, report: (message: string) => void) => void,
): ResourceValidation {
    return (args: ResourceValidationArgs, reportViolation: ReportViolation) => {
        const workload = workloadOf(args.type, args.name, args.props);
        if (workload === undefined || !kinds.includes(workload.kind)) {
            return args.notApplicable(`applies to ${kinds.join(" and ")} objects`);
        }
        const subdomain = subdomainOf(workload);
        if (subdomain === undefined) {
            return args.notApplicable("applies to pods that set a subdomain");
        }
        const who = describe(workload.kind, workload.resourceName, workload.props);
        validate({ workload, subdomain, who }, (message) => reportViolation(message));
    };
}

/** A validation of every resource of the given kinds, peers or not. */
function workloadValidation(
    kinds: readonly Workload["kind"][],
    validate: (workload: Workload, who: string, report: (message: string) => void) => void,
): ResourceValidation {
    return (args: ResourceValidationArgs, reportViolation: ReportViolation) => {
        const workload = workloadOf(args.type, args.name, args.props);
        if (workload === undefined || !kinds.includes(workload.kind)) {
            return args.notApplicable(`applies to ${kinds.join(" and ")} objects`);
        }
        const who = describe(workload.kind, workload.resourceName, workload.props);
        validate(workload, who, (message) => reportViolation(message));
    };
}

/** The pod spec of a workload whose pods are known to set a subdomain, so it exists. */
function podSpec(workload: Workload): Json {
    return podSpecOf(workload) ?? {};
}

export const peerJobIndexed: ResourceValidationPolicy = {
    name: "peer-job-indexed",
    description:
        "A Job whose pods set a subdomain and that runs more than one pod must have " +
        "completionMode: Indexed; only an Indexed Job gives each pod a stable hostname, " +
        "<job name>-<index>, so that its peers can find it.",
    enforcementLevel: "mandatory",
    validateResource: peeredValidation(["Job"], ({ workload, subdomain, who }, report) => {
        // An Indexed Job passes whatever its number of pods, so that number is read only after.
        if (completionModeOf(workload.props) === "Indexed") {
            return;
        }
        const pods = jobPodsOf(workload.props);
        if (!pods.multiplePods) {
            return;
        }
        const declared = asString(at(workload.props, "spec", "completionMode"));
        const modeText = declared === undefined ? "unset (NonIndexed)" : `"${declared}"`;
        const runs =
            pods.completions === undefined
                ? `runs up to ${pods.parallelism} pods at once (spec.parallelism ` +
                  `${pods.parallelism}, spec.completions unset)`
                : `runs ${pods.completions} pods (spec.completions ${pods.completions})`;
        const fix =
            pods.completions === undefined
                ? "set spec.completions to the number of peers and spec.completionMode: Indexed"
                : "set spec.completionMode: Indexed";
        report(
            `${who} ${runs} whose spec.template.spec.subdomain is "${subdomain}", but ` +
                `spec.completionMode is ${modeText}: its pods get random names and no stable ` +
                `hostname under the subdomain; ${fix}`,
        );
    }),
    // Safe only where the mode was left out and the number of pods is fixed by completions.
    remediateResource: (args) => {
        const workload = workloadOf(args.type, args.name, args.props);
        if (workload?.kind !== "Job" || subdomainOf(workload) === undefined) {
            return undefined;
        }
        const spec = asObject(workload.props.spec);
        const completions = asNumber(spec?.completions);
        if (
            spec === undefined ||
            spec.completionMode !== undefined ||
            completions === undefined ||
            completions <= 1
        ) {
            return undefined;
        }
        spec.completionMode = "Indexed";
        return args.props;
    },
};

export const peerNamesAreDnsLabels: ResourceValidationPolicy = {
    name: "peer-names-are-dns-labels",
    description:
        "The names a peer is reached by must be valid DNS names: the subdomain an RFC 1123 " +
        "label that is also a valid Service name (RFC 1035), every pod hostname an RFC 1123 " +
        "label (at most 63 characters, so the Job's name must leave room for -<last index>), " +
        "and a bare Pod with a subdomain needs a hostname.",
    enforcementLevel: "mandatory",
    validateResource: peeredValidation(["Job", "Pod"], (peered, report) => {
        checkEach([checkSubdomainName, checkHostnames], (check) => check(peered, report));
    }),
};

function checkSubdomainName(peered: Peered, report: (message: string) => void): void {
    const { workload, subdomain, who } = peered;
    const field = `${workload.podSpecPath}.subdomain "${subdomain}"`;
    const labelProblem = rfc1123LabelProblem(subdomain);
    if (labelProblem !== undefined) {
        report(`${who}: ${field} ${labelProblem}`);
        return;
    }
    const serviceProblem = rfc1035LabelProblem(subdomain);
    if (serviceProblem !== undefined) {
        report(
            `${who}: ${field} must also be the name of the headless Service that publishes ` +
                `the pods' records, and a Service name ${serviceProblem}; no Service can be ` +
                "named so",
        );
    }
}

function checkHostnames(peered: Peered, report: (message: string) => void): void {
    const { workload, subdomain, who } = peered;
    if (workload.kind === "Pod") {
        const hostname = asString(podSpec(workload).hostname);
        if (hostname === undefined) {
            report(
                `${who} sets spec.subdomain "${subdomain}" but no spec.hostname: a pod gets a ` +
                    "DNS name under its subdomain only from its hostname; set spec.hostname",
            );
            return;
        }
        const problem = rfc1123LabelProblem(hostname);
        if (problem !== undefined) {
            report(`${who}: spec.hostname "${hostname}" ${problem}`);
        }
        return;
    }

    // Only an Indexed Job names its pods <job name>-<index>; the name may be left to the
    // provider, which peer-job-explicit-name reports.
    const completions = jobPodsOf(workload.props).completions;
    const name = nameOf(workload.props);
    if (
        completionModeOf(workload.props) !== "Indexed" ||
        name === undefined ||
        !isIntegerIn(completions, 1, Number.MAX_SAFE_INTEGER)
    ) {
        return;
    }
    const hostname = longestHostname(name, completions);
    const problem = rfc1123LabelProblem(hostname);
    if (problem === undefined) {
        return;
    }
    if (hostname.length > MAX_LABEL_LENGTH) {
        const limit = maxJobNameLength(completions);
        report(
            `${who}: the hostname of the last index, "${hostname}", is ${hostname.length} ` +
                `characters, over the ${MAX_LABEL_LENGTH} a DNS label allows; with ` +
                `${completions} completions metadata.name must be at most ${limit} characters ` +
                `(${name.length - limit} fewer)`,
        );
        return;
    }
    report(`${who}: the hostname of the last index, "${hostname}", ${problem}`);
}

export const peerDnsResolves: ResourceValidationPolicy = {
    name: "peer-dns-resolves",
    description:
        "Pods with a subdomain must resolve names through the cluster's DNS: dnsPolicy " +
        "ClusterFirst (the default), or ClusterFirstWithHostNet with hostNetwork: true, or " +
        "None with dnsConfig.nameservers; dnsPolicy Default uses the node's resolver, which " +
        "does not know peer names.",
    enforcementLevel: "mandatory",
    validateResource: peeredValidation(["Job", "Pod"], ({ workload, who }, report) => {
        const spec = podSpec(workload);
        const path = workload.podSpecPath;
        const dnsPolicy = asString(spec.dnsPolicy);

        // Default and None fail or pass with or without host networking, so hostNetwork is read
        // only where it decides, and a value of it unknown in a preview hides nothing else.
        if (dnsPolicy === "Default") {
            const hostNetwork = tryRead(() => spec.hostNetwork === true);
            const better = !hostNetwork.known
                ? "ClusterFirst, or ClusterFirstWithHostNet if hostNetwork is true"
                : hostNetwork.value
                  ? "ClusterFirstWithHostNet"
                  : "ClusterFirst";
            report(
                `${who}: ${path}.dnsPolicy "Default" uses the node's resolver, which does not ` +
                    `know the peers' cluster names; use ${better}`,
            );
        } else if (dnsPolicy === "None") {
            const nameservers = asArray(at(spec, "dnsConfig", "nameservers"));
            if (nameservers.length === 0) {
                report(
                    `${who}: ${path}.dnsPolicy "None" with no ${path}.dnsConfig.nameservers ` +
                        "leaves the pods without a resolver; list the cluster DNS server " +
                        "there, or use ClusterFirst",
                );
            }
        } else if (
            (dnsPolicy === undefined || dnsPolicy === "ClusterFirst") &&
            spec.hostNetwork === true
        ) {
            const policyText = dnsPolicy === undefined ? "unset (ClusterFirst)" : "ClusterFirst";
            report(
                `${who}: ${path}.hostNetwork is true and ${path}.dnsPolicy is ${policyText}: ` +
                    "host-network pods fall back to the node's resolver under ClusterFirst, " +
                    "and it does not know peer names; set dnsPolicy: ClusterFirstWithHostNet",
            );
        }
    }),
    // Safe only for host-network pods whose policy was left out or is the plain ClusterFirst:
    // ClusterFirstWithHostNet is then the one policy that does what was asked for.
    remediateResource: (args) => {
        const workload = workloadOf(args.type, args.name, args.props);
        if (workload === undefined || subdomainOf(workload) === undefined) {
            return undefined;
        }
        const spec = podSpec(workload);
        const dnsPolicy = spec.dnsPolicy;
        if (
            spec.hostNetwork !== true ||
            (dnsPolicy !== undefined && dnsPolicy !== "ClusterFirst")
        ) {
            return undefined;
        }
        spec.dnsPolicy = "ClusterFirstWithHostNet";
        return args.props;
    },
};

export const peerParallelism: ResourceValidationPolicy = {
    name: "peer-parallelism-covers-completions",
    description:
        "A Job whose pods set a subdomain should run all its pods at once (parallelism equal " +
        "to completions); otherwise the higher indexes start only after lower ones finish, " +
        "and pods that wait for all their peers never see them.",
    enforcementLevel: "advisory",
    validateResource: peeredValidation(["Job"], ({ workload, who }, report) => {
        const pods = jobPodsOf(workload.props);
        if (pods.completions === undefined || pods.parallelism >= pods.completions) {
            return;
        }
        const parallelismText = pods.parallelismDefaulted
            ? "is unset, so 1, which is"
            : `${pods.parallelism} is`;
        report(
            `${who}: spec.parallelism ${parallelismText} below spec.completions ` +
                `${pods.completions}: the peers are never all running at once, so a ` +
                `rendezvous of all of them never completes; set spec.parallelism to ` +
                `${pods.completions} unless the pods do not wait for each other`,
        );
    }),
};

export const jobTtl: ResourceValidationPolicy = {
    name: "job-ttl-reruns-work",
    description:
        "A Job managed by Pulumi should not set ttlSecondsAfterFinished: Kubernetes deletes " +
        "the finished Job, and the next pulumi up or refresh creates it again, running the " +
        "work again.",
    enforcementLevel: "advisory",
    validateResource: workloadValidation(["Job"], (workload, who, report) => {
        const ttl = asNumber(at(workload.props, "spec", "ttlSecondsAfterFinished"));
        if (ttl === undefined) {
            return;
        }
        report(
            `${who}: spec.ttlSecondsAfterFinished ${ttl} lets Kubernetes delete the Job ` +
                `${ttl} seconds after it finishes; the next pulumi up or pulumi refresh finds ` +
                "it gone and creates it again, which runs the work again; leave it out and " +
                "remove the Job with pulumi destroy",
        );
    }),
};

export const templateHostname: ResourceValidationPolicy = {
    name: "template-hostname-multi-pod",
    description:
        "A Job that runs more than one pod should not set a hostname in its pod template: an " +
        "Indexed Job replaces it with <job name>-<index>, and any other Job gives every pod " +
        "the same hostname.",
    enforcementLevel: "advisory",
    validateResource: workloadValidation(["Job"], (workload, who, report) => {
        const hostname = asString(podSpecOf(workload)?.hostname);
        if (hostname === undefined || !jobPodsOf(workload.props).multiplePods) {
            return;
        }
        const field = `spec.template.spec.hostname "${hostname}"`;
        if (completionModeOf(workload.props) === "Indexed") {
            report(
                `${who}: ${field} is ignored: the Job controller sets each pod's hostname to ` +
                    "<job name>-<index>; remove it so that no one relies on it",
            );
        } else {
            report(
                `${who}: ${field} gives every pod of the Job the same hostname, so their ` +
                    "names cannot tell them apart; remove it, and use completionMode: " +
                    "Indexed for one hostname per pod",
            );
        }
    }),
};

export const pingNeedsNetRaw: ResourceValidationPolicy = {
    name: "ping-needs-net-raw",
    description:
        "A container that runs ping needs the NET_RAW capability, which several container " +
        "runtimes drop by default and the baseline Pod Security Standard forbids adding; " +
        "check that a peer is reachable with a name lookup or a TCP connection instead.",
    enforcementLevel: "advisory",
    validateResource: workloadValidation(["Job", "Pod"], (workload, who, report) => {
        const spec = podSpecOf(workload);
        // Each list and each container is read on its own, so that one unknown in a preview
        // does not hide a ping in another.
        checkEach(["initContainers", "containers"], (list) => {
            const containers = asArray(spec?.[list]);
            const indexes = Array.from({ length: containers.length }, (_, index) => index);
            checkEach(indexes, (index) => {
                const container = containers[index];
                const ping = pingRunByContainer(container);
                if (ping === undefined || hasNetRaw(container)) {
                    return;
                }
                const name = asString(at(container, "name"));
                const label = name === undefined ? "" : ` ("${name}")`;
                report(
                    `${who}: ${workload.podSpecPath}.${list}[${index}]${label} runs ${ping} ` +
                        `without the NET_RAW capability, so ${ping} can fail even where the ` +
                        "peer's name resolves; test a peer with a name lookup (getent hosts " +
                        "<name>) or a TCP connection, or add NET_RAW where the namespace's Pod " +
                        "Security level allows",
                );
            });
        });
    }),
};

/** The words of a container's `command` or `args`. */
function wordsOf(value: unknown): string[] {
    return asArray(value).map((word) => (typeof word === "string" ? word : ""));
}

/**
 * The ping program a container runs (see {@link pingRunBy}), or `undefined`. Kubernetes starts a
 * container with `command`, which replaces the image's entrypoint, followed by `args`; `args`
 * alone go to the image's entrypoint, which a policy cannot see. With `args` unknown in a
 * preview, a ping that `command` alone runs is certain: words after a program, or after a
 * shell's script, do not change what runs.
 */
function pingRunByContainer(container: unknown): string | undefined {
    const command = wordsOf(at(container, "command"));
    if (command.length === 0) {
        return undefined;
    }
    const args = tryRead(() => wordsOf(at(container, "args")));
    if (args.known) {
        return pingRunBy([...command, ...args.value]);
    }
    const found = pingRunBy(command);
    if (found === undefined) {
        throw args.error;
    }
    return found;
}

function hasNetRaw(container: unknown): boolean {
    if (at(container, "securityContext", "privileged") === true) {
        return true;
    }
    const added = asArray(at(container, "securityContext", "capabilities", "add"));
    return added.some((cap) => cap === "NET_RAW" || cap === "CAP_NET_RAW" || cap === "ALL");
}

export const peerJobExplicitName: ResourceValidationPolicy = {
    name: "peer-job-explicit-name",
    description:
        "A Job whose pods set a subdomain should have metadata.name: without it its name gets " +
        "a random suffix, a replacement gets a new one, and the peers' hostnames " +
        "(<job name>-<index>) are neither known in advance nor stable.",
    enforcementLevel: "advisory",
    validateResource: peeredValidation(["Job"], ({ workload, who }, report) => {
        if (!isAutoNamed(workload.props)) {
            return;
        }
        const name = nameOf(workload.props);
        if (name === undefined) {
            report(
                `${who} has no metadata.name: ` +
                    `${futureName(workload.props, workload.resourceName)}, which changes ` +
                    "whenever the Job is replaced. Until it has a name, " +
                    "peer-names-are-dns-labels cannot check the length of its pods' " +
                    "hostnames, and subdomain-has-headless-service cannot check a Service " +
                    "selector on its job-name labels; set metadata.name",
            );
            return;
        }
        report(
            `${who} was named by the provider, with a random suffix that changes whenever the ` +
                "Job is replaced, and so do its pods' hostnames; set metadata.name",
        );
    }),
};
