/**
 * The policies of the peer-job pack, in the order the README describes them. Kept apart from
 * `index.ts`, which starts the pack's gRPC server when loaded, so that tests can import them.
 */
import { Policies } from "@pulumi/policy";

import {
    peerNamespacesAgree,
    peerServicePublishesNotReady,
    peerServicePublishesNotReadyFix,
    subdomainHasHeadlessService,
} from "./subdomainServices";
import {
    jobTtl,
    peerDnsResolves,
    peerJobExplicitName,
    peerJobIndexed,
    peerNamesAreDnsLabels,
    peerParallelism,
    pingNeedsNetRaw,
    templateHostname,
} from "./workloadPolicies";

export const policies: Policies = [
    subdomainHasHeadlessService,
    peerJobIndexed,
    peerNamesAreDnsLabels,
    peerDnsResolves,
    peerNamespacesAgree,
    peerServicePublishesNotReady,
    peerServicePublishesNotReadyFix,
    peerParallelism,
    jobTtl,
    templateHostname,
    pingNeedsNetRaw,
    peerJobExplicitName,
];
