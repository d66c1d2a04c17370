/**
 * The Kubernetes documentation's "Intra-Job Pod Networking Using Pod Hostnames" example, declared
 * through PeerJob: an Indexed Job `example-job` of 3 pods behind the headless Service
 * `headless-svc`, each pod checking that it can reach every peer by name. The workload runs under
 * the `restricted` Pod Security Standard, so it resolves names instead of using `ping`.
 */
import * as fs from "fs";
import * as path from "path";

import * as pulumi from "@pulumi/pulumi";

import { PeerJob } from "./components";

const config = new pulumi.Config();
const completions = config.getNumber("completions") ?? 3;

const example = new PeerJob("example-job", {
    jobName: "example-job",
    serviceName: "headless-svc",
    namespace: config.get("namespace"),
    completions,
    parallelism: completions,
    template: {
        spec: {
            securityContext: {
                runAsNonRoot: true,
                runAsUser: 65534,
                runAsGroup: 65534,
                seccompProfile: { type: "RuntimeDefault" },
            },
            containers: [
                {
                    name: "reach-peers",
                    image: config.get("image") ?? "debian:12.8-slim",
                    command: [
                        "sh",
                        "-c",
                        fs.readFileSync(
                            path.join(__dirname, "workloads", "reach-peers.sh"),
                            "utf8",
                        ),
                    ],
                    securityContext: {
                        allowPrivilegeEscalation: false,
                        readOnlyRootFilesystem: true,
                        capabilities: { drop: ["ALL"] },
                    },
                    resources: {
                        requests: { cpu: "10m", memory: "16Mi" },
                        limits: { cpu: "100m", memory: "32Mi" },
                    },
                },
            ],
        },
    },
});

export const jobName = example.jobName;
export const serviceName = example.serviceName;
export const coordinator = example.coordinator;
export const peerHostnames = example.peerHostnames;
