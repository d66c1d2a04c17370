import * as fs from "fs";
import * as path from "path";

import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

import { WaitForPeersOptions, PlainSettingsArgs, switchedOptions } from "./args";
import { Problem, isIntegerIn } from "./problems";

type PlainWaitOptions = pulumi.Unwrap<WaitForPeersOptions>;

type Container = pulumi.Unwrap<k8s.types.input.core.v1.Container>;
type Resources = pulumi.Unwrap<k8s.types.input.core.v1.ResourceRequirements>;

/** The name of the init container added by `waitForPeers`. */
export const WAIT_CONTAINER_NAME = "wait-for-peers";

/**
 * The wait script's image: Debian's slim image has `bash`, `getent` and `timeout`, pinned to a
 * point release so that the script runs on the same tools every time.
 */
export const DEFAULT_WAIT_IMAGE = "debian:12.8-slim";

/** The default bound on the whole wait, in seconds: room for image pulls and scheduling. */
export const DEFAULT_WAIT_TIMEOUT_SECONDS = 300;

/**
 * The most peers for which every pod may wait for every peer. Each pod looks up every peer, so
 * the Job makes completions² lookups at start, retries included: 65536 at this size, a short
 * burst for a cluster's DNS; at 1000 peers it would be a million.
 */
export const MAX_WAIT_FOR_ALL_PEERS = 256;

const DEFAULT_RESOURCES: Resources = {
    requests: { cpu: "10m", memory: "16Mi" },
    limits: { cpu: "100m", memory: "32Mi" },
};

/** `waitForPeers` after defaults. */
export interface ResolvedWaitForPeers {
    peers: "coordinator" | "all";
    port: number | undefined;
    timeoutSeconds: number;
    image: string;
    resources: Resources;
}

let script: string | undefined;

/** The script the init container runs, shipped beside this module. */
export function waitForPeersScript(): string {
    script ??= fs.readFileSync(path.join(__dirname, "wait-for-peers.sh"), "utf8");
    return script;
}

/** Applies defaults to `waitForPeers` and reports what cannot work; `undefined` when off. */
export function resolveWaitForPeers(
    args: PlainSettingsArgs,
    completions: number,
    problems: Problem[],
): ResolvedWaitForPeers | undefined {
    const options = switchedOptions<PlainWaitOptions>(
        "waitForPeers",
        args.waitForPeers,
        ["peers", "port", "timeoutSeconds", "image", "resources"],
        problems,
    );
    if (options === undefined) {
        return undefined;
    }
    const resolved: ResolvedWaitForPeers = {
        peers: options.peers ?? "coordinator",
        port: options.port,
        timeoutSeconds: options.timeoutSeconds ?? DEFAULT_WAIT_TIMEOUT_SECONDS,
        image: options.image ?? DEFAULT_WAIT_IMAGE,
        resources: options.resources ?? DEFAULT_RESOURCES,
    };

    if (resolved.peers !== "coordinator" && resolved.peers !== "all") {
        problems.push({
            field: "waitForPeers.peers",
            value: resolved.peers,
            rule: "must be coordinator or all",
        });
    }
    if (resolved.peers === "all" && completions > MAX_WAIT_FOR_ALL_PEERS) {
        problems.push({
            field: "waitForPeers.peers",
            value: resolved.peers,
            rule:
                `waiting for all peers costs completions² DNS lookups (${completions}² here); ` +
                `allowed up to ${MAX_WAIT_FOR_ALL_PEERS} peers; wait for the coordinator instead`,
        });
    }
    if (resolved.port !== undefined) {
        if (!isIntegerIn(resolved.port, 1, 65535)) {
            problems.push({
                field: "waitForPeers.port",
                value: resolved.port,
                rule: "must be an integer from 1 to 65535",
            });
        } else if (resolved.peers === "all") {
            problems.push({
                field: "waitForPeers.port",
                value: resolved.port,
                rule:
                    'only with peers: "coordinator": a peer opens its port only after its own ' +
                    "init containers finish, so pods waiting for each other's ports deadlock",
            });
        }
    }
    if (!isIntegerIn(resolved.timeoutSeconds, 1, 86400)) {
        problems.push({
            field: "waitForPeers.timeoutSeconds",
            value: resolved.timeoutSeconds,
            rule: "must be an integer from 1 to 86400",
        });
    }
    if (typeof resolved.image !== "string" || resolved.image.length === 0) {
        problems.push({
            field: "waitForPeers.image",
            value: resolved.image,
            rule: "must be a non-empty image reference",
        });
    }
    if (args.publishNotReadyAddresses === false) {
        problems.push({
            field: "publishNotReadyAddresses",
            value: false,
            rule:
                "must not be false with waitForPeers: pods in their init containers are not " +
                "Ready, so their names would never resolve and every pod would wait in vain",
        });
    }
    return resolved;
}

/**
 * The init container that holds the workload back. It meets the `restricted` Pod Security
 * Standard on its own, whatever the pod's security context says. The peer variables are added
 * to it like to every other container.
 */
export function waitForPeersContainer(wait: ResolvedWaitForPeers): Container {
    const env = [
        { name: "PEER_WAIT_MODE", value: wait.peers },
        { name: "PEER_WAIT_TIMEOUT_SECONDS", value: String(wait.timeoutSeconds) },
        ...(wait.port === undefined ? [] : [{ name: "PEER_WAIT_PORT", value: String(wait.port) }]),
    ];
    return {
        name: WAIT_CONTAINER_NAME,
        image: wait.image,
        command: ["bash", "-c", waitForPeersScript()],
        env,
        resources: wait.resources,
        securityContext: {
            runAsNonRoot: true,
            runAsUser: 65534,
            runAsGroup: 65534,
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            capabilities: { drop: ["ALL"] },
            seccompProfile: { type: "RuntimeDefault" },
        },
    };
}
