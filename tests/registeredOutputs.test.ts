import * as assert from "assert";

import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

import { PEER_JOB_TYPE, PeerJob } from "../components";
import { validArgs } from "./fixtures";
import { Registered, SERVICE, promiseOf, useMocks } from "./harness";

/** The slice of Pulumi's mock monitor that keeps what each resource registered. */
interface MockMonitor {
    getRegisteredResources(): Map<string, { urn: string; state: unknown }>;
}

/**
 * Waits for every registration to finish and returns what the mock monitor keeps for the
 * PeerJob: the outputs it registered, as they would go to the state.
 */
async function registeredOutputs(monitor: MockMonitor): Promise<unknown> {
    await pulumi.runtime.disconnect();
    const entries = [...monitor.getRegisteredResources().values()];
    const component = entries.find((e) => e.urn.endsWith(`::${PEER_JOB_TYPE}::x`));
    assert.ok(component, "the PeerJob was registered");
    const state = component.state as { toJavaScript?: () => unknown };
    assert.ok(typeof state.toJavaScript === "function", "registerOutputs reached the monitor");
    return state.toJavaScript();
}

async function mocks(state?: (r: Registered) => Record<string, unknown>): Promise<MockMonitor> {
    await useMocks({ state });
    return pulumi.runtime.getMonitor() as unknown as MockMonitor;
}

describe("PeerJob's registered outputs", () => {
    it("are the values peer names derive from, not the per-peer lists", async () => {
        const monitor = await mocks();
        const peerJob = new PeerJob("x", validArgs({ completions: 100000, namespace: "ml" }));
        assert.strictEqual((await promiseOf(peerJob.peerFqdns)).length, 100000);

        const outputs = await registeredOutputs(monitor);
        assert.deepStrictEqual(outputs, {
            jobName: "x",
            serviceName: "x",
            namespace: "ml",
            completions: 100000,
            dnsSuffix: "x.ml.svc.cluster.local",
            coordinator: "x-0.x.ml.svc.cluster.local",
        });
        assert.ok(JSON.stringify(outputs).length < 1024);
    });

    it("are the same when the namespace comes from another resource", async () => {
        const monitor = await mocks();
        const namespace = new k8s.core.v1.Namespace("ns", { metadata: { name: "team-a" } });
        new PeerJob("x", validArgs({ namespace: namespace.metadata.name }));

        assert.deepStrictEqual(await registeredOutputs(monitor), {
            jobName: "x",
            serviceName: "x",
            namespace: "team-a",
            completions: 3,
            dnsSuffix: "x.team-a.svc.cluster.local",
            coordinator: "x-0.x.team-a.svc.cluster.local",
        });
    });

    it("carry the namespace the provider chose when none is given", async () => {
        const monitor = await mocks((r) =>
            r.type === SERVICE
                ? { ...r.inputs, metadata: { ...r.inputs.metadata, namespace: "from-kubeconfig" } }
                : r.inputs,
        );
        new PeerJob("x", validArgs());

        const outputs = (await registeredOutputs(monitor)) as Record<string, unknown>;
        assert.strictEqual(outputs.namespace, "from-kubeconfig");
        assert.strictEqual(outputs.coordinator, "x-0.x.from-kubeconfig.svc.cluster.local");
    });
});
