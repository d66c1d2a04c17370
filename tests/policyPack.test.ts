import * as assert from "assert";
import * as path from "path";

import * as pulumi from "@pulumi/pulumi";

import { PeerJob, PeerJobArgs } from "../components";
import { policies } from "../policy/policies";
import { captureProgram } from "../render/capture";
import { minimalTemplate, validArgs } from "./fixtures";
import { Registered, promiseOf, useMocks } from "./harness";
import {
    FakeResource,
    Finding,
    JOB,
    SERVICE,
    asPolicyProps,
    assertIncludes,
    fromCapture,
    handWrittenPeers,
    objectAt,
    runPolicies,
    urnOf,
} from "./policyHarness";

const ROOT = path.join(__dirname, "..");

/** A finding reduced to what these tests compare: policy, level and the resource's name. */
interface Expected {
    policy: string;
    level: "mandatory" | "advisory";
    /** `<type token>::<Pulumi name>` of the resource the finding is about. */
    about: string;
    /** A part of the message that says what is wrong. */
    says: string;
}

function summary(resources: FakeResource[], findings: Finding[]) {
    const byUrn = new Map(resources.map((r) => [urnOf(r), `${r.type}::${r.name}`]));
    return findings.map((f) => ({
        policy: f.policy,
        level: f.level,
        about: f.urn === undefined ? "the stack" : (byUrn.get(f.urn) ?? f.urn),
        message: f.message,
        couldNotRun: f.couldNotRun ?? false,
    }));
}

async function assertFindings(resources: FakeResource[], expected: Expected[]) {
    const actual = summary(resources, await runPolicies(policies, resources));
    const sortKey = (f: { policy: string; about: string }) => `${f.policy} ${f.about}`;
    actual.sort((a, b) => sortKey(a).localeCompare(sortKey(b)));
    const wanted = [...expected].sort((a, b) => sortKey(a).localeCompare(sortKey(b)));
    assert.deepStrictEqual(
        actual.map(({ policy, level, about, couldNotRun }) => ({
            policy,
            level,
            about,
            couldNotRun,
        })),
        wanted.map(({ policy, level, about }) => ({ policy, level, about, couldNotRun: false })),
        JSON.stringify(actual, null, 2),
    );
    actual.forEach((finding, i) => assertIncludes(finding.message, wanted[i].says));
}

