/**
 * An MPI job: index 0 is the launcher, which runs `mpirun` over the hostfile PeerJob mounts;
 * every index runs an SSH server for it. The Job succeeds when the launcher does (successPolicy
 * needs Kubernetes 1.31 or later; it is GA in 1.33).
 *
 * It needs an image with Open MPI and an SSH server, and a Secret holding an SSH key pair the
 * launcher may use to log in to the workers (keys `id_ed25519`, `id_ed25519.pub` and
 * `authorized_keys`); see the README.
 */
import * as pulumi from "@pulumi/pulumi";

import { PEER_ENV, PeerJob } from "../../components";

const config = new pulumi.Config();
const ranks = config.getNumber("ranks") ?? 4;
const sshSecret = config.get("sshSecret") ?? "mpi-ssh";

// Every pod serves SSH, the launcher too, since mpirun may start ranks on its own host over SSH.
// Names resolve while the workers are still starting, so the launcher also waits, for a bounded
// time, until each host's SSH port answers before it starts mpirun.
const launcherOrWorker = `
if [ "$JOB_COMPLETION_INDEX" = 0 ]; then
    /usr/sbin/sshd
    while read -r host _; do
        tries=0
        until timeout 2 bash -c "exec 3<>/dev/tcp/$host/22" 2>/dev/null; do
            tries=$((tries + 1))
            if [ "$tries" -ge 60 ]; then echo "launcher: no SSH on $host" >&2; exit 1; fi
            sleep 2
        done
    done < "$${PEER_ENV.hostfile}"
    exec mpirun --allow-run-as-root --hostfile "$${PEER_ENV.hostfile}" \\
        -np "$${PEER_ENV.peerCount}" --mca plm_rsh_args "-o StrictHostKeyChecking=no" hostname
else
    exec /usr/sbin/sshd -De
fi
`;

const job = new PeerJob("mpi", {
    namespace: config.get("namespace"),
    completions: ranks,
    hostfile: { slots: 1 },
    // The launcher needs every worker; each pod waits for all names (fine at this size).
    waitForPeers: { peers: "all" },
    networkPolicy: true,
    // The workers serve until the launcher is done; its success is the Job's.
    successPolicy: { rules: [{ succeededIndexes: "0" }] },
    backoffLimit: 0,
    template: {
        spec: {
            containers: [
                {
                    name: "mpi",
                    image: config.get("image") ?? "mpioperator/openmpi:0.6.0",
                    command: ["sh", "-c", launcherOrWorker],
                    volumeMounts: [{ name: "ssh", mountPath: "/root/.ssh", readOnly: true }],
                    ports: [{ name: "ssh", containerPort: 22 }],
                },
            ],
            volumes: [{ name: "ssh", secret: { secretName: sshSecret, defaultMode: 0o600 } }],
        },
    },
});

export const launcher = job.coordinator;
export const hostfile = job.hostfile?.data;
