import * as pulumi from "@pulumi/pulumi";

import { PeerJobArgs } from "../components";

type Template = pulumi.Unwrap<PeerJobArgs["template"]>;

/** A minimal valid pod template with one container. */
export function minimalTemplate(): Template {
    return { spec: { containers: [{ name: "worker", image: "registry.example/worker:1" }] } };
}

/** Valid arguments with `completions` peers, overridden field by field. */
export function validArgs(overrides: Partial<PeerJobArgs> = {}): PeerJobArgs {
    return { completions: 3, template: minimalTemplate(), ...overrides };
}
