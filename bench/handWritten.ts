/**
 * The baseline: a headless Service and an Indexed Job written by hand with `@pulumi/kubernetes`,
 * with exactly the fields PeerJob renders, and the peer names computed in the program.
 */
import * as k8s from "@pulumi/kubernetes";

import { CONTAINER, NAMESPACE, OBJECT_LABELS, PeerLists, Shape, jobNameOf } from "./workload";

const CLUSTER_DOMAIN = "cluster.local";

/** Declares the objects of `shape` and returns every job's peer names. */
export async function declareHandWritten(shape: Shape): Promise<PeerLists[]> {
    const lists: PeerLists[] = [];
    for (let j = 0; j < shape.jobs; j++) {
        lists.push(declareOne(jobNameOf(j), shape.completions));
    }
    return lists;
}

function declareOne(name: string, completions: number): PeerLists {
    const selector = { "peer-job/job-name": name };
    const service = new k8s.core.v1.Service(name, {
        metadata: { name, namespace: NAMESPACE, labels: { ...OBJECT_LABELS } },
        spec: { clusterIP: "None", selector, publishNotReadyAddresses: true },
    });

    const env = [
        { name: "PEER_JOB_NAME", value: name },
        { name: "PEER_JOB_SUBDOMAIN", value: name },
        {
            name: "PEER_JOB_NAMESPACE",
            valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } },
        },
        {
            name: "PEER_JOB_DNS_SUFFIX",
            value: `${name}.$(PEER_JOB_NAMESPACE).svc.${CLUSTER_DOMAIN}`,
        },
        { name: "PEER_JOB_COORDINATOR", value: `${name}-0.$(PEER_JOB_DNS_SUFFIX)` },
        { name: "PEER_JOB_PEER_COUNT", value: String(completions) },
    ];
    new k8s.batch.v1.Job(
        name,
        {
            metadata: {
                name,
                namespace: NAMESPACE,
                labels: { ...OBJECT_LABELS },
                annotations: { "pulumi.com/skipAwait": "true" },
            },
            spec: {
                completionMode: "Indexed",
                completions,
                parallelism: completions,
                template: {
                    metadata: { labels: selector },
                    spec: {
                        containers: [{ ...CONTAINER, env }],
                        restartPolicy: "Never",
                        subdomain: name,
                    },
                },
            },
        },
        { dependsOn: [service] },
    );

    const suffix = `${name}.${NAMESPACE}.svc.${CLUSTER_DOMAIN}`;
    const hostnames = new Array<string>(completions);
    const fqdns = new Array<string>(completions);
    for (let i = 0; i < completions; i++) {
        hostnames[i] = `${name}-${i}.${name}`;
        fqdns[i] = `${name}-${i}.${suffix}`;
    }
    return { hostnames, fqdns };
}