describe("policy pack on the example program", () => {
    let example: FakeResource[];
    before(async () => {
        example = fromCapture(await captureProgram(ROOT, "dev"));
    });

    /** A fresh copy of the example's Service and Job. */
    function objects() {
        const copy = structuredClone(example);
        const service = copy.find((r) => r.type === SERVICE);
        const job = copy.find((r) => r.type === JOB);
        assert.ok(service && job);
        return { all: copy, service, job, pod: objectAt(job, "spec", "template", "spec") };
    }
    const svc = `${SERVICE}::example-job`;
    const job = `${JOB}::example-job`;

    it("finds exactly the Service and the Job, and no violation", async () => {
        assert.deepStrictEqual(
            example.map((r) => `${r.type}::${r.name}`),
            [svc, job],
        );
        await assertFindings(example, []);
    });

    const variants: {
        mistake: string;
        apply: (o: ReturnType<typeof objects>) => void;
        expected: Expected[];
    }[] = [
        {
            mistake: "a Service named differently from the subdomain",
            apply: ({ service }) => (objectAt(service, "metadata").name = "headless"),
            expected: [
                {
                    policy: "subdomain-has-headless-service",
                    level: "mandatory",
                    about: job,
                    says: 'declares no Service "headless-svc" in the provider\'s namespace',
                },
            ],
        },
        {
            mistake: "a Service without metadata.name",
            apply: ({ service }) => delete objectAt(service, "metadata").name,
            expected: [
                {
                    policy: "subdomain-has-headless-service",
                    level: "mandatory",
                    about: job,
                    says: 'Service "example-job" (Pulumi name) has no metadata.name of its own',
                },
            ],
        },
        {
            mistake: "a Service in another namespace than the Job's",
            apply: ({ service, job }) => {
                objectAt(service, "metadata").namespace = "other";
                objectAt(job, "metadata").namespace = "ml";
            },
            expected: [
                {
                    policy: "subdomain-has-headless-service",
                    level: "mandatory",
                    about: job,
                    says:
                        'declares no Service "headless-svc" in namespace "ml", so its pods get ' +
                        'no DNS names; a Service "headless-svc" exists in namespace "other"',
                },
            ],
        },
        {
            mistake: "a Service in a namespace the Job leaves to the provider",
            apply: ({ service }) => (objectAt(service, "metadata").namespace = "other"),
            expected: [
                {
                    policy: "peer-namespaces-agree",
                    level: "advisory",
                    about: job,
                    says:
                        'Service "headless-svc" is in namespace "other" and Job "example-job", ' +
                        "whose subdomain it is, in the provider's namespace",
                },
            ],
        },
        {
            mistake: "a Service with a cluster IP",
            apply: ({ service }) => delete objectAt(service, "spec").clusterIP,
            expected: [
                {
                    policy: "subdomain-has-headless-service",
                    level: "mandatory",
                    about: job,
                    says: "is not headless",
                },
            ],
        },
        {
            mistake: "a Service selecting another Job's pods",
            apply: ({ service }) =>
                (objectAt(service, "spec").selector = { "peer-job/job-name": "other-job" }),
            expected: [
                {
                    policy: "subdomain-has-headless-service",
                    level: "mandatory",
                    about: job,
                    says:
                        'selects peer-job/job-name: "other-job" ' +
                        '(the pods have peer-job/job-name: "example-job")',
                },
            ],
        },
        {
            mistake: "a Job that is not Indexed",
            apply: ({ job }) => delete objectAt(job, "spec").completionMode,
            expected: [
                {
                    policy: "peer-job-indexed",
                    level: "mandatory",
                    about: job,
                    says: "spec.completionMode is unset (NonIndexed)",
                },
            ],
        },
        {
            mistake: "a Job name too long for its last hostname",
            apply: ({ job }) => (objectAt(job, "metadata").name = "j".repeat(62)),
            expected: [
                {
                    policy: "peer-names-are-dns-labels",
                    level: "mandatory",
                    about: job,
                    says:
                        "is 64 characters, over the 63 a DNS label allows; with 3 completions " +
                        "metadata.name must be at most 61 characters (1 fewer)",
                },
            ],
        },
        {
            mistake: "dnsPolicy Default",
            apply: ({ pod }) => (pod.dnsPolicy = "Default"),
            expected: [
                {
                    policy: "peer-dns-resolves",
                    level: "mandatory",
                    about: job,
                    says: 'dnsPolicy "Default" uses the node\'s resolver',
                },
            ],
        },
        {
            mistake: "host networking without ClusterFirstWithHostNet",
            apply: ({ pod }) => (pod.hostNetwork = true),
            expected: [
                {
                    policy: "peer-dns-resolves",
                    level: "mandatory",
                    about: job,
                    says: "set dnsPolicy: ClusterFirstWithHostNet",
                },
            ],
        },
        {
            mistake: "a Service that publishes only Ready pods",
            apply: ({ service }) => (objectAt(service, "spec").publishNotReadyAddresses = false),
            expected: [
                {
                    policy: "peer-service-publishes-not-ready",
                    level: "advisory",
                    about: svc,
                    says: 'Service "headless-svc", the subdomain of Job "example-job", does not',
                },
            ],
        },
        {
            mistake: "parallelism below completions",
            apply: ({ job }) => (objectAt(job, "spec").parallelism = 1),
            expected: [
                {
                    policy: "peer-parallelism-covers-completions",
                    level: "advisory",
                    about: job,
                    says: "spec.parallelism 1 is below spec.completions 3",
                },
            ],
        },
        {
            mistake: "ttlSecondsAfterFinished",
            apply: ({ job }) => (objectAt(job, "spec").ttlSecondsAfterFinished = 60),
            expected: [
                {
                    policy: "job-ttl-reruns-work",
                    level: "advisory",
                    about: job,
                    says: "spec.ttlSecondsAfterFinished 60 lets Kubernetes delete the Job",
                },
            ],
        },
        {
            mistake: "a hostname in the pod template",
            apply: ({ pod }) => (pod.hostname = "leader"),
            expected: [
                {
                    policy: "template-hostname-multi-pod",
                    level: "advisory",
                    about: job,
                    says: 'hostname "leader" is ignored',
                },
            ],
        },
        {
            mistake: "a workload that pings its peers",
            apply: ({ pod }) => {
                const [container] = pod.containers as Record<string, unknown>[];
                container.command = [
                    "sh",
                    "-c",
                    "for i in 0 1 2; do ping -c 1 example-job-$i.headless-svc; done",
                ];
            },
            expected: [
                {
                    policy: "ping-needs-net-raw",
                    level: "advisory",
                    about: job,
                    says: 'containers[0] ("reach-peers") runs ping without the NET_RAW',
                },
            ],
        },
        {
            mistake: "a Job left for the provider to name",
            apply: ({ job }) => delete objectAt(job, "metadata").name,
            expected: [
                {
                    policy: "peer-job-explicit-name",
                    level: "advisory",
                    about: job,
                    says:
                        'has no metadata.name: the provider names it "example-job-" plus ' +
                        "a random suffix",
                },
            ],
        },
    ];

    for (const { mistake, apply, expected } of variants) {
        it(`reports exactly what is wrong with ${mistake}`, async () => {
            const o = objects();
            apply(o);
            await assertFindings(o.all, expected);
        });
    }
});

