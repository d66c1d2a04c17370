import * as assert from "assert";

import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

import { PeerJob } from "../components";
import { policies } from "../policy/policies";
import { minimalTemplate, validArgs } from "./fixtures";
import { JOB as JOB_TOKEN, SERVICE as SERVICE_TOKEN, promiseOf, useMocks } from "./harness";
import {
    FakeResource,
    Finding,
    JOB,
    asPolicyProps,
    handWrittenPeers,
    objectAt,
    remediate,
    runPolicies,
    unknown,
    urnOf,
} from "./policyHarness";

/** `policy about-resource` for each finding, sorted; `about` is the stack for stack findings. */
function where(findings: Finding[], resources: FakeResource[]): string[] {
    const byUrn = new Map(resources.map((r) => [urnOf(r), `${r.type}::${r.name}`]));
    return findings
        .map((f) => `${f.policy} ${f.urn === undefined ? "stack" : byUrn.get(f.urn)}`)
        .sort();
}

function violations(findings: Finding[]): Finding[] {
    return findings.filter((f) => !f.couldNotRun);
}

/**
 * Renders one PeerJob in a preview, its arguments built around `notYetKnown`, the name of a
 * Namespace being created, which a preview does not know.
 */
async function previewPeerJob(
    args: (notYetKnown: pulumi.Output<string>) => Parameters<typeof validArgs>[0],
) {
    const registered = await useMocks({
        preview: true,
        state: (r) => (r.type === "kubernetes:core/v1:Namespace" ? {} : r.inputs),
    });
    const namespace = new k8s.core.v1.Namespace("ns", {});
    const peerJob = new PeerJob("x", validArgs(args(namespace.metadata.name)));
    await promiseOf(pulumi.all([peerJob.service.urn, peerJob.job.urn]));
    return registered
        .filter((r) => r.type === SERVICE_TOKEN || r.type === JOB_TOKEN)
        .map((r) => ({
            type: r.type,
            name: r.name,
            props: asPolicyProps(r.inputs) as Record<string, unknown>,
        }));
}

describe("policy pack in a preview, on PeerJob", () => {
    it("checks everything but the namespaces when the namespace is unknown", async () => {
        const resources = await previewPeerJob((namespace) => ({ namespace }));
        assert.strictEqual(objectAt(resources[0], "metadata").namespace, unknown());

        const findings = await runPolicies(policies, resources);
        assert.deepStrictEqual(violations(findings), []);
        assert.deepStrictEqual(where(findings, resources), [
            "peer-namespaces-agree stack",
            "peer-service-publishes-not-ready stack",
            "subdomain-has-headless-service stack",
        ]);
        for (const finding of findings) {
            assert.strictEqual(finding.level, "advisory");
            assert.strictEqual(
                finding.message,
                "string value at .metadata.namespace can't be known during preview",
            );
        }
    });

    it("reports only what it could not run when the whole Job body is unknown", async () => {
        // An image built by another resource leaves PeerJob's Service and Job bodies unknown.
        const resources = await previewPeerJob((image) => {
            const template = minimalTemplate();
            return {
                template: {
                    spec: {
                        containers: [{ ...template.spec?.containers[0], name: "worker", image }],
                    },
                },
            };
        });
        const findings = await runPolicies(policies, resources);
        assert.deepStrictEqual(violations(findings), []);
        const job = `${JOB}::x`;
        assert.deepStrictEqual(where(findings, resources), [
            `job-ttl-reruns-work ${job}`,
            `peer-dns-resolves ${job}`,
            `peer-job-explicit-name ${job}`,
            `peer-job-indexed ${job}`,
            `peer-names-are-dns-labels ${job}`,
            "peer-namespaces-agree stack",
            `peer-parallelism-covers-completions ${job}`,
            "peer-service-publishes-not-ready stack",
            `ping-needs-net-raw ${job}`,
            "subdomain-has-headless-service stack",
            `template-hostname-multi-pod ${job}`,
        ]);
        assert.ok(findings.every((f) => f.level === "advisory"));
    });
});

