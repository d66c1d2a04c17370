/**
 * A program whose first PeerJob fails a check only once a value from another resource arrives,
 * beside a valid one: rendering it must fail and print nothing.
 */
import * as pulumi from "@pulumi/pulumi";

import { PeerJob } from "../../../components";

new PeerJob("late", {
    completions: 3,
    template: {
        spec: {
            hostname: "fixed",
            containers: [{ name: "main", image: pulumi.output("registry.example/app:1") }],
        },
    },
});

new PeerJob("valid", {
    completions: 2,
    clusterDomain: "corp.internal",
    template: { spec: { containers: [{ name: "main", image: "registry.example/app:1" }] } },
});