describe("policy pack on the example programs in examples/", () => {
    for (const example of ["torchrun", "jax", "mpi"]) {
        it(`finds nothing in examples/${example}`, async () => {
            const resources = fromCapture(
                await captureProgram(path.join(ROOT, "examples", example), "dev"),
            );
            assert.ok(resources.some((r) => r.type === JOB));
            await assertFindings(resources, []);
        });
    }
});

describe("policy pack on a hand-written peer Job like the Kubernetes documentation's", () => {
    it("accepts the Job and the Service that selects its pods by job-name", async () => {
        const { service, job } = handWrittenPeers();
        await assertFindings([service, job], []);
    });

    it("advises on the documentation's choices: ping, and only Ready pods published", async () => {
        const { service, job } = handWrittenPeers();
        delete objectAt(service, "spec").publishNotReadyAddresses;
        const [container] = objectAt(job, "spec", "template", "spec").containers as Record<
            string,
            unknown
        >[];
        container.command = ["sh", "-c", "ping -c 1 example-job-0.headless-svc"];
        await assertFindings(
            [service, job],
            [
                {
                    policy: "peer-service-publishes-not-ready",
                    level: "advisory",
                    about: `${SERVICE}::headless-svc`,
                    says: "does not set spec.publishNotReadyAddresses: true",
                },
                {
                    policy: "ping-needs-net-raw",
                    level: "advisory",
                    about: `${JOB}::example-job`,
                    says: "runs ping without the NET_RAW capability",
                },
            ],
        );
    });
});

/**
 * Renders PeerJobs on mocks and returns their Kubernetes objects as the pack sees them, with the
 * warnings the components logged (kept off the test output).
 */
async function renderPeerJobs(all: { name: string; args: PeerJobArgs }[]) {
    const registered: Registered[] = await useMocks();
    const warnings: string[] = [];
    const original = pulumi.log.warn;
    pulumi.log.warn = async (message: string) => {
        warnings.push(message);
    };
    try {
        const peerJobs = all.map(({ name, args }) => new PeerJob(name, args));
        await promiseOf(pulumi.all(peerJobs.flatMap((p) => [p.service.urn, p.job.urn])));
    } finally {
        pulumi.log.warn = original;
    }
    const resources: FakeResource[] = registered
        .filter((r) => r.custom && r.type.startsWith("kubernetes:"))
        .map((r) => ({
            type: r.type,
            name: r.name,
            props: asPolicyProps(r.inputs) as Record<string, unknown>,
        }));
    return { resources, warnings };
}

/**
 * PeerJob with valid inputs. "No violations" here means no mandatory finding and no policy that
 * could not run; the advisories listed are the ones its inputs ask for, and nothing else.
 */
