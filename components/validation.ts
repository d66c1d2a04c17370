import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

import { PASS_THROUGH_JOB_FIELDS, PlainPeerJobArgs, PlainSettingsArgs } from "./args";
import {
    DEFAULT_CLUSTER_DOMAIN,
    MAX_COMPLETIONS,
    MAX_FQDN_LENGTH,
    MAX_LABEL_LENGTH,
    longestHostname,
    maxJobNameLength,
    peerDnsSuffix,
    peerFqdn,
    rfc1035LabelProblem,
    rfc1123LabelProblem,
    rfc1123SubdomainProblem,
} from "./naming";
import {
    HOSTFILE_DIR,
    HOSTFILE_VOLUME,
    ResolvedHostfile,
    hostfileSizeProblems,
    resolveHostfile,
} from "./hostfile";
import { ResolvedNetworkPolicy, resolveNetworkPolicy } from "./networkPolicy";
import { isPlain } from "./inputs";
import { RESERVED_ENV_NAMES } from "./peerEnv";
import { Problem, isIntegerIn, throwIfProblems } from "./problems";
import { ResolvedWaitForPeers, WAIT_CONTAINER_NAME, resolveWaitForPeers } from "./waitForPeers";

/** A plain (fully resolved) pod template. */
export type PlainPodTemplate = pulumi.Unwrap<k8s.types.input.core.v1.PodTemplateSpec>;
type PlainContainer = pulumi.Unwrap<k8s.types.input.core.v1.Container>;

/** The label PeerJob puts on its pods and its Service selects; its value is the Job's name. */
export const SELECTOR_LABEL = "peer-job/job-name";

/** Annotations of Pulumi's Kubernetes provider that PeerJob sets from `awaitCompletion`. */
export const SKIP_AWAIT_ANNOTATION = "pulumi.com/skipAwait";
export const TIMEOUT_ANNOTATION = "pulumi.com/timeoutSeconds";

/** Switches that a JavaScript program might set to a string such as "false". */
const BOOLEAN_FIELDS = [
    "allowPartialParallelism",
    "publishNotReadyAddresses",
    "awaitCompletion",
    "suspend",
] as const;

/** PeerJob's inputs other than the pod template, after defaults and checks. */
export interface ResolvedSettings {
    jobName: string;
    serviceName: string;
    /** `undefined` when the provider chooses the namespace. */
    namespace: string | undefined;
    clusterDomain: string;
    completions: number;
    parallelism: number;
    publishNotReadyAddresses: boolean;
    ports: PlainPeerJobArgs["ports"];
    labels: Record<string, string> | undefined;
    serviceAnnotations: Record<string, string> | undefined;
    jobAnnotations: Record<string, string>;
    /** The pass-through Job spec fields the caller set. */
    jobSpecFields: Partial<Pick<PlainPeerJobArgs, (typeof PASS_THROUGH_JOB_FIELDS)[number]>>;
    /** The init container that waits for peers, when asked for. */
    waitForPeers: ResolvedWaitForPeers | undefined;
    /** The NetworkPolicy admitting only peers, when asked for. */
    networkPolicy: ResolvedNetworkPolicy | undefined;
    /** The MPI hostfile, when asked for. */
    hostfile: ResolvedHostfile | undefined;
    /** Settings that work but bite later, for `pulumi.log.warn`. */
    warnings: string[];
}

/** The caller's pod template after checks, with the defaults PeerJob fills in. */
export interface ResolvedTemplate {
    template: PlainPodTemplate;
    warnings: string[];
}

/** PeerJob's inputs after defaults and checks, ready to render its objects. */
export interface ResolvedPeerJob extends ResolvedSettings {
    template: PlainPodTemplate;
}

/**
 * Applies PeerJob's defaults to plain inputs and checks every rule that Kubernetes or DNS would
 * otherwise break at run time. Throws {@link PeerJobValidationError} listing all problems.
 */
export function resolvePeerJob(componentName: string, args: PlainPeerJobArgs): ResolvedPeerJob {
    const problems: Problem[] = [];
    const { template, ...rest } = args ?? ({} as PlainPeerJobArgs);
    const settings = buildSettings(componentName, rest, true, problems);
    const checked = buildTemplate(settings, template, problems);
    throwIfProblems(componentName, problems);
    return {
        ...settings,
        template: checked.template,
        warnings: [...settings.warnings, ...checked.warnings],
    };
}

