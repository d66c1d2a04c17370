import * as assert from "assert";

import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

import { PEER_ENV, PeerJob, SELECTOR_LABEL } from "../components";
import { minimalTemplate, validArgs } from "./fixtures";
import { JOB, Registered, SERVICE, isKnown, ofType, promiseOf, useMocks } from "./harness";

/** Waits until both children of `peerJob` have reached the mocks, then returns their inputs. */
async function children(peerJob: PeerJob, registered: Registered[]) {
    await promiseOf(pulumi.all([peerJob.service.urn, peerJob.job.urn]));
    const [service] = ofType(registered, SERVICE);
    const [job] = ofType(registered, JOB);
    return { service: service.inputs, job: job.inputs };
}

describe("PeerJob", () => {
    describe("consistency by construction", () => {
        it("ties a headless Service to the Job's pods with the default names", async () => {
            const registered = await useMocks();
            const { service, job } = await children(
                new PeerJob("trainer", validArgs()),
                registered,
            );

            assert.strictEqual(service.metadata.name, "trainer");
            assert.strictEqual(job.metadata.name, "trainer");
            assert.strictEqual(service.spec.clusterIP, "None");
            assert.strictEqual(job.spec.completionMode, "Indexed");
            assert.strictEqual(job.spec.template.spec.subdomain, service.metadata.name);
            assert.strictEqual(job.spec.template.spec.restartPolicy, "Never");

            const selector: Record<string, string> = service.spec.selector;
            const podLabels: Record<string, string> = job.spec.template.metadata.labels;
            assert.ok(Object.keys(selector).length > 0, "selector must not be empty");
            for (const [key, value] of Object.entries(selector)) {
                assert.strictEqual(podLabels[key], value, `pod label ${key}`);
            }
            // The selector names this Job, so it cannot select another Job's pods.
            assert.deepStrictEqual(selector, { [SELECTOR_LABEL]: "trainer" });
            assert.strictEqual(service.metadata.namespace, undefined);
            assert.strictEqual(job.metadata.namespace, undefined);
        });

        it("uses custom names and one namespace for both objects", async () => {
            const registered = await useMocks();
            const peerJob = new PeerJob(
                "x",
                validArgs({ jobName: "ranks", serviceName: "peers", namespace: "team-a" }),
            );
            const { service, job } = await children(peerJob, registered);

            assert.strictEqual(service.metadata.name, "peers");
            assert.strictEqual(job.metadata.name, "ranks");
            assert.strictEqual(service.metadata.namespace, "team-a");
            assert.strictEqual(job.metadata.namespace, "team-a");
            assert.strictEqual(job.spec.template.spec.subdomain, "peers");
            assert.deepStrictEqual(service.spec.selector, { [SELECTOR_LABEL]: "ranks" });
            assert.strictEqual(await promiseOf(peerJob.namespace), "team-a");
        });

        it("keeps the caller's pod labels and passes Job fields through", async () => {
            const registered = await useMocks();
            const template = minimalTemplate();
            template.metadata = { labels: { app: "train", [SELECTOR_LABEL]: "ranks" } };
            const { job } = await children(
                new PeerJob(
                    "x",
                    validArgs({
                        jobName: "ranks",
                        template,
                        backoffLimitPerIndex: 2,
                        maxFailedIndexes: 1,
                        podReplacementPolicy: "Failed",
                        labels: { team: "ml" },
                    }),
                ),
                registered,
            );
            assert.deepStrictEqual(job.spec.template.metadata.labels, {
                app: "train",
                [SELECTOR_LABEL]: "ranks",
            });
            assert.strictEqual(job.spec.backoffLimitPerIndex, 2);
            assert.strictEqual(job.spec.maxFailedIndexes, 1);
            assert.strictEqual(job.spec.podReplacementPolicy, "Failed");
            assert.deepStrictEqual(job.metadata.labels, { team: "ml" });
        });

        it("keeps names and specs known in a preview when the namespace is not", async () => {
            const registered = await useMocks({
                preview: true,
                // A Namespace being created has no name yet in a preview.
                state: (r) => (r.type === "kubernetes:core/v1:Namespace" ? {} : r.inputs),
            });
            const namespace = new k8s.core.v1.Namespace("ns", {});
            const peerJob = new PeerJob("x", validArgs({ namespace: namespace.metadata.name }));
            const { service, job } = await children(peerJob, registered);

            assert.strictEqual(service.metadata.name, "x");
            assert.strictEqual(job.spec.template.spec.subdomain, "x");
            assert.deepStrictEqual(service.spec.selector, { [SELECTOR_LABEL]: "x" });
            assert.ok(isUnknownMarker(service.metadata.namespace));
            assert.ok(isUnknownMarker(job.metadata.namespace));
            assert.deepStrictEqual(await promiseOf(peerJob.peerHostnames), [
                "x-0.x",
                "x-1.x",
                "x-2.x",
            ]);
            assert.strictEqual(await isKnown(peerJob.peerFqdns), false);
            assert.strictEqual(await isKnown(peerJob.coordinator), false);
        });

        it("keeps the Service and the peer names known in a preview when the image is not", async () => {
            const registered = await useMocks({
                preview: true,
                state: (r) => (r.type === "kubernetes:core/v1:ConfigMap" ? {} : r.inputs),
            });
            // An image name from a resource still being created, as in a first preview.
            const source = new k8s.core.v1.ConfigMap("images", {});
            const template = minimalTemplate();
            template.spec!.containers[0].image = source.data.apply((d) => d?.image) as never;
            const peerJob = new PeerJob("x", validArgs({ namespace: "ml", template }));
            const { service, job } = await children(peerJob, registered);

            assert.strictEqual(service.metadata.name, "x");
            assert.strictEqual(service.metadata.namespace, "ml");
            assert.deepStrictEqual(service.spec.selector, { [SELECTOR_LABEL]: "x" });
            assert.ok(isUnknownMarker(job.spec), "the Job's body waits for the image");
            assert.strictEqual(await promiseOf(peerJob.coordinator), "x-0.x.ml.svc.cluster.local");
            assert.deepStrictEqual(await promiseOf(peerJob.peerHostnames), [
                "x-0.x",
                "x-1.x",
                "x-2.x",
            ]);
        });

        it("warns when the provider's namespace makes a peer name too long", async () => {
            const longNamespace = "p".repeat(63);
            const registered = await useMocks({
                state: (r) =>
                    r.type === SERVICE
                        ? {
                              ...r.inputs,
                              metadata: { ...r.inputs.metadata, namespace: longNamespace },
                          }
                        : r.inputs,
            });
            const warnings = await captureWarnings(
                () =>
                    new PeerJob(
                        "x",
                        validArgs({
                            jobName: "j".repeat(60),
                            serviceName: "s".repeat(63),
                            clusterDomain: `${"d".repeat(60)}.local`,
                        }),
                    ),
            );
            assert.ok(ofType(registered, JOB).length === 1);
            assert.match(
                warnings.map((w) => w.message).join("\n"),
                /namespace "p{63}": the longest peer FQDN/,
            );
        });

        it("takes the namespace the provider chose when none is given", async () => {
            const registered = await useMocks({
                state: (r) =>
                    r.type === SERVICE
                        ? {
                              ...r.inputs,
                              metadata: { ...r.inputs.metadata, namespace: "from-kubeconfig" },
                          }
                        : r.inputs,
            });
            const peerJob = new PeerJob("x", validArgs());
            await children(peerJob, registered);
            assert.strictEqual(await promiseOf(peerJob.namespace), "from-kubeconfig");
            assert.strictEqual(
                await promiseOf(peerJob.coordinator),
                "x-0.x.from-kubeconfig.svc.cluster.local",
            );
        });
    });

    describe("outputs", () => {
        for (const completions of [1, 3, 250]) {
            it(`lists every peer in index order for ${completions} completions`, async () => {
                await useMocks();
                const peerJob = new PeerJob(
                    "x",
                    validArgs({
                        completions,
                        jobName: "ranks",
                        serviceName: "peers",
                        namespace: "ml",
                        clusterDomain: "corp.example",
                    }),
                );
                const expectedShort: string[] = [];
                const expectedFqdn: string[] = [];
                for (let i = 0; i < completions; i++) {
                    expectedShort.push("ranks-" + i + ".peers");
                    expectedFqdn.push("ranks-" + i + ".peers.ml.svc.corp.example");
                }
                assert.deepStrictEqual(await promiseOf(peerJob.peerHostnames), expectedShort);
                assert.deepStrictEqual(await promiseOf(peerJob.peerFqdns), expectedFqdn);
                assert.strictEqual(
                    await promiseOf(peerJob.coordinator),
                    "ranks-0.peers.ml.svc.corp.example",
                );
                assert.strictEqual(await promiseOf(peerJob.jobName), "ranks");
                assert.strictEqual(await promiseOf(peerJob.serviceName), "peers");
                assert.strictEqual(await promiseOf(peerJob.completions), completions);
            });
        }

        it("exposes the children as resources", async () => {
            await useMocks();
            const peerJob = new PeerJob("x", validArgs());
            assert.ok(peerJob.job instanceof k8s.batch.v1.Job);
            assert.ok(peerJob.service instanceof k8s.core.v1.Service);
        });
    });

    describe("peer environment", () => {
        it("gives every container, init containers included, the peer variables first", async () => {
            const registered = await useMocks();
            const template = {
                spec: {
                    initContainers: [{ name: "setup", image: "busybox" }],
                    containers: [
                        {
                            name: "main",
                            image: "a",
                            env: [{ name: "OWN", value: "$(PEER_JOB_COORDINATOR)" }],
                        },
                        { name: "sidecar", image: "b" },
                    ],
                },
            };
            const { job } = await children(
                new PeerJob(
                    "x",
                    validArgs({ template, jobName: "ranks", serviceName: "peers", completions: 4 }),
                ),
                registered,
            );
            const podSpec = job.spec.template.spec;
            const all = [...podSpec.initContainers, ...podSpec.containers];
            assert.strictEqual(all.length, 3);
            for (const container of all) {
                const env = Object.fromEntries(
                    container.env.map(
                        (e: { name: string; value?: string; valueFrom?: unknown }) => [
                            e.name,
                            e.value ?? e.valueFrom,
                        ],
                    ),
                );
                assert.strictEqual(env[PEER_ENV.jobName], "ranks", container.name);
                assert.strictEqual(env[PEER_ENV.subdomain], "peers");
                assert.deepStrictEqual(env[PEER_ENV.namespace], {
                    fieldRef: { fieldPath: "metadata.namespace" },
                });
                assert.strictEqual(
                    env[PEER_ENV.dnsSuffix],
                    "peers.$(PEER_JOB_NAMESPACE).svc.cluster.local",
                );
                assert.strictEqual(env[PEER_ENV.coordinator], "ranks-0.$(PEER_JOB_DNS_SUFFIX)");
                assert.strictEqual(env[PEER_ENV.peerCount], "4");
            }
            // Kubernetes expands $(VAR) only from variables listed earlier.
            const mainEnv = podSpec.containers[0].env.map((e: { name: string }) => e.name);
            assert.ok(mainEnv.indexOf("OWN") > mainEnv.indexOf(PEER_ENV.coordinator));
            assert.ok(mainEnv.indexOf(PEER_ENV.dnsSuffix) > mainEnv.indexOf(PEER_ENV.namespace));
            assert.ok(mainEnv.indexOf(PEER_ENV.coordinator) > mainEnv.indexOf(PEER_ENV.dnsSuffix));
        });

        it("keeps the pod template the same size from 3 to 100000 peers, but for the count", async () => {
            const templates: string[] = [];
            for (const completions of [3, 100000]) {
                const registered = await useMocks();
                const { job } = await children(
                    new PeerJob("x", validArgs({ completions })),
                    registered,
                );
                templates.push(JSON.stringify(job.spec.template));
            }
            // The only per-size value is PEER_JOB_PEER_COUNT: "3" against "100000".
            assert.strictEqual(
                templates[1].length - templates[0].length,
                "100000".length - "3".length,
            );
            assert.strictEqual(templates[1].replace('"100000"', '"3"'), templates[0]);
        });
    });

    describe("warnings", () => {
        it("warns on the component when Kubernetes may delete the finished Job", async () => {
            await useMocks();
            const warnings = await captureWarnings(
                () => new PeerJob("x", validArgs({ ttlSecondsAfterFinished: 60 })),
            );
            assert.strictEqual(warnings.length, 1);
            assert.match(warnings[0].message, /ttlSecondsAfterFinished \(60\)/);
            assert.match(warnings[0].message, /runs the work again/);
            assert.ok(warnings[0].resource instanceof PeerJob);
        });

        it("warns when pods are published only once Ready", async () => {
            await useMocks();
            const warnings = await captureWarnings(
                () => new PeerJob("x", validArgs({ publishNotReadyAddresses: false })),
            );
            assert.match(
                warnings.map((w) => w.message).join("\n"),
                /publishNotReadyAddresses is false/,
            );
        });

        it("says nothing for a plain valid job", async () => {
            await useMocks();
            assert.deepStrictEqual(await captureWarnings(() => new PeerJob("x", validArgs())), []);
        });
    });

    describe("waiting in pulumi up", () => {
        it("does not wait for the Job by default", async () => {
            const registered = await useMocks();
            const { job } = await children(new PeerJob("x", validArgs()), registered);
            assert.deepStrictEqual(job.metadata.annotations, { "pulumi.com/skipAwait": "true" });
        });

        it("waits with the given timeout when asked", async () => {
            const registered = await useMocks();
            const { job, service } = await children(
                new PeerJob(
                    "x",
                    validArgs({
                        awaitCompletion: true,
                        awaitTimeoutSeconds: 7200,
                        annotations: { owner: "ml" },
                    }),
                ),
                registered,
            );
            assert.deepStrictEqual(job.metadata.annotations, {
                owner: "ml",
                "pulumi.com/timeoutSeconds": "7200",
            });
            assert.deepStrictEqual(service.metadata.annotations, { owner: "ml" });
        });
    });
});

function isUnknownMarker(value: unknown): boolean {
    return (
        value !== null &&
        typeof value === "object" &&
        (value as Record<string, unknown>).__pulumiUnknown === true
    );
}

interface Warning {
    message: string;
    resource: unknown;
}

/** Runs `declare` and returns what it sent to `pulumi.log.warn` once its outputs settled. */
async function captureWarnings(declare: () => PeerJob): Promise<Warning[]> {
    const warnings: Warning[] = [];
    const original = pulumi.log.warn;
    pulumi.log.warn = async (message: string, resource?: pulumi.Resource) => {
        warnings.push({ message, resource });
    };
    try {
        const peerJob = declare();
        await promiseOf(pulumi.all([peerJob.job.urn, peerJob.coordinator]));
    } finally {
        pulumi.log.warn = original;
    }
    return warnings;
}
