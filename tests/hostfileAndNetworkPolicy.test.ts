import * as assert from "assert";

import * as pulumi from "@pulumi/pulumi";

import {
    HOSTFILE_PATH,
    MAX_CONFIGMAP_BYTES,
    PeerJob,
    PeerJobValidationError,
    hostfileCapacity,
} from "../components";
import { minimalTemplate, validArgs } from "./fixtures";
import { JOB, Registered, SERVICE, ofType, promiseOf, useMocks } from "./harness";

const CONFIG_MAP = "kubernetes:core/v1:ConfigMap";
const NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";

async function declare(args: Parameters<typeof validArgs>[0]) {
    const registered = await useMocks();
    const peerJob = new PeerJob("x", validArgs(args));
    await promiseOf(peerJob.job.urn);
    return { peerJob, registered, inputs: (type: string) => ofType(registered, type)[0]?.inputs };
}

/** The hostfile for `count` peers, written out independently of the component. */
function expectedHostfile(count: number, slots: number, suffix: string): string {
    let text = "";
    for (let i = 0; i < count; i++) {
        text += "ranks-" + i + "." + suffix + " slots=" + slots + "\n";
    }
    return text;
}

describe("hostfile", () => {
    for (const completions of [1, 3, 1000]) {
        it(`holds one line per peer for ${completions} peers`, async () => {
            const { inputs } = await declare({
                completions,
                jobName: "ranks",
                serviceName: "peers",
                namespace: "ml",
                hostfile: { slots: 4 },
            });
            const configMap = inputs(CONFIG_MAP);
            assert.strictEqual(configMap.metadata.name, "ranks-hostfile");
            assert.strictEqual(configMap.metadata.namespace, "ml");
            assert.strictEqual(
                configMap.data.hostfile,
                expectedHostfile(completions, 4, "peers.ml.svc.cluster.local"),
            );
        });
    }

    it("is mounted read-only into every container, with its path in the environment", async () => {
        const template = minimalTemplate();
        template.spec!.containers.push({ name: "sidecar", image: "s" });
        const { inputs, peerJob } = await declare({ template, jobName: "ranks", hostfile: true });
        const pod = inputs(JOB).spec.template.spec;
        assert.deepStrictEqual(pod.volumes, [
            { name: "peer-job-hostfile", configMap: { name: "ranks-hostfile" } },
        ]);
        for (const container of pod.containers) {
            assert.deepStrictEqual(container.volumeMounts, [
                { name: "peer-job-hostfile", mountPath: "/etc/peer-job", readOnly: true },
            ]);
            const env = container.env.find((e: { name: string }) => e.name === "PEER_JOB_HOSTFILE");
            assert.strictEqual(env.value, "/etc/peer-job/hostfile");
        }
        assert.strictEqual(HOSTFILE_PATH, "/etc/peer-job/hostfile");
        assert.ok(peerJob.hostfile, "the ConfigMap is an output");
    });

    it("uses the provider's namespace when none is given", async () => {
        const { inputs } = await declare({ completions: 2, jobName: "ranks", hostfile: true });
        // The mocks give the Service back as declared, so the namespace falls back to default.
        assert.strictEqual(inputs(CONFIG_MAP).metadata.namespace, undefined);
        assert.match(inputs(CONFIG_MAP).data.hostfile, /^ranks-0\.x\.default\.svc/);
    });

    describe("the 1 MiB ConfigMap limit", () => {
        const names = { jobName: "ranks", serviceName: "peers", namespace: "ml" };
        const suffix = "peers.ml.svc.cluster.local";
        const fits = hostfileCapacity("ranks", suffix, 1, 100000);

        it("finds exactly the boundary", () => {
            const bytes = (n: number) => "hostfile".length + expectedHostfile(n, 1, suffix).length;
            assert.ok(bytes(fits) <= MAX_CONFIGMAP_BYTES, `${fits} peers: ${bytes(fits)} bytes`);
            assert.ok(bytes(fits + 1) > MAX_CONFIGMAP_BYTES);
        });

        it("accepts the most peers that fit", async () => {
            const { inputs } = await declare({ ...names, completions: fits, hostfile: true });
            assert.strictEqual(inputs(CONFIG_MAP).data.hostfile.split("\n").length - 1, fits);
        });

        it("refuses one peer more, naming how many fit, before registering anything", async () => {
            const registered = await useMocks();
            assert.throws(
                () =>
                    new PeerJob(
                        "x",
                        validArgs({ ...names, completions: fits + 1, hostfile: true }),
                    ),
                (err: unknown) => {
                    assert.ok(err instanceof PeerJobValidationError);
                    assert.strictEqual(err.problems[0].field, "hostfile");
                    assert.match(err.message, new RegExp(`it fits at most ${fits} peers`));
                    assert.match(err.message, /1048576 bytes/);
                    return true;
                },
            );
            assert.deepStrictEqual(registered, []);
        });

        it("assumes the longest namespace when the provider chooses it", () => {
            const longest = `peers.${"n".repeat(63)}.svc.cluster.local`;
            const fitsAnywhere = hostfileCapacity("ranks", longest, 1, 100000);
            assert.ok(fitsAnywhere < fits);
            assert.throws(
                () =>
                    new PeerJob(
                        "x",
                        validArgs({
                            jobName: "ranks",
                            serviceName: "peers",
                            completions: fitsAnywhere + 1,
                            hostfile: true,
                        }),
                    ),
                new RegExp(
                    `assuming a 63-character namespace\\); it fits at most ${fitsAnywhere} peers`,
                ),
            );
        });

        it("refuses it once a namespace from another resource arrives", async () => {
            const registered = await useMocks();
            const peerJob = new PeerJob(
                "x",
                validArgs({
                    ...names,
                    namespace: pulumi.output("ml"),
                    completions: fits + 1,
                    hostfile: true,
                }),
            );
            await assert.rejects(promiseOf(peerJob.namespace), /it fits at most/);
            await new Promise((resolve) => setTimeout(resolve, 20));
            assert.deepStrictEqual(
                registered.filter((r: Registered) => r.custom),
                [],
            );
        });
    });

    it("must be a plain switch, since it decides which resources exist", async () => {
        await useMocks();
        assert.throws(
            () => new PeerJob("x", validArgs({ hostfile: pulumi.output(true) })),
            /hostfile "<Output>": decides which resources exist/,
        );
    });

    it("refuses a template volume with its name", () => {
        const template = minimalTemplate();
        template.spec!.volumes = [{ name: "peer-job-hostfile", emptyDir: {} }];
        assert.throws(
            () => new PeerJob("x", validArgs({ template, hostfile: true })),
            /template\.spec\.volumes\[0\]\.name "peer-job-hostfile"/,
        );
    });
});

