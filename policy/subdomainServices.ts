/**
 * Policies across resources: a pod's subdomain names a Service, which must exist in the same
 * stack and namespace, be headless, and select the pod. These are stack validations, so they see
 * every resource at once; during `pulumi up` they run after the resources have changed, so run
 * `pulumi preview` first to learn of a violation before anything is created.
 */
import {
    PolicyResource,
    ReportViolation,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";

import {
    COMPLETION_INDEX_LABEL,
    JOB_POD_LABELS,
    Json,
    SERVICE_TYPE,
    Workload,
    asArray,
    asNumber,
    asObject,
    asString,
    at,
    describe,
    describeNamespace,
    effectivePodLabel,
    formatValue,
    futureName,
    isAutoNamed,
    nameOf,
    namespaceOf,
    sameNamespace,
    subdomainOf,
    workloadOf,
} from "./objects";
import { Read, checkEach, readOr, tryRead } from "./unknowns";

/** A Service of the stack, with the fields that decide whether a subdomain names it. */
interface ServiceEntry {
    resource: PolicyResource;
    name: Read<string | undefined>;
    namespace: Read<string | undefined>;
    autoNamed: boolean;
}

/** A Job or Pod of the stack whose pods set a subdomain. */
interface Peered {
    resource: PolicyResource;
    workload: Workload;
    subdomain: string;
    namespace: string | undefined;
    who: string;
}

/**
 * The Service a subdomain names, or why there is none. `sameNamespaceAssumed` is set when only
 * one of the two objects names its namespace, so that they meet only if the provider's default
 * namespace is the one named.
 */
type Lookup =
    | { found: ServiceEntry; sameNamespaceAssumed: false }
    | { found: ServiceEntry; sameNamespaceAssumed: true; namespaceNote: string }
    | { missing: string };

function servicesOf(resources: readonly PolicyResource[]): ServiceEntry[] {
    return resources
        .filter((r) => r.type === SERVICE_TYPE)
        .map((resource) => ({
            resource,
            name: tryRead(() => nameOf(resource.props)),
            namespace: tryRead(() => namespaceOf(resource.props, resource.provider?.props)),
            // An unknown annotation only loses a hint in a message.
            autoNamed: readOr(() => isAutoNamed(resource.props), false),
        }));
}

/** The Jobs and Pods of the stack. */
function workloadsOf(resources: readonly PolicyResource[]) {
    return resources.flatMap((resource) => {
        const workload = workloadOf(resource.type, resource.name, resource.props);
        return workload === undefined ? [] : [{ resource, workload }];
    });
}

/** Reads what the policies need of a workload; `undefined` when its pods set no subdomain. */
function peeredOf(resource: PolicyResource, workload: Workload): Peered | undefined {
    const subdomain = subdomainOf(workload);
    if (subdomain === undefined) {
        return undefined;
    }
    return {
        resource,
        workload,
        subdomain,
        namespace: namespaceOf(resource.props, resource.provider?.props),
        who: describe(workload.kind, resource.name, resource.props),
    };
}

/**
 * The Service a peered workload's subdomain names, or why there is none. Throws the framework's
 * unknown-value error when a Service that might be the one has a name or namespace unknown in
 * this preview, so that no Service is reported missing on a guess.
 */
function lookUpService(peered: Peered, services: readonly ServiceEntry[]): Lookup {
    const { subdomain, namespace, who } = peered;
    let unknown: { error: unknown } | undefined;
    let assumed: { service: ServiceEntry; note: string } | undefined;
    const elsewhere: string[] = [];
    const unnamed: string[] = [];

    for (const service of services) {
        const serviceNamespace = service.namespace;
        const same = serviceNamespace.known
            ? sameNamespace(namespace, serviceNamespace.value)
            : undefined;
        if (!service.name.known) {
            // A Service of unknown name might be the one, unless it is known to be elsewhere.
            if (same !== false) {
                unknown ??= { error: service.name.error };
            }
            continue;
        }
        if (service.name.value === subdomain) {
            if (!serviceNamespace.known) {
                unknown ??= { error: serviceNamespace.error };
                continue;
            }
            if (same === true) {
                return { found: service, sameNamespaceAssumed: false };
            }
            const where = describeNamespace(serviceNamespace.value);
            if (same === false) {
                elsewhere.push(
                    `a Service "${subdomain}" exists in ${where}, but a Service selects pods ` +
                        "of its own namespace only",
                );
            } else {
                assumed ??= {
                    service,
                    note:
                        `Service "${subdomain}" is in ${where} and ${who}, whose subdomain it ` +
                        `is, in ${describeNamespace(namespace)}: they share a namespace only ` +
                        "if the provider's default namespace is that one, which depends on the " +
                        "kubeconfig of whoever runs Pulumi; give both the same metadata.namespace",
                };
            }
        } else if (service.autoNamed && same !== false) {
            const { name, props } = service.resource;
            unnamed.push(
                `Service "${name}" (Pulumi name) has no metadata.name of its own: ` +
                    `${readOr(() => futureName(props, name), "it gets a random suffix")}, ` +
                    "which can never equal a subdomain; if it is meant for these pods, set its " +
                    `metadata.name to "${subdomain}"`,
            );
        }
    }
    if (unknown !== undefined) {
        throw unknown.error;
    }
    if (assumed !== undefined) {
        return { found: assumed.service, sameNamespaceAssumed: true, namespaceNote: assumed.note };
    }
    const notes = [...elsewhere, ...unnamed];
    return {
        missing:
            `${who} sets ${peered.workload.podSpecPath}.subdomain "${subdomain}", but the stack ` +
            `declares no Service "${subdomain}" in ${describeNamespace(namespace)}, so its ` +
            "pods get no DNS names" +
            (notes.length > 0 ? `; ${notes.join("; ")}` : "") +
            `; declare a headless Service (clusterIP: None) named "${subdomain}" in the same ` +
            "namespace, selecting the pod template's labels",
    };
}

/** The Services of the stack and its workloads whose pods set a subdomain, read lazily. */
function forEachPeered(
    args: StackValidationArgs,
    visit: (peered: Peered, services: readonly ServiceEntry[]) => void,
): void {
    const workloads = workloadsOf(args.resources);
    if (workloads.length === 0) {
        return args.notApplicable("applies to stacks with a Job or a Pod");
    }
    const services = servicesOf(args.resources);
    checkEach(workloads, ({ resource, workload }) => {
        const peered = peeredOf(resource, workload);
        if (peered !== undefined) {
            visit(peered, services);
        }
    });
}

export const subdomainHasHeadlessService: StackValidationPolicy = {
    name: "subdomain-has-headless-service",
    description:
        "A pod's subdomain gives it a DNS name only through a Service of the same name in the " +
        "pod's namespace that is headless (clusterIP: None) and whose selector the pod's labels " +
        "match; declare that Service in the same stack.",
    enforcementLevel: "mandatory",
    validateStack: (args: StackValidationArgs, reportViolation: ReportViolation) => {
        forEachPeered(args, (peered, services) => {
            const lookup = lookUpService(peered, services);
            if ("missing" in lookup) {
                reportViolation(lookup.missing, peered.resource.urn);
                return;
            }
            const service = lookup.found.resource;
            const serviceWho = `Service "${peered.subdomain}", the subdomain of ${peered.who},`;
            checkEach([checkHeadless, checkSelector], (check) => {
                const problem = check(service.props, peered);
                if (problem !== undefined) {
                    reportViolation(`${serviceWho} ${problem}`, peered.resource.urn);
                }
            });
        });
    },
};

export const peerNamespacesAgree: StackValidationPolicy = {
    name: "peer-namespaces-agree",
    description:
        "A workload with a subdomain and the Service of that name should both set " +
        "metadata.namespace, or both leave it out; when only one does, the pods are found " +
        "only if the provider's default namespace happens to be the one named.",
    enforcementLevel: "advisory",
    validateStack: (args: StackValidationArgs, reportViolation: ReportViolation) => {
        forEachPeered(args, (peered, services) => {
            const lookup = lookUpService(peered, services);
            if ("found" in lookup && lookup.sameNamespaceAssumed) {
                reportViolation(lookup.namespaceNote, peered.resource.urn);
            }
        });
    },
};

function checkHeadless(service: Json): string | undefined {
    if (asString(at(service, "spec", "type")) === "ExternalName") {
        const target = asString(at(service, "spec", "externalName"));
        const alias = target === undefined ? "" : ` for "${target}"`;
        return (
            "is an ExternalName Service (spec.type ExternalName), not a headless one: DNS " +
            `answers its name with a CNAME record${alias} and publishes no record for any pod; ` +
            "remove spec.type and spec.externalName and set spec.clusterIP: None (which " +
            "replaces the Service)"
        );
    }

    // A headless Service may say so in clusterIP, or in clusterIPs alone, whose first entry the
    // API server copies into clusterIP.
    const clusterIP = asString(at(service, "spec", "clusterIP"));
    const clusterIPs = clusterIP === undefined ? asArray(at(service, "spec", "clusterIPs")) : [];
    if (clusterIP === "None" || (clusterIP === undefined && clusterIPs[0] === "None")) {
        return undefined;
    }
    let current: string;
    if (clusterIP !== undefined) {
        current = `spec.clusterIP is "${clusterIP}"`;
    } else if (clusterIPs.length > 0) {
        current = `spec.clusterIP is unset and spec.clusterIPs is ${formatValue(clusterIPs)}`;
    } else {
        current = "spec.clusterIP is unset, so Kubernetes allocates a cluster IP";
    }
    return (
        `is not headless: ${current}; DNS publishes a record for each pod only under a ` +
        "headless Service; set spec.clusterIP: None (which replaces the Service)"
    );
}

/**
 * Why no pod of an Indexed Job carries `wanted` as the value of its completion-index label, or
 * `undefined` when one does. The Job controller writes each index in decimal, 0 to
 * completions - 1.
 */
function completionIndexProblem(workload: Workload, wanted: unknown): string | undefined {
    const key = COMPLETION_INDEX_LABEL;
    if (typeof wanted !== "string" || !/^(0|[1-9][0-9]*)$/.test(wanted)) {
        return `the pods carry their completion index as ${key}, a decimal number such as "0"`;
    }
    // Index 0 exists whenever the Job runs a pod at all; a higher one depends on completions.
    const index = Number(wanted);
    if (index === 0) {
        return undefined;
    }
    const completions = asNumber(at(workload.props, "spec", "completions"));
    if (completions === undefined || index < completions) {
        return undefined;
    }
    const range = completions <= 1 ? '"0"' : `"0" to "${completions - 1}"`;
    return `the pods have ${key}: ${range}, by spec.completions ${completions}`;
}

function checkSelector(service: Json, peered: Peered): string | undefined {
    const selector = asObject(at(service, "spec", "selector"));
    const keys = selector === undefined ? [] : Object.keys(selector);
    if (selector === undefined || keys.length === 0) {
        return (
            "has no spec.selector, so no pod is ever published under it; set it to labels " +
            `of ${peered.workload.kind === "Job" ? "the Job's pod template" : "the Pod"}`
        );
    }
    const mismatches: string[] = [];
    for (const key of keys) {
        const wanted = selector[key];
        const label = effectivePodLabel(peered.workload, key);
        if (label.state === "absent") {
            const note = label.note === undefined ? "" : `; ${label.note}`;
            mismatches.push(
                `${key}: ${formatValue(wanted)} (the pods have no label ${key}${note})`,
            );
        } else if (label.state === "completionIndex") {
            const problem = completionIndexProblem(peered.workload, wanted);
            if (problem !== undefined) {
                mismatches.push(`${key}: ${formatValue(wanted)} (${problem})`);
            }
        } else if (label.state === "value" && label.value !== wanted) {
            const actual = formatValue(label.value);
            mismatches.push(`${key}: ${formatValue(wanted)} (the pods have ${key}: ${actual})`);
        }
    }
    if (mismatches.length === 0) {
        return undefined;
    }
    return (
        `selects ${mismatches.join(", ")}, so it does not select these pods; every label of ` +
        "its selector must be on the pods with the same value"
    );
}

export const peerServicePublishesNotReady: StackValidationPolicy = {
    name: "peer-service-publishes-not-ready",
    description:
        "A Service that a subdomain names should set publishNotReadyAddresses: true; otherwise " +
        "a pod gets its DNS record only once it is Ready, and pods that wait for their peers " +
        "before becoming Ready never find each other.",
    enforcementLevel: "advisory",
    validateStack: (args: StackValidationArgs, reportViolation: ReportViolation) => {
        const namedBy = new Map<string, { service: PolicyResource; whos: string[] }>();
        try {
            forEachPeered(args, (peered, services) => {
                const lookup = lookUpService(peered, services);
                if ("missing" in lookup) {
                    return;
                }
                const service = lookup.found.resource;
                if (at(service.props, "spec", "publishNotReadyAddresses") === true) {
                    return;
                }
                const entry = namedBy.get(service.urn) ?? { service, whos: [] };
                entry.whos.push(peered.who);
                namedBy.set(service.urn, entry);
            });
        } finally {
            // Report what was found even when some workload could not be checked.
            for (const { service, whos } of namedBy.values()) {
                const name = nameOf(service.props);
                reportViolation(
                    `Service "${name}", the subdomain of ${whos.join(" and ")}, does not set ` +
                        "spec.publishNotReadyAddresses: true; set it, unless every pod is " +
                        "Ready before it looks up its peers",
                    service.urn,
                );
            }
        }
    },
};

export const peerServicePublishesNotReadyFix: ResourceValidationPolicy = {
    name: "peer-service-publishes-not-ready-fix",
    description:
        "Remediation only, off unless its level is set to remediate: sets " +
        "publishNotReadyAddresses: true on every headless Service whose selector picks the " +
        "pods of one Job (by the job-name, batch.kubernetes.io/job-name or peer-job/job-name " +
        "label).",
    enforcementLevel: "disabled",
    remediateResource: (args) => {
        if (args.type !== SERVICE_TYPE) {
            return undefined;
        }
        const spec = asObject(args.props.spec);
        const selector = asObject(spec?.selector);
        if (spec === undefined || selector === undefined || spec.clusterIP !== "None") {
            return undefined;
        }
        const selectsJobPods = Object.keys(selector).some((key) => JOB_POD_LABELS.includes(key));
        if (!selectsJobPods || spec.publishNotReadyAddresses === true) {
            return undefined;
        }
        spec.publishNotReadyAddresses = true;
        return args.props;
    },
};
