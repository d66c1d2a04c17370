import {
    DEFAULT_CLUSTER_DOMAIN,
    peerDnsSuffix,
    peerFqdn,
    peerShortName,
} from "../components/naming";
import { PEER_ENV } from "../components/peerEnv";

interface JobLike {
    kind?: unknown;
    metadata?: { name?: string; namespace?: string };
    spec?: {
        completionMode?: string;
        completions?: number;
        template?: {
            spec?: {
                subdomain?: string;
                containers?: { env?: { name: string; value?: string }[] }[];
            };
        };
    };
}

/** How many peers of one Job the table lists at most before it elides the middle. */
const LISTED_PEERS = 6;

/**
 * A plain-text table of the peer names of every Indexed Job with a subdomain among `objects`:
 * index, short name and fully qualified name. Long Jobs show their first and last peers.
 */
export function peerTable(
    objects: readonly Record<string, unknown>[],
    clusterDomain = DEFAULT_CLUSTER_DOMAIN,
): string {
    const rows: string[][] = [["JOB", "INDEX", "NAME", "FQDN"]];
    for (const object of objects as readonly JobLike[]) {
        const jobName = object.metadata?.name;
        const subdomain = object.spec?.template?.spec?.subdomain;
        const completions = object.spec?.completions ?? 1;
        if (object.kind !== "Job" || object.spec?.completionMode !== "Indexed") {
            continue;
        }
        if (jobName === undefined || subdomain === undefined) {
            continue;
        }
        const suffix = peerDnsSuffix(
            subdomain,
            object.metadata?.namespace ?? "default",
            clusterDomainOf(object) ?? clusterDomain,
        );
        for (const index of listedIndexes(completions)) {
            rows.push(
                index === undefined
                    ? [jobName, "...", "", ""]
                    : [
                          jobName,
                          String(index),
                          peerShortName(jobName, subdomain, index),
                          peerFqdn(jobName, index, suffix),
                      ],
            );
        }
    }
    if (rows.length === 1) {
        return "No Indexed Job with a subdomain: no peer names.\n";
    }
    const widths = rows[0].map((_, column) => Math.max(...rows.map((r) => r[column].length)));
    return (
        rows
            .map((r) =>
                r
                    .map((cell, c) => cell.padEnd(widths[c]))
                    .join("  ")
                    .trimEnd(),
            )
            .join("\n") + "\n"
    );
}

/** The cluster domain a PeerJob wrote into its pods' DNS suffix, if it is a PeerJob's Job. */
function clusterDomainOf(job: JobLike): string | undefined {
    const env = job.spec?.template?.spec?.containers?.[0]?.env ?? [];
    const suffix = env.find((e) => e.name === PEER_ENV.dnsSuffix)?.value;
    const marker = ".svc.";
    return suffix?.includes(marker)
        ? suffix.slice(suffix.indexOf(marker) + marker.length)
        : undefined;
}

/** 0..n-1, or its first and last few with `undefined` standing for the elided middle. */
function listedIndexes(completions: number): (number | undefined)[] {
    if (completions <= LISTED_PEERS) {
        return Array.from({ length: completions }, (_, i) => i);
    }
    const half = LISTED_PEERS / 2;
    const head = Array.from({ length: half }, (_, i) => i);
    const tail = Array.from({ length: half }, (_, i) => completions - half + i);
    return [...head, undefined, ...tail];
}
