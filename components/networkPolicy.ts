import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

import { PeerNetworkPolicyOptions, PlainSettingsArgs, switchedOptions } from "./args";
import { Problem } from "./problems";

type PlainNetworkPolicyOptions = pulumi.Unwrap<PeerNetworkPolicyOptions>;

type IngressRule = pulumi.Unwrap<k8s.types.input.networking.v1.NetworkPolicyIngressRule>;
type NetworkPolicySpec = pulumi.Unwrap<k8s.types.input.networking.v1.NetworkPolicySpec>;

/** `networkPolicy` after defaults. */
export interface ResolvedNetworkPolicy {
    additionalIngress: IngressRule[];
}

/** The NetworkPolicy's name: `example-job` -> `example-job-peers`. */
export function networkPolicyName(jobName: string): string {
    return `${jobName}-peers`;
}

/** Applies defaults to `networkPolicy` and reports what cannot work; `undefined` when off. */
export function resolveNetworkPolicy(
    args: PlainSettingsArgs,
    problems: Problem[],
): ResolvedNetworkPolicy | undefined {
    const options = switchedOptions<PlainNetworkPolicyOptions>(
        "networkPolicy",
        args.networkPolicy,
        ["additionalIngress"],
        problems,
    );
    if (options === undefined) {
        return undefined;
    }
    const additionalIngress = options.additionalIngress ?? [];
    if (!Array.isArray(additionalIngress)) {
        problems.push({
            field: "networkPolicy.additionalIngress",
            value: additionalIngress,
            rule: "must be a list of NetworkPolicy ingress rules",
        });
        return { additionalIngress: [] };
    }
    return { additionalIngress };
}

/**
 * A policy selecting exactly the pods the Service selects and admitting ingress only from the
 * same pods (a pod selector without a namespace selector matches in the policy's namespace),
 * plus the caller's rules. Egress is not listed in `policyTypes`, so it stays open.
 */
export function networkPolicySpec(
    selector: Record<string, string>,
    policy: ResolvedNetworkPolicy,
): NetworkPolicySpec {
    return {
        podSelector: { matchLabels: selector },
        policyTypes: ["Ingress"],
        ingress: [
            { from: [{ podSelector: { matchLabels: selector } }] },
            ...policy.additionalIngress,
        ],
    };
}