/**
 * {@link resolvePeerJob} for everything but the pod template. With `namespaceKnown` false,
 * `args.namespace` is not looked at: the checks that need it are left to
 * {@link namespaceProblems}, to run once it is known.
 */
export function resolveSettings(
    componentName: string,
    args: PlainSettingsArgs,
    namespaceKnown: boolean,
): ResolvedSettings {
    const problems: Problem[] = [];
    const settings = buildSettings(componentName, args, namespaceKnown, problems);
    throwIfProblems(componentName, problems);
    return settings;
}

/** {@link resolvePeerJob} for the pod template, once the other inputs are resolved. */
export function resolveTemplate(
    componentName: string,
    settings: ResolvedSettings,
    template: PlainPodTemplate | undefined,
): ResolvedTemplate {
    const problems: Problem[] = [];
    const checked = buildTemplate(settings, template, problems);
    throwIfProblems(componentName, problems);
    return checked;
}

/**
 * Checks what can be checked now: the settings when none of them is an Output or a Promise,
 * and the template too when it is plain as well. Throws listing every problem found.
 */
export function checkKnownInputs(
    componentName: string,
    args: PlainSettingsArgs & { template?: unknown },
): { settings?: ResolvedSettings; template?: ResolvedTemplate } {
    const problems: Problem[] = [];
    const { template, ...settingsArgs } = args;
    const namespaceKnown = isPlain(args.namespace);
    const { namespace: _namespace, ...withoutNamespace } = settingsArgs;
    if (!isPlain(namespaceKnown ? settingsArgs : withoutNamespace)) {
        return {};
    }
    const settings = buildSettings(componentName, settingsArgs, namespaceKnown, problems);
    const checked = isPlain(template)
        ? buildTemplate(settings, template as PlainPodTemplate | undefined, problems)
        : undefined;
    throwIfProblems(componentName, problems);
    return { settings, template: checked };
}

function buildSettings(
    componentName: string,
    args: PlainSettingsArgs,
    namespaceKnown: boolean,
    problems: Problem[],
): ResolvedSettings {
    const warnings: string[] = [];

    const jobName = args.jobName ?? componentName;
    const serviceName = args.serviceName ?? componentName;
    const clusterDomain = args.clusterDomain ?? DEFAULT_CLUSTER_DOMAIN;
    const derived = " (derived from the component name; set it explicitly)";

    const completions = args.completions;
    const completionsOk = isIntegerIn(completions, 1, MAX_COMPLETIONS);
    if (!completionsOk) {
        problems.push({
            field: "completions",
            value: completions,
            rule: `must be an integer from 1 to ${MAX_COMPLETIONS}`,
        });
    }
    const parallelism = args.parallelism ?? completions;
    checkParallelism(args, parallelism, completionsOk, problems, warnings);

    const jobNameProblem = stringProblem(jobName, rfc1123LabelProblem);
    if (jobNameProblem !== undefined) {
        problems.push({
            field: "jobName",
            value: jobName,
            rule: jobNameProblem + (args.jobName === undefined ? derived : ""),
        });
    } else if (completionsOk) {
        const hostname = longestHostname(jobName, completions);
        if (hostname.length > MAX_LABEL_LENGTH) {
            const limit = maxJobNameLength(completions);
            problems.push({
                field: "jobName",
                value: jobName,
                rule:
                    `the hostname of the last index, "${hostname}", is ${hostname.length} ` +
                    `characters, over the ${MAX_LABEL_LENGTH} allowed for a DNS label; with ` +
                    `${completions} completions jobName must be at most ${limit} characters ` +
                    `(${jobName.length - limit} shorter)`,
            });
        }
    }

    const serviceNameProblem = stringProblem(serviceName, rfc1035LabelProblem);
    if (serviceNameProblem !== undefined) {
        problems.push({
            field: "serviceName",
            value: serviceName,
            rule: serviceNameProblem + (args.serviceName === undefined ? derived : ""),
        });
    }
    const clusterDomainProblem = stringProblem(clusterDomain, rfc1123SubdomainProblem);
    if (clusterDomainProblem !== undefined) {
        problems.push({ field: "clusterDomain", value: clusterDomain, rule: clusterDomainProblem });
    }

    if (args.completionMode !== undefined && args.completionMode !== "Indexed") {
        problems.push({
            field: "completionMode",
            value: args.completionMode,
            rule: "must be Indexed: only Indexed Jobs give their pods stable hostnames",
        });
    }
    if (args.maxFailedIndexes !== undefined && args.backoffLimitPerIndex === undefined) {
        problems.push({
            field: "maxFailedIndexes",
            value: args.maxFailedIndexes,
            rule: "needs backoffLimitPerIndex; Kubernetes rejects it alone",
        });
    }
    if (args.ttlSecondsAfterFinished !== undefined) {
        warnings.push(
            `ttlSecondsAfterFinished (${args.ttlSecondsAfterFinished}) lets Kubernetes delete ` +
                "the finished Job; the next `pulumi up` or `pulumi refresh` finds it gone and " +
                "creates it again, which runs the work again.",
        );
    }
    for (const field of BOOLEAN_FIELDS) {
        const value = args[field];
        if (value !== undefined && typeof value !== "boolean") {
            problems.push({ field, value, rule: "must be true or false" });
        }
    }
    const publishNotReadyAddresses = args.publishNotReadyAddresses ?? true;
    if (!publishNotReadyAddresses) {
        warnings.push(
            "publishNotReadyAddresses is false: a pod gets its DNS record only once it is " +
                "Ready, so pods that wait for their peers before becoming Ready never find them.",
        );
    }

    const jobAnnotations = awaitAnnotations(args, problems);
    checkPorts(args.ports, problems);

    const waitForPeers = resolveWaitForPeers(args, completions, problems);
    if (waitForPeers?.peers === "all" && completionsOk && parallelism < completions) {
        problems.push({
            field: "waitForPeers.peers",
            value: "all",
            rule:
                `with parallelism (${parallelism}) below completions (${completions}) the ` +
                "last peers start only after the first finish, so waiting for all never ends",
        });
    }
    const networkPolicy = resolveNetworkPolicy(args, problems);
    const hostfile = resolveHostfile(args, problems);

    const resolved: ResolvedSettings = {
        jobName,
        serviceName,
        namespace: namespaceKnown ? args.namespace : undefined,
        clusterDomain,
        completions,
        parallelism,
        publishNotReadyAddresses,
        ports: args.ports,
        labels: args.labels,
        serviceAnnotations: args.annotations,
        jobAnnotations: { ...args.annotations, ...jobAnnotations },
        jobSpecFields: pickDefined(args, PASS_THROUGH_JOB_FIELDS),
        waitForPeers,
        networkPolicy,
        hostfile,
        warnings,
    };
    if (namespaceKnown) {
        // The other namespace checks build names, which needs the rest to be valid first.
        problems.push(
            ...(problems.length === 0
                ? namespaceProblems(resolved, args.namespace)
                : namespaceLabelProblems(args.namespace)),
        );
    }
    return resolved;
}