describe("networkPolicy", () => {
    it("selects exactly the Service's pods and admits only them", async () => {
        const { inputs, peerJob } = await declare({
            jobName: "ranks",
            namespace: "ml",
            networkPolicy: true,
        });
        const policy = inputs(NETWORK_POLICY);
        const service = inputs(SERVICE);
        assert.strictEqual(policy.metadata.name, "ranks-peers");
        assert.strictEqual(policy.metadata.namespace, "ml");
        assert.deepStrictEqual(policy.spec.podSelector, { matchLabels: service.spec.selector });
        // Only ingress is restricted: egress, and with it DNS, stays open.
        assert.deepStrictEqual(policy.spec.policyTypes, ["Ingress"]);
        assert.strictEqual(policy.spec.egress, undefined);
        // One rule: from pods with the same labels, in the policy's own namespace, any port.
        assert.deepStrictEqual(policy.spec.ingress, [
            { from: [{ podSelector: { matchLabels: service.spec.selector } }] },
        ]);
        assert.ok(peerJob.networkPolicy, "the NetworkPolicy is an output");
    });

    it("adds the caller's ingress rules after the peers' rule", async () => {
        const launcher = {
            from: [{ namespaceSelector: { matchLabels: { team: "ml" } } }],
            ports: [{ port: 22, protocol: "TCP" }],
        };
        const { inputs } = await declare({ networkPolicy: { additionalIngress: [launcher] } });
        const ingress = inputs(NETWORK_POLICY).spec.ingress;
        assert.strictEqual(ingress.length, 2);
        assert.deepStrictEqual(ingress[1], launcher);
    });

    it("is not declared unless asked for", async () => {
        const { registered, peerJob } = await declare({});
        assert.deepStrictEqual(ofType(registered, NETWORK_POLICY), []);
        assert.deepStrictEqual(ofType(registered, CONFIG_MAP), []);
        assert.strictEqual(peerJob.networkPolicy, undefined);
        assert.strictEqual(peerJob.hostfile, undefined);
    });
});