describe("policy pack in a preview, on hand-written objects", () => {
    it("runs every check when only a value none of them reads is unknown", async () => {
        const { service, job } = handWrittenPeers();
        const [container] = objectAt(job, "spec", "template", "spec").containers as Record<
            string,
            unknown
        >[];
        container.image = unknown();
        assert.deepStrictEqual(await runPolicies(policies, [service, job]), []);
    });

    it("does not report a Service missing when one of unknown name might be it", async () => {
        const { service, job } = handWrittenPeers();
        objectAt(service, "metadata").name = unknown();
        const findings = await runPolicies(policies, [service, job]);
        assert.deepStrictEqual(violations(findings), []);
        assert.deepStrictEqual(where(findings, [service, job]), [
            "peer-namespaces-agree stack",
            "peer-service-publishes-not-ready stack",
            "subdomain-has-headless-service stack",
        ]);
        assert.match(findings[0].message, /string value at .metadata.name can't be known/);
    });

    it("ignores a Service of unknown name when the subdomain's Service is known", async () => {
        const { service, job } = handWrittenPeers();
        const other = structuredClone(service);
        other.name = "other";
        objectAt(other, "metadata").name = unknown();
        assert.deepStrictEqual(await runPolicies(policies, [other, service, job]), []);
    });

    it("ignores a Service of unknown name in a namespace known to be another", async () => {
        const { job } = handWrittenPeers();
        const { service: elsewhere } = handWrittenPeers();
        objectAt(elsewhere, "metadata").name = unknown();
        objectAt(elsewhere, "metadata").namespace = "other";
        objectAt(job, "metadata").namespace = "ml";
        const findings = await runPolicies(policies, [elsewhere, job]);
        assert.deepStrictEqual(where(findings, [elsewhere, job]), [
            `subdomain-has-headless-service ${JOB}::example-job`,
        ]);
        assert.strictEqual(findings[0].level, "mandatory");
    });

    it("still reports a sure violation beside a workload it could not check", async () => {
        const { service, job } = handWrittenPeers();
        objectAt(service, "spec").selector = { "job-name": unknown() };
        const lonely = structuredClone(job);
        lonely.name = "lonely";
        objectAt(lonely, "metadata").name = "lonely";
        objectAt(lonely, "spec", "template", "spec").subdomain = "nobody";

        const resources = [service, job, lonely];
        const findings = await runPolicies(
            policies.filter((p) => p.name === "subdomain-has-headless-service"),
            resources,
        );
        assert.deepStrictEqual(
            findings.map((f) => [f.level, f.couldNotRun ?? false, f.urn]),
            [
                ["mandatory", false, urnOf(lonely)],
                ["advisory", true, undefined],
            ],
        );
        assert.match(findings[0].message, /declares no Service "nobody"/);
        assert.match(findings[1].message, /string value at .spec.selector.job-name can't be known/);
    });

    it("reports a bad subdomain although the number of pods is unknown", async () => {
        const { job } = handWrittenPeers();
        objectAt(job, "spec").completions = unknown("number");
        objectAt(job, "spec", "template", "spec").subdomain = "1peers";
        const findings = await runPolicies(
            policies.filter((p) => p.name === "peer-names-are-dns-labels"),
            [job],
        );
        assert.deepStrictEqual(
            findings.map((f) => [f.level, f.couldNotRun ?? false]),
            [
                ["mandatory", false],
                ["advisory", true],
            ],
        );
        assert.match(findings[0].message, /subdomain "1peers" must also be the name/);
        assert.match(findings[1].message, /^number value at .spec.completions can't be known/);
    });

    it("cannot run the DNS check on an unknown hostNetwork, and says so", async () => {
        const { job } = handWrittenPeers();
        objectAt(job, "spec", "template", "spec").hostNetwork = unknown("boolean");
        const findings = await runPolicies(
            policies.filter((p) => p.name === "peer-dns-resolves"),
            [job],
        );
        assert.strictEqual(findings.length, 1);
        assert.strictEqual(findings[0].couldNotRun, true);
        assert.match(findings[0].message, /^boolean value at .spec.template.spec.hostNetwork/);
    });

    it("reports dnsPolicy Default or None without nameservers, whatever hostNetwork", async () => {
        const { job } = handWrittenPeers();
        const spec = objectAt(job, "spec", "template", "spec");
        spec.hostNetwork = unknown("boolean");
        spec.dnsPolicy = "Default";
        const dnsPolicy = policies.filter((p) => p.name === "peer-dns-resolves");
        const findings = await runPolicies(dnsPolicy, [job]);
        assert.deepStrictEqual(
            findings.map((f) => [f.level, f.couldNotRun ?? false]),
            [["mandatory", false]],
        );
        assert.strictEqual(
            findings[0].message,
            'Job "example-job": spec.template.spec.dnsPolicy "Default" uses the node\'s ' +
                "resolver, which does not know the peers' cluster names; use ClusterFirst, or " +
                "ClusterFirstWithHostNet if hostNetwork is true",
        );

        spec.dnsPolicy = "None";
        const none = await runPolicies(dnsPolicy, [job]);
        assert.deepStrictEqual(
            none.map((f) => [f.level, f.couldNotRun ?? false]),
            [["mandatory", false]],
        );
        assert.match(none[0].message, /dnsPolicy "None" with no .*nameservers/);

        spec.dnsPolicy = "ClusterFirstWithHostNet";
        assert.deepStrictEqual(await runPolicies(dnsPolicy, [job]), []);
    });

    it("passes an Indexed Job whose completions are unknown as Indexed", async () => {
        const { job } = handWrittenPeers();
        objectAt(job, "spec").completions = unknown("number");
        const indexed = policies.filter((p) => p.name === "peer-job-indexed");
        assert.deepStrictEqual(await runPolicies(indexed, [job]), []);

        objectAt(job, "spec").completionMode = "NonIndexed";
        const findings = await runPolicies(indexed, [job]);
        assert.deepStrictEqual(
            findings.map((f) => f.couldNotRun),
            [true],
        );
        assert.match(findings[0].message, /^number value at .spec.completions can't be known/);
    });

    it("reports a ping beside a container that is unknown as a whole", async () => {
        const { job } = handWrittenPeers();
        const spec = objectAt(job, "spec", "template", "spec");
        const containers = spec.containers as unknown[];
        (containers[0] as Record<string, unknown>).command = ["ping", "-c", "1", "peer"];
        containers.unshift(unknown("object"));
        spec.initContainers = unknown("array");
        const findings = await runPolicies(
            policies.filter((p) => p.name === "ping-needs-net-raw"),
            [job],
        );
        assert.deepStrictEqual(
            findings.map((f) => [f.level, f.couldNotRun ?? false]),
            [
                ["advisory", false],
                ["advisory", true],
            ],
        );
        assert.match(findings[0].message, /containers\[1\] \("worker"\) runs ping without/);
        assert.match(findings[1].message, /value at .spec.template.spec.initContainers can't/);
    });

    it("reports a ping its command runs although its args are unknown", async () => {
        const { job } = handWrittenPeers();
        const [container] = objectAt(job, "spec", "template", "spec").containers as Record<
            string,
            unknown
        >[];
        container.command = ["sh", "-c", "ping -c 1 peer"];
        container.args = unknown("array");
        const ping = policies.filter((p) => p.name === "ping-needs-net-raw");
        const findings = await runPolicies(ping, [job]);
        assert.deepStrictEqual(
            findings.map((f) => f.couldNotRun ?? false),
            [false],
        );

        // The script could be in args: the check cannot run.
        container.command = ["sh", "-c"];
        const unsure = await runPolicies(ping, [job]);
        assert.deepStrictEqual(
            unsure.map((f) => f.couldNotRun ?? false),
            [true],
        );

        // Args alone go to the image's entrypoint, so their being unknown hides nothing.
        delete container.command;
        assert.deepStrictEqual(await runPolicies(ping, [job]), []);
    });

    it("checks a completion-index selector as far as the known completions allow", async () => {
        const { service, job } = handWrittenPeers();
        const key = "batch.kubernetes.io/job-completion-index";
        objectAt(job, "spec").completions = unknown("number");
        const headless = policies.filter((p) => p.name === "subdomain-has-headless-service");

        objectAt(service, "spec").selector = { "job-name": "example-job", [key]: "0" };
        assert.deepStrictEqual(await runPolicies(headless, [service, job]), []);

        objectAt(service, "spec").selector = { [key]: "2" };
        const findings = await runPolicies(headless, [service, job]);
        assert.deepStrictEqual(
            findings.map((f) => f.couldNotRun),
            [true],
        );
        assert.match(findings[0].message, /^number value at .spec.completions can't be known/);
    });

    it("neither remediates nor crashes where the deciding value is unknown", async () => {
        const { service, job } = handWrittenPeers();
        delete objectAt(job, "spec").completionMode;
        objectAt(job, "spec").completions = unknown("number");
        objectAt(service, "spec").selector = unknown("object");
        const config = {
            "peer-job-indexed": "remediate",
            "peer-dns-resolves": "remediate",
            "peer-service-publishes-not-ready-fix": "remediate",
        } as const;

        const jobResult = await remediate(policies, job, config);
        assert.deepStrictEqual(jobResult.changedBy, []);
        assert.deepStrictEqual(jobResult.couldNotRun, ["peer-job-indexed"]);

        const serviceResult = await remediate(policies, service, config);
        assert.deepStrictEqual(serviceResult.changedBy, []);
        assert.deepStrictEqual(serviceResult.couldNotRun, ["peer-service-publishes-not-ready-fix"]);
    });
});

describe("policy pack on Services alone", () => {
    it("finds nothing to say about a stack without workloads", async () => {
        const { service } = handWrittenPeers();
        assert.deepStrictEqual(await runPolicies(policies, [service]), []);
    });
});