function buildTemplate(
    settings: ResolvedSettings,
    template: PlainPodTemplate | undefined,
    problems: Problem[],
): ResolvedTemplate {
    const warnings: string[] = [];
    const checked = checkTemplate(template, settings, problems);
    if (checked.spec?.hostNetwork === true) {
        warnings.push(
            "template.spec.hostNetwork is true: peers still resolve by name, but each pod's own " +
                "hostname is its node's, and pods of one node share its ports.",
        );
    }
    const addsWait = settings.waitForPeers !== undefined;
    checkOwnedNames(checked, addsWait, settings.hostfile !== undefined, problems);
    return { template: checked, warnings };
}

/**
 * The checks that need the namespace, for a Job that is otherwise valid: the namespace must be
 * an RFC 1123 label, the longest peer FQDN must fit in 253 characters, and the hostfile in a
 * ConfigMap. `undefined` stands for the provider's namespace, not known to the program.
 */
export function namespaceProblems(job: ResolvedSettings, namespace: string | undefined): Problem[] {
    if (namespace !== undefined) {
        const labelProblems = namespaceLabelProblems(namespace);
        if (labelProblems.length > 0) {
            return labelProblems;
        }
        const suffix = peerDnsSuffix(job.serviceName, namespace, job.clusterDomain);
        const fqdn = peerFqdn(job.jobName, job.completions - 1, suffix);
        if (fqdn.length > MAX_FQDN_LENGTH) {
            return [
                {
                    field: "namespace",
                    value: namespace,
                    rule:
                        `the longest peer FQDN, "${fqdn}", is ${fqdn.length} characters, over ` +
                        `the ${MAX_FQDN_LENGTH} DNS allows; shorten the names by ` +
                        `${fqdn.length - MAX_FQDN_LENGTH} characters`,
                },
            ];
        }
    }
    return job.hostfile === undefined ? [] : hostfileSizeProblems(job, job.hostfile, namespace);
}

