/**
 * Multi-process JAX: `jax.distributed.initialize` with the coordinator's address, the number of
 * processes and this process's id, all from what PeerJob and the Indexed Job provide.
 */
import * as pulumi from "@pulumi/pulumi";

import { PEER_ENV, PeerJob } from "../../components";

const config = new pulumi.Config();
const processes = config.getNumber("processes") ?? 4;
const coordinatorPort = 1234;

const program = `
import os, jax
jax.distributed.initialize(
    coordinator_address=os.environ["JAX_COORDINATOR_ADDRESS"],
    num_processes=int(os.environ["JAX_NUM_PROCESSES"]),
    process_id=int(os.environ["JAX_PROCESS_ID"]),
)
print(f"process {jax.process_index()} of {jax.process_count()}: "
      f"{jax.device_count()} devices in all", flush=True)
`;

const job = new PeerJob("jax", {
    namespace: config.get("namespace"),
    completions: processes,
    backoffLimit: 0,
    waitForPeers: { port: coordinatorPort },
    networkPolicy: true,
    template: {
        spec: {
            containers: [
                {
                    name: "jax",
                    // Any image with JAX installed; this one installs it at start, which needs
                    // egress to the package index.
                    image: config.get("image") ?? "python:3.12-slim",
                    command: [
                        "sh",
                        "-c",
                        'pip install --quiet "jax==0.4.35" && exec python -c "$JAX_PROGRAM"',
                    ],
                    env: [
                        {
                            name: "JAX_COORDINATOR_ADDRESS",
                            value: `$(${PEER_ENV.coordinator}):${coordinatorPort}`,
                        },
                        { name: "JAX_NUM_PROCESSES", value: `$(${PEER_ENV.peerCount})` },
                        {
                            // Kubernetes appends JOB_COMPLETION_INDEX after these variables, too
                            // late for $(VAR) expansion here, so read the index annotation.
                            name: "JAX_PROCESS_ID",
                            valueFrom: {
                                fieldRef: {
                                    fieldPath:
                                        "metadata.annotations['batch.kubernetes.io/job-completion-index']",
                                },
                            },
                        },
                        { name: "JAX_PROGRAM", value: program },
                    ],
                    ports: [{ name: "coordinator", containerPort: coordinatorPort }],
                },
            ],
        },
    },
});

export const coordinator = job.coordinator;
