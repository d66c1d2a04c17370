/**
 * Name rules and peer-DNS arithmetic for Indexed Jobs behind a headless Service.
 *
 * Everything here is pure: no Pulumi runtime, no I/O. The component, the render command and
 * the policy pack all derive names through these functions, so the three agree by construction.
 */

/** The longest DNS label Kubernetes accepts (RFC 1123 and RFC 1035 alike). */
export const MAX_LABEL_LENGTH = 63;

/** The longest fully qualified domain name DNS accepts. */
export const MAX_FQDN_LENGTH = 253;

/** The largest `completions` an Indexed Job accepts without per-index backoff limits. */
export const MAX_COMPLETIONS = 100_000;

/** The cluster DNS domain that kubeadm and most distributions configure. */
export const DEFAULT_CLUSTER_DOMAIN = "cluster.local";

/** A DNS label rule as Kubernetes checks it. */
interface LabelRule {
    name: string;
    pattern: RegExp;
    ends: string;
}

const RFC1123_LABEL: LabelRule = {
    name: "RFC 1123 label",
    pattern: /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/,
    ends: "starting and ending with a letter or digit",
};

const RFC1035_LABEL: LabelRule = {
    name: "RFC 1035 label",
    pattern: /^[a-z]([-a-z0-9]*[a-z0-9])?$/,
    ends: "starting with a letter and ending with a letter or digit",
};

function labelProblem(value: string, rule: LabelRule): string | undefined {
    if (value.length === 0) {
        return "must not be empty";
    }
    if (value.length > MAX_LABEL_LENGTH) {
        return `must be at most ${MAX_LABEL_LENGTH} characters (${rule.name}), is ${value.length}`;
    }
    if (!rule.pattern.test(value)) {
        return `must be an ${rule.name}: lowercase letters, digits and '-', ${rule.ends}`;
    }
    return undefined;
}

/**
 * Why `value` is not an RFC 1123 label (the rule for Job names, hostnames, subdomains and
 * namespaces), or `undefined` when it is one.
 */
export function rfc1123LabelProblem(value: string): string | undefined {
    return labelProblem(value, RFC1123_LABEL);
}

/**
 * Why `value` is not an RFC 1035 label (the rule for Service names), or `undefined` when it is
 * one. RFC 1035 labels are RFC 1123 labels that also start with a letter.
 */
export function rfc1035LabelProblem(value: string): string | undefined {
    return labelProblem(value, RFC1035_LABEL);
}

/**
 * Why `value` is not an RFC 1123 subdomain (dot-separated labels, at most 253 characters), or
 * `undefined` when it is one. Cluster domains follow this rule.
 */
export function rfc1123SubdomainProblem(value: string): string | undefined {
    if (value.length > MAX_FQDN_LENGTH) {
        return `must be at most ${MAX_FQDN_LENGTH} characters, is ${value.length}`;
    }
    const bad = value.split(".").find((label) => rfc1123LabelProblem(label) !== undefined);
    if (bad !== undefined) {
        return `must be dot-separated RFC 1123 labels; ${JSON.stringify(bad)} is not one`;
    }
    return undefined;
}

/** The hostname the Job controller gives the pod of `index`: `example-job`, 2 -> `example-job-2`. */
export function peerHostname(jobName: string, index: number): string {
    return `${jobName}-${index}`;
}

/** The longest pod hostname of a Job: the one of its highest index, `completions - 1`. */
export function longestHostname(jobName: string, completions: number): string {
    return peerHostname(jobName, completions - 1);
}

/**
 * The longest Job name whose pod hostnames all fit in a DNS label:
 * 3 completions -> 61 (`-2` takes two characters), 100000 completions -> 57.
 */
export function maxJobNameLength(completions: number): number {
    return MAX_LABEL_LENGTH - `-${completions - 1}`.length;
}

/**
 * The domain shared by every peer: `headless-svc`, `default` ->
 * `headless-svc.default.svc.cluster.local`. Peer `i` is `<job>-<i>.<this domain>`.
 */
export function peerDnsSuffix(
    serviceName: string,
    namespace: string,
    clusterDomain: string = DEFAULT_CLUSTER_DOMAIN,
): string {
    return `${serviceName}.${namespace}.svc.${clusterDomain}`;
}

/**
 * The name by which pods of the same namespace reach peer `index`, relying on their DNS search
 * path: `example-job`, `headless-svc`, 0 -> `example-job-0.headless-svc`.
 */
export function peerShortName(jobName: string, serviceName: string, index: number): string {
    return `${peerHostname(jobName, index)}.${serviceName}`;
}

/** The fully qualified name of peer `index`, resolvable from any namespace of the cluster. */
export function peerFqdn(jobName: string, index: number, dnsSuffix: string): string {
    return `${peerHostname(jobName, index)}.${dnsSuffix}`;
}

/** `f(0), f(1), ..., f(count - 1)`, built without intermediate arrays. */
export function mapIndexes<T>(count: number, f: (index: number) => T): T[] {
    const out = new Array<T>(count);
    for (let i = 0; i < count; i++) {
        out[i] = f(i);
    }
    return out;
}