function namespaceLabelProblems(namespace: string | undefined): Problem[] {
    const problem =
        namespace === undefined ? undefined : stringProblem(namespace, rfc1123LabelProblem);
    return problem === undefined ? [] : [{ field: "namespace", value: namespace, rule: problem }];
}

/** The Service's ports: numbers in range, and names on each when there are several. */
function checkPorts(ports: PlainSettingsArgs["ports"], problems: Problem[]): void {
    if (ports === undefined) {
        return;
    }
    if (!Array.isArray(ports)) {
        problems.push({ field: "ports", value: ports, rule: "must be a list of Service ports" });
        return;
    }
    const names = new Set<string>();
    ports.forEach((port, i) => {
        const field = `ports[${i}]`;
        if (port === null || typeof port !== "object" || !isIntegerIn(port.port, 1, 65535)) {
            problems.push({ field, value: port, rule: "must have a port from 1 to 65535" });
            return;
        }
        if (ports.length > 1 && typeof port.name !== "string") {
            problems.push({
                field,
                value: port,
                rule: "needs a name when the Service has several",
            });
        } else if (port.name !== undefined && names.has(port.name)) {
            problems.push({ field, value: port, rule: "repeats the name of another port" });
        }
        names.add(port.name ?? "");
    });
}

function checkParallelism(
    args: PlainSettingsArgs,
    parallelism: unknown,
    completionsOk: boolean,
    problems: Problem[],
    warnings: string[],
): void {
    const completions = args.completions;
    if (args.parallelism === undefined && !completionsOk) {
        return; // It defaults to completions, which is already reported.
    }
    if (!isIntegerIn(parallelism, 1, MAX_COMPLETIONS)) {
        problems.push({
            field: "parallelism",
            value: parallelism,
            rule:
                `must be an integer from 1 to completions (at most ${MAX_COMPLETIONS}); ` +
                "to hold the Job back, set suspend: true",
        });
        return;
    }
    if (!completionsOk) {
        return;
    }
    if (parallelism > completions) {
        problems.push({
            field: "parallelism",
            value: parallelism,
            rule: `must be at most completions (${completions}): there are no more pods to run`,
        });
    } else if (parallelism < completions) {
        const consequence =
            `below completions (${completions}), pods of the higher indexes start only after ` +
            "lower ones finish, so the peers are never all running at once";
        if (args.allowPartialParallelism === true) {
            warnings.push(`parallelism (${parallelism}) is ${consequence}.`);
        } else {
            problems.push({
                field: "parallelism",
                value: parallelism,
                rule:
                    `${consequence}; set allowPartialParallelism: true if the pods do not ` +
                    "wait for each other",
            });
        }
    }
}

function awaitAnnotations(args: PlainSettingsArgs, problems: Problem[]): Record<string, string> {
    for (const owned of [SKIP_AWAIT_ANNOTATION, TIMEOUT_ANNOTATION]) {
        const value = args.annotations?.[owned];
        if (value !== undefined) {
            problems.push({
                field: `annotations["${owned}"]`,
                value,
                rule: "is set by PeerJob from awaitCompletion and awaitTimeoutSeconds; use those",
            });
        }
    }

    const timeout = args.awaitTimeoutSeconds;
    if (args.awaitCompletion !== true) {
        if (timeout !== undefined) {
            problems.push({
                field: "awaitTimeoutSeconds",
                value: timeout,
                rule: "applies only with awaitCompletion: true",
            });
        }
        return { [SKIP_AWAIT_ANNOTATION]: "true" };
    }
    if (timeout === undefined) {
        return {};
    }
    if (!isIntegerIn(timeout, 1, Number.MAX_SAFE_INTEGER)) {
        problems.push({
            field: "awaitTimeoutSeconds",
            value: timeout,
            rule: "must be a positive integer",
        });
        return {};
    }
    return { [TIMEOUT_ANNOTATION]: String(timeout) };
}

/**
 * Checks the caller's pod template against what PeerJob owns and what peer DNS needs, and
 * returns it with `restartPolicy` and, for host-network pods, `dnsPolicy` defaulted.
 */
