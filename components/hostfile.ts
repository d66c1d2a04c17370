import * as pulumi from "@pulumi/pulumi";

import { HostfileOptions, PlainSettingsArgs, switchedOptions } from "./args";
import { MAX_LABEL_LENGTH, peerDnsSuffix, peerFqdn } from "./naming";
import { Problem, isIntegerIn } from "./problems";

type PlainHostfileOptions = pulumi.Unwrap<HostfileOptions>;

/** Where every container finds the hostfile. */
export const HOSTFILE_DIR = "/etc/peer-job";
export const HOSTFILE_KEY = "hostfile";
export const HOSTFILE_PATH = `${HOSTFILE_DIR}/${HOSTFILE_KEY}`;

/** The pod volume that carries the hostfile ConfigMap. */
export const HOSTFILE_VOLUME = "peer-job-hostfile";

/** The most a ConfigMap may hold: its keys and values together, in bytes. */
export const MAX_CONFIGMAP_BYTES = 1024 * 1024;

/** `hostfile` after defaults. */
export interface ResolvedHostfile {
    slots: number;
}

/** The ConfigMap's name: `example-job` -> `example-job-hostfile`. */
export function hostfileConfigMapName(jobName: string): string {
    return `${jobName}-hostfile`;
}

/** One hostfile line, in the form Open MPI and MPICH both read. */
export function hostfileLine(fqdn: string, slots: number): string {
    return `${fqdn} slots=${slots}\n`;
}

/** The whole hostfile: one line per peer, in index order. */
export function hostfileContent(
    jobName: string,
    dnsSuffix: string,
    completions: number,
    slots: number,
): string {
    const lines = new Array<string>(completions);
    for (let i = 0; i < completions; i++) {
        lines[i] = hostfileLine(peerFqdn(jobName, i, dnsSuffix), slots);
    }
    return lines.join("");
}

/**
 * How many peers' lines fit in one ConfigMap, at most `limit`: the first `n` lines whose bytes,
 * with the key's, stay within {@link MAX_CONFIGMAP_BYTES}.
 */
export function hostfileCapacity(
    jobName: string,
    dnsSuffix: string,
    slots: number,
    limit: number,
): number {
    let bytes = HOSTFILE_KEY.length;
    for (let n = 0; n < limit; n++) {
        bytes += hostfileLine(peerFqdn(jobName, n, dnsSuffix), slots).length;
        if (bytes > MAX_CONFIGMAP_BYTES) {
            return n;
        }
    }
    return limit;
}

/** Applies defaults to `hostfile` and reports what cannot work; `undefined` when off. */
export function resolveHostfile(
    args: PlainSettingsArgs,
    problems: Problem[],
): ResolvedHostfile | undefined {
    const options = switchedOptions<PlainHostfileOptions>(
        "hostfile",
        args.hostfile,
        ["slots"],
        problems,
    );
    if (options === undefined) {
        return undefined;
    }
    const slots = options.slots ?? 1;
    if (!isIntegerIn(slots, 1, 1_000_000)) {
        problems.push({
            field: "hostfile.slots",
            value: slots,
            rule: "must be an integer from 1 to 1000000",
        });
    }
    return { slots };
}

/**
 * Rejects a hostfile over the ConfigMap limit, naming how many peers would fit. Without a
 * namespace, the provider's is not known yet: the longest one possible is assumed.
 */
export function hostfileSizeProblems(
    job: { jobName: string; serviceName: string; clusterDomain: string; completions: number },
    hostfile: ResolvedHostfile,
    namespace: string | undefined,
): Problem[] {
    const suffix = peerDnsSuffix(
        job.serviceName,
        namespace ?? "n".repeat(MAX_LABEL_LENGTH),
        job.clusterDomain,
    );
    const fits = hostfileCapacity(job.jobName, suffix, hostfile.slots, job.completions);
    if (fits >= job.completions) {
        return [];
    }
    const assumption = namespace === undefined ? " (assuming a 63-character namespace)" : "";
    return [
        {
            field: "hostfile",
            value: true,
            rule:
                `one line per peer for ${job.completions} peers is over the ` +
                `${MAX_CONFIGMAP_BYTES} bytes a ConfigMap holds${assumption}; ` +
                `it fits at most ${fits} peers`,
        },
    ];
}
