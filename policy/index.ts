/**
 * The peer-job policy pack: `pulumi preview --policy-pack <this directory>`. Constructing the
 * pack starts the gRPC server that the Pulumi CLI talks to, so nothing else imports this file.
 */
import { PolicyPack } from "@pulumi/policy";

import { policies } from "./policies";

new PolicyPack("peer-job", {
    description:
        "Checks that Jobs and Pods whose pods reach each other by name (a subdomain and a " +
        "headless Service) can resolve those names at run time.",
    enforcementLevel: "advisory",
    policies,
});