function checkTemplate(
    template: PlainPodTemplate | undefined,
    settings: ResolvedSettings,
    problems: Problem[],
): PlainPodTemplate {
    const { serviceName, jobName } = settings;
    const spec = template?.spec;
    if (spec === undefined || !Array.isArray(spec.containers) || spec.containers.length === 0) {
        problems.push({
            field: "template.spec.containers",
            value: spec?.containers,
            rule: "must list at least one container",
        });
        return template ?? {};
    }
    if (!checkContainerShapes(spec, problems)) {
        return template ?? {};
    }

    if (spec.hostname !== undefined) {
        problems.push({
            field: "template.spec.hostname",
            value: spec.hostname,
            rule: "must not be set: the Job controller names each pod <jobName>-<index>",
        });
    }
    if (spec.subdomain !== undefined && spec.subdomain !== serviceName) {
        problems.push({
            field: "template.spec.subdomain",
            value: spec.subdomain,
            rule: `must equal the Service's name, "${serviceName}", or be left out`,
        });
    }
    const selectorValue = template?.metadata?.labels?.[SELECTOR_LABEL];
    if (selectorValue !== undefined && selectorValue !== jobName) {
        problems.push({
            field: `template.metadata.labels["${SELECTOR_LABEL}"]`,
            value: selectorValue,
            rule: `is the label the Service selects; must equal the Job's name, "${jobName}"`,
        });
    }

    const restartPolicy = spec.restartPolicy ?? "Never";
    if (restartPolicy !== "Never" && restartPolicy !== "OnFailure") {
        problems.push({
            field: "template.spec.restartPolicy",
            value: restartPolicy,
            rule: "must be Never or OnFailure: Kubernetes accepts no other for Job pods",
        });
    }

    const dnsPolicy = checkDns(spec, settings, problems);
    checkReservedEnv(spec.initContainers, "initContainers", problems);
    checkReservedEnv(spec.containers, "containers", problems);

    return {
        ...template,
        spec: {
            ...spec,
            restartPolicy,
            ...(dnsPolicy === undefined ? {} : { dnsPolicy }),
        },
    };
}

/**
 * Rejects DNS settings under which cluster names cannot resolve. Host-network pods have one
 * right policy, `ClusterFirstWithHostNet`, which is returned to be set when none is given.
 */
function checkDns(
    spec: NonNullable<PlainPodTemplate["spec"]>,
    settings: ResolvedSettings,
    problems: Problem[],
): string | undefined {
    const dnsPolicy = spec.dnsPolicy;
    const field = "template.spec.dnsPolicy";
    if (spec.hostNetwork !== undefined && typeof spec.hostNetwork !== "boolean") {
        problems.push({
            field: "template.spec.hostNetwork",
            value: spec.hostNetwork,
            rule: "must be true or false",
        });
    }

    if (spec.hostNetwork === true) {
        if (dnsPolicy === undefined) {
            return "ClusterFirstWithHostNet";
        }
        if (dnsPolicy !== "ClusterFirstWithHostNet" && dnsPolicy !== "None") {
            problems.push({
                field,
                value: dnsPolicy,
                rule:
                    "with hostNetwork: true only ClusterFirstWithHostNet uses the cluster's DNS; " +
                    "leave dnsPolicy out and PeerJob sets it",
            });
            return dnsPolicy;
        }
    }

    switch (dnsPolicy) {
        case undefined:
        case "ClusterFirst":
        case "ClusterFirstWithHostNet":
            return dnsPolicy;
        case "Default":
            problems.push({
                field,
                value: dnsPolicy,
                rule:
                    "Default uses the node's resolver, which does not know the peers' cluster " +
                    "names; use ClusterFirst (or leave it out)",
            });
            return dnsPolicy;
        case "None": {
            const nameservers = spec.dnsConfig?.nameservers ?? [];
            if (nameservers.length === 0) {
                problems.push({
                    field: "template.spec.dnsConfig.nameservers",
                    value: spec.dnsConfig?.nameservers,
                    rule:
                        "with dnsPolicy None must list the cluster DNS server, or peer names " +
                        "cannot resolve",
                });
            }
            problems.push(
                ...searchDomainProblems(spec, settings.namespace, settings.clusterDomain),
            );
            return dnsPolicy;
        }
        default:
            problems.push({
                field,
                value: dnsPolicy,
                rule: "must be ClusterFirst, ClusterFirstWithHostNet, Default or None",
            });
            return dnsPolicy;
    }
}

/**
 * With `dnsPolicy: None`, short peer names resolve only through the namespace's own search
 * domain, `<namespace>.svc.<clusterDomain>` (a trailing dot allowed). `undefined` stands for a
 * namespace not known here: then any service search domain of the cluster is accepted.
 */
