/** The same objects as the baseline, declared through PeerJob, with the peer names its outputs. */
import * as pulumi from "@pulumi/pulumi";

import { PeerJob } from "../components";
import { CONTAINER, NAMESPACE, OBJECT_LABELS, PeerLists, Shape, jobNameOf } from "./workload";

/** Declares the PeerJobs of `shape` and waits for every one's peer-name outputs. */
export async function declareViaPeerJob(shape: Shape): Promise<PeerLists[]> {
    const lists: Promise<PeerLists>[] = [];
    for (let j = 0; j < shape.jobs; j++) {
        const peerJob = new PeerJob(jobNameOf(j), {
            namespace: NAMESPACE,
            completions: shape.completions,
            labels: { ...OBJECT_LABELS },
            template: { spec: { containers: [{ ...CONTAINER }] } },
        });
        // Each list is read on its own: combining them with pulumi.all would copy both.
        const hostnames = valueOf(peerJob.peerHostnames);
        const fqdns = valueOf(peerJob.peerFqdns);
        lists.push(Promise.all([hostnames, fqdns]).then(([h, f]) => ({ hostnames: h, fqdns: f })));
    }
    return Promise.all(lists);
}

/** The value of an output that is known, as it is outside a preview. */
function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => output.apply(resolve));
}