describe("policy pack on PeerJob with varied valid inputs", () => {
    it("finds nothing for custom names, a namespace, sizes and init containers", async () => {
        const withInit = minimalTemplate();
        withInit.spec = {
            containers: withInit.spec?.containers ?? [],
            initContainers: [{ name: "fetch", image: "registry.example/fetch:1" }],
        };
        const { resources, warnings } = await renderPeerJobs([
            {
                name: "ranks",
                args: validArgs({
                    jobName: "trainer",
                    serviceName: "ranks",
                    namespace: "ml",
                    completions: 8,
                }),
            },
            { name: "solo", args: validArgs({ completions: 1 }) },
            // The longest Job name that fits 100000 peers: 63 - "-99999".length = 57 characters.
            {
                name: "wide",
                args: validArgs({
                    jobName: "w".repeat(57),
                    serviceName: "wide",
                    completions: 100000,
                }),
            },
            { name: "staged", args: validArgs({ template: withInit, namespace: "ml" }) },
        ]);
        assert.strictEqual(resources.filter((r) => r.type === JOB).length, 4);
        assert.strictEqual(resources.filter((r) => r.type === SERVICE).length, 4);
        assert.deepStrictEqual(warnings, []);
        await assertFindings(resources, []);
    });

    it("finds nothing with waitForPeers, a NetworkPolicy and a hostfile", async () => {
        const { resources, warnings } = await renderPeerJobs([
            {
                name: "mpi",
                args: validArgs({
                    completions: 4,
                    waitForPeers: { peers: "all" },
                    networkPolicy: true,
                    hostfile: { slots: 2 },
                }),
            },
        ]);
        assert.deepStrictEqual(resources.map((r) => r.type).sort(), [
            JOB,
            "kubernetes:core/v1:ConfigMap",
            SERVICE,
            "kubernetes:networking.k8s.io/v1:NetworkPolicy",
        ]);
        assert.deepStrictEqual(warnings, []);
        await assertFindings(resources, []);
    });

    it("finds nothing for host networking with the dnsPolicy PeerJob sets", async () => {
        const template = minimalTemplate();
        template.spec = { ...template.spec, containers: template.spec?.containers ?? [] };
        template.spec.hostNetwork = true;
        const { resources, warnings } = await renderPeerJobs([
            { name: "hostnet", args: validArgs({ template }) },
        ]);
        const [job] = resources.filter((r) => r.type === JOB);
        assert.strictEqual(
            objectAt(job, "spec", "template", "spec").dnsPolicy,
            "ClusterFirstWithHostNet",
        );
        // The component warns that pods share their node's ports, which is no peer-name matter.
        assert.strictEqual(warnings.length, 1);
        assert.match(warnings[0], /hostNetwork is true/);
        await assertFindings(resources, []);
    });

    it("only advises on partial parallelism that was opted into", async () => {
        const { resources, warnings } = await renderPeerJobs([
            {
                name: "staged",
                args: validArgs({ completions: 4, parallelism: 2, allowPartialParallelism: true }),
            },
        ]);
        assert.strictEqual(warnings.length, 1);
        assert.match(warnings[0], /parallelism \(2\) is below completions \(4\)/);
        await assertFindings(resources, [
            {
                policy: "peer-parallelism-covers-completions",
                level: "advisory",
                about: `${JOB}::staged`,
                says: "spec.parallelism 2 is below spec.completions 4",
            },
        ]);
    });

    it("only advises on ttlSecondsAfterFinished and publishNotReadyAddresses: false", async () => {
        const { resources, warnings } = await renderPeerJobs([
            {
                name: "cleanup",
                args: validArgs({ ttlSecondsAfterFinished: 300, publishNotReadyAddresses: false }),
            },
        ]);
        // The component warns about the same two settings.
        assert.strictEqual(warnings.length, 2);
        await assertFindings(resources, [
            {
                policy: "job-ttl-reruns-work",
                level: "advisory",
                about: `${JOB}::cleanup`,
                says: "spec.ttlSecondsAfterFinished 300",
            },
            {
                policy: "peer-service-publishes-not-ready",
                level: "advisory",
                about: `${SERVICE}::cleanup`,
                says: 'Service "cleanup", the subdomain of Job "cleanup", does not set',
            },
        ]);
    });
});