export function searchDomainProblems(
    spec: NonNullable<PlainPodTemplate["spec"]>,
    namespace: string | undefined,
    clusterDomain: string,
): Problem[] {
    if (spec.dnsPolicy !== "None") {
        return [];
    }
    const wanted = `${namespace ?? "<namespace>"}.svc.${clusterDomain}`;
    const searches = spec.dnsConfig?.searches ?? [];
    const found =
        Array.isArray(searches) &&
        searches.some((entry) => {
            const domain = typeof entry === "string" ? entry.replace(/\.$/, "") : "";
            return namespace === undefined
                ? domain.endsWith(`.svc.${clusterDomain}`)
                : domain === wanted;
        });
    if (found) {
        return [];
    }
    return [
        {
            field: "template.spec.dnsConfig.searches",
            value: spec.dnsConfig?.searches,
            rule:
                `with dnsPolicy None must include "${wanted}", ` +
                "or short peer names (<job>-<i>.<service>) cannot resolve",
        },
    ];
}

/**
 * Checks that the containers and their environment are lists of objects with names, the shape
 * PeerJob edits; a program in JavaScript can pass anything.
 */
function checkContainerShapes(
    spec: NonNullable<PlainPodTemplate["spec"]>,
    problems: Problem[],
): boolean {
    const before = problems.length;
    if (spec.initContainers !== undefined && !Array.isArray(spec.initContainers)) {
        problems.push({
            field: "template.spec.initContainers",
            value: spec.initContainers,
            rule: "must be a list of containers",
        });
        return false;
    }
    for (const list of ["initContainers", "containers"] as const) {
        (spec[list] ?? []).forEach((container: unknown, i) => {
            const field = `template.spec.${list}[${i}]`;
            const c = container as { name?: unknown; env?: unknown } | null;
            if (c === null || typeof c !== "object" || typeof c.name !== "string") {
                problems.push({ field, value: container, rule: "must be a container with a name" });
                return;
            }
            const env = c.env ?? [];
            const envOk =
                Array.isArray(env) &&
                env.every((e) => e !== null && typeof e === "object" && typeof e.name === "string");
            if (!envOk) {
                problems.push({
                    field: `${field}.env`,
                    value: c.env,
                    rule: "must be a list of variables, each with a name",
                });
            }
        });
    }
    return problems.length === before;
}

/** Rejects template parts whose names PeerJob needs for what it adds. */
function checkOwnedNames(
    template: PlainPodTemplate,
    addsWaitContainer: boolean,
    addsHostfile: boolean,
    problems: Problem[],
): void {
    if (addsWaitContainer) {
        rejectName(template.spec?.initContainers, "initContainers", WAIT_CONTAINER_NAME, problems);
    }
    if (addsHostfile) {
        rejectName(template.spec?.volumes, "volumes", HOSTFILE_VOLUME, problems);
        (template.spec?.containers ?? []).forEach((c, i) => {
            (c.volumeMounts ?? []).forEach((mount, j) => {
                if (mount.mountPath?.replace(/\/+$/, "") === HOSTFILE_DIR) {
                    problems.push({
                        field: `template.spec.containers[${i}].volumeMounts[${j}].mountPath`,
                        value: mount.mountPath,
                        rule: "is where hostfile mounts the hostfile; mount elsewhere",
                    });
                }
            });
        });
    }
}

function rejectName(
    items: { name: string }[] | undefined,
    list: string,
    owned: string,
    problems: Problem[],
): void {
    (items ?? []).forEach((item, i) => {
        if (item.name === owned) {
            problems.push({
                field: `template.spec.${list}[${i}].name`,
                value: item.name,
                rule: "is a name PeerJob needs for what it adds; rename it",
            });
        }
    });
}

function checkReservedEnv(
    containers: PlainContainer[] | undefined,
    list: string,
    problems: Problem[],
): void {
    (containers ?? []).forEach((container, i) => {
        for (const env of container.env ?? []) {
            if (RESERVED_ENV_NAMES.includes(env.name)) {
                problems.push({
                    field: `template.spec.${list}[${i}].env`,
                    value: env.name,
                    rule: "is set for every container by PeerJob or by the Job controller; use another name",
                });
            }
        }
    });
}

function stringProblem(value: unknown, rule: (s: string) => string | undefined) {
    return typeof value === "string" ? rule(value) : "must be a string";
}

function pickDefined<T extends object, K extends keyof T>(
    source: T,
    keys: readonly K[],
): Partial<Pick<T, K>> {
    const out: Partial<Pick<T, K>> = {};
    for (const key of keys) {
        if (source[key] !== undefined) {
            out[key] = source[key];
        }
    }
    return out;
}
