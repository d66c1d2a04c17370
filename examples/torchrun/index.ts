/**
 * PyTorch distributed training with torchrun: one pod per node, rank from the completion index,
 * the rendezvous at the coordinator (index 0), world size from the peer count. The other ranks
 * hold back in an init container until the coordinator's rendezvous port accepts connections.
 */
import * as pulumi from "@pulumi/pulumi";

import { PEER_ENV, PeerJob } from "../../components";

const config = new pulumi.Config();
const nodes = config.getNumber("nodes") ?? 4;
const rendezvousPort = 29500;

// A minimal training step: every rank adds its rank to a tensor, then checks the sum.
const trainScript = `
import torch, torch.distributed as dist
dist.init_process_group("gloo")
rank, world = dist.get_rank(), dist.get_world_size()
total = torch.tensor([float(rank)])
dist.all_reduce(total)
assert total.item() == world * (world - 1) / 2, total
print(f"rank {rank} of {world}: all_reduce ok", flush=True)
dist.destroy_process_group()
`;

const training = new PeerJob("torchrun", {
    namespace: config.get("namespace"),
    completions: nodes,
    // One failed rank fails the step for all: let the Job fail rather than retry one rank.
    backoffLimit: 0,
    ports: [{ name: "rendezvous", port: rendezvousPort }],
    waitForPeers: { peers: "coordinator", port: rendezvousPort },
    networkPolicy: true,
    template: {
        spec: {
            containers: [
                {
                    name: "trainer",
                    image: config.get("image") ?? "pytorch/pytorch:2.5.1-cuda12.4-cudnn9-runtime",
                    command: [
                        "sh",
                        "-c",
                        'printf "%s" "$TRAIN_SCRIPT" > /tmp/train.py && exec "$@"',
                        "--",
                    ],
                    // Kubernetes expands $(VAR) in args from the container's environment,
                    // which holds JOB_COMPLETION_INDEX in every Indexed Job pod.
                    args: [
                        "torchrun",
                        `--nnodes=$(${PEER_ENV.peerCount})`,
                        "--nproc-per-node=1",
                        "--node-rank=$(JOB_COMPLETION_INDEX)",
                        `--master-addr=$(${PEER_ENV.coordinator})`,
                        `--master-port=${rendezvousPort}`,
                        "/tmp/train.py",
                    ],
                    env: [{ name: "TRAIN_SCRIPT", value: trainScript }],
                    ports: [{ name: "rendezvous", containerPort: rendezvousPort }],
                    resources: { requests: { cpu: "1", memory: "2Gi" } },
                },
            ],
        },
    },
});

export const coordinator = training.coordinator;
export const ranks = training.peerHostnames;
