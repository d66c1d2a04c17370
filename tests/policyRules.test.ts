import * as assert from "assert";

import { Policies } from "@pulumi/policy";

import { policies } from "../policy/policies";
import {
    FakeResource,
    Finding,
    SERVICE,
    assertIncludes,
    handWrittenPeers,
    objectAt,
    peerPod,
    remediate,
    runPolicies,
    urnOf,
} from "./policyHarness";

function policy(name: string): Policies[number] {
    const found = policies.find((p) => p.name === name);
    assert.ok(found, `no policy ${name}`);
    return found;
}

/** The findings of one policy on a stack. */
function check(name: string, resources: FakeResource[]): Promise<Finding[]> {
    return runPolicies([policy(name)], resources);
}

/** Asserts exactly one finding, at `level`, about `resource`, and returns its message. */
function single(findings: Finding[], level: string, resource: FakeResource): string {
    assert.strictEqual(findings.length, 1, JSON.stringify(findings, null, 2));
    const [finding] = findings;
    assert.strictEqual(finding.level, level);
    assert.strictEqual(finding.urn, urnOf(resource));
    assert.strictEqual(finding.couldNotRun, undefined);
    return finding.message;
}

/** The pod spec of a hand-written Job fixture. */
function podSpec(job: FakeResource) {
    return objectAt(job, "spec", "template", "spec");
}

describe("policy subdomain-has-headless-service", () => {
    const name = "subdomain-has-headless-service";

    it("passes a Job whose headless Service selects its pods by the job-name label", async () => {
        const { service, job } = handWrittenPeers();
        assert.deepStrictEqual(await check(name, [service, job]), []);
    });

    it("reports a missing Service against the Job, naming both", async () => {
        const { job } = handWrittenPeers();
        const message = single(await check(name, [job]), "mandatory", job);
        assert.strictEqual(
            message,
            'Job "example-job" sets spec.template.spec.subdomain "headless-svc", but the stack ' +
                'declares no Service "headless-svc" in the provider\'s namespace, so its pods ' +
                "get no DNS names; declare a headless Service (clusterIP: None) named " +
                '"headless-svc" ' +
                "in the same namespace, selecting the pod template's labels",
        );
    });

    it("reports a Service of that name in another namespace, and says where it is", async () => {
        const { service, job } = handWrittenPeers();
        objectAt(service, "metadata").namespace = "other";
        objectAt(job, "metadata").namespace = "ml";
        const message = single(await check(name, [service, job]), "mandatory", job);
        assertIncludes(
            message,
            'declares no Service "headless-svc" in namespace "ml"',
            'a Service "headless-svc" exists in namespace "other", but a Service selects pods ' +
                "of its own namespace only",
        );
    });

    it("takes two objects that leave the namespace to the provider as neighbours", async () => {
        const { service, job } = handWrittenPeers();
        assert.strictEqual(objectAt(service, "metadata").namespace, undefined);
        assert.strictEqual(objectAt(job, "metadata").namespace, undefined);
        assert.deepStrictEqual(await check(name, [service, job]), []);
    });

    it("checks a Service that only one of the two places in a namespace", async () => {
        const { service, job } = handWrittenPeers();
        objectAt(service, "metadata").namespace = "ml";
        assert.deepStrictEqual(await check(name, [service, job]), []);

        delete objectAt(service, "spec").clusterIP;
        assert.match(single(await check(name, [service, job]), "mandatory", job), /not headless/);
    });

    it("resolves a namespace left out through the provider's namespace setting", async () => {
        const { service, job } = handWrittenPeers();
        objectAt(service, "metadata").namespace = "ml";
        job.provider = { namespace: "ml" };
        assert.deepStrictEqual(await check(name, [service, job]), []);

        job.provider = { namespace: "other" };
        const message = single(await check(name, [service, job]), "mandatory", job);
        assert.match(message, /declares no Service "headless-svc" in namespace "other"/);
    });

    it("says that a Service without metadata.name can never match a subdomain", async () => {
        const { service, job } = handWrittenPeers();
        delete objectAt(service, "metadata").name;
        const message = single(await check(name, [service, job]), "mandatory", job);
        assertIncludes(
            message,
            'Service "headless-svc" (Pulumi name) has no metadata.name of its own: the provider ' +
                'names it "headless-svc-" plus a random suffix, which can never equal a ' +
                'subdomain; if it is meant for these pods, set its metadata.name to "headless-svc"',
        );
    });

    it("recognises a Service the provider named, once it carries the generated name", async () => {
        const { service, job } = handWrittenPeers();
        service.name = "peers";
        objectAt(service, "metadata").name = "peers-6f1c2b9a";
        objectAt(service, "metadata").annotations = { "pulumi.com/autonamed": "true" };
        const message = single(await check(name, [service, job]), "mandatory", job);
        assert.match(message, /Service "peers" \(Pulumi name\) has no metadata.name of its own/);
    });

    it("reports a Service that is not headless", async () => {
        const { service, job } = handWrittenPeers();
        delete objectAt(service, "spec").clusterIP;
        assert.strictEqual(
            single(await check(name, [service, job]), "mandatory", job),
            'Service "headless-svc", the subdomain of Job "example-job", is not headless: ' +
                "spec.clusterIP is unset, so Kubernetes allocates a cluster IP; DNS publishes a " +
                "record for each pod only under a headless Service; set spec.clusterIP: None " +
                "(which replaces the Service)",
        );

        objectAt(service, "spec").clusterIP = "10.96.0.20";
        assert.match(
            single(await check(name, [service, job]), "mandatory", job),
            /is not headless: spec.clusterIP is "10.96.0.20"/,
        );
    });

    it("takes a Service whose spec.clusterIPs alone is [None] as headless", async () => {
        const { service, job } = handWrittenPeers();
        delete objectAt(service, "spec").clusterIP;
        objectAt(service, "spec").clusterIPs = ["None"];
        assert.deepStrictEqual(await check(name, [service, job]), []);

        objectAt(service, "spec").clusterIPs = ["10.96.0.20"];
        assert.match(
            single(await check(name, [service, job]), "mandatory", job),
            /is not headless: spec.clusterIP is unset and spec.clusterIPs is \["10.96.0.20"\]; /,
        );
    });

    it("says that an ExternalName Service is not headless, without a cluster IP", async () => {
        const { service, job } = handWrittenPeers();
        delete objectAt(service, "spec").clusterIP;
        objectAt(service, "spec").type = "ExternalName";
        objectAt(service, "spec").externalName = "db.example.com";
        const message = single(await check(name, [service, job]), "mandatory", job);
        assert.strictEqual(
            message,
            'Service "headless-svc", the subdomain of Job "example-job", is an ExternalName ' +
                "Service (spec.type ExternalName), not a headless one: DNS answers its name " +
                'with a CNAME record for "db.example.com" and publishes no record for any pod; ' +
                "remove spec.type and spec.externalName and set spec.clusterIP: None (which " +
                "replaces the Service)",
        );
        assert.doesNotMatch(message, /allocates a cluster IP/);

        // The API server gives an ExternalName Service no cluster IP, "None" included.
        objectAt(service, "spec").clusterIP = "None";
        assert.match(
            single(await check(name, [service, job]), "mandatory", job),
            /is an ExternalName Service/,
        );
    });

    it("counts the completion-index label the Job controller puts on Indexed pods", async () => {
        const { service, job } = handWrittenPeers();
        const key = "batch.kubernetes.io/job-completion-index";
        for (const index of ["0", "1", "2"]) {
            objectAt(service, "spec").selector = { "job-name": "example-job", [key]: index };
            assert.deepStrictEqual(await check(name, [service, job]), [], index);
        }

        // The controller replaces a value the template gives the label.
        objectAt(job, "spec", "template").metadata = { labels: { [key]: "7" } };
        assert.deepStrictEqual(await check(name, [service, job]), []);
    });

    it("reports a completion index the Job does not have, or that is not one", async () => {
        const { service, job } = handWrittenPeers();
        const key = "batch.kubernetes.io/job-completion-index";
        objectAt(service, "spec").selector = { [key]: "3" };
        assert.strictEqual(
            single(await check(name, [service, job]), "mandatory", job),
            'Service "headless-svc", the subdomain of Job "example-job", selects ' +
                `${key}: "3" (the pods have ${key}: "0" to "2", by spec.completions 3), so it ` +
                "does not select these pods; every label of its selector must be on the pods " +
                "with the same value",
        );

        objectAt(service, "spec").selector = { [key]: "01" };
        assert.match(
            single(await check(name, [service, job]), "mandatory", job),
            /selects .*: "01" \(the pods carry their completion index as .*, a decimal number/,
        );
    });

    it("says that only an Indexed Job's pods carry the completion-index label", async () => {
        const { service, job } = handWrittenPeers();
        const key = "batch.kubernetes.io/job-completion-index";
        objectAt(service, "spec").selector = { [key]: "0" };
        objectAt(job, "spec").completionMode = "NonIndexed";
        assert.match(
            single(await check(name, [service, job]), "mandatory", job),
            new RegExp(
                `selects ${key}: "0" \\(the pods have no label ${key}; the Job controller ` +
                    "adds it to an Indexed Job's pods only\\)",
            ),
        );

        const pod = peerPod();
        const podService: FakeResource = {
            type: SERVICE,
            name: "peers",
            props: { metadata: { name: "peers" }, spec: { clusterIP: "None", selector: {} } },
        };
        objectAt(podService, "spec").selector = { [key]: "0" };
        assert.match(
            single(await check(name, [podService, pod]), "mandatory", pod),
            new RegExp(`\\(the pods have no label ${key}\\), so it does not select`),
        );
    });

    it("reports a Service without a selector", async () => {
        const { service, job } = handWrittenPeers();
        delete objectAt(service, "spec").selector;
        assert.strictEqual(
            single(await check(name, [service, job]), "mandatory", job),
            'Service "headless-svc", the subdomain of Job "example-job", has no spec.selector, ' +
                "so no pod is ever published under it; set it to labels of the Job's pod template",
        );
        objectAt(service, "spec").selector = {};
        assert.match(
            single(await check(name, [service, job]), "mandatory", job),
            /has no spec.selector/,
        );
    });

    it("reports a selector that is not a subset of the pods' labels", async () => {
        const { service, job } = handWrittenPeers();
        objectAt(service, "spec").selector = { "job-name": "other-job", app: "train" };
        assert.strictEqual(
            single(await check(name, [service, job]), "mandatory", job),
            'Service "headless-svc", the subdomain of Job "example-job", selects ' +
                'job-name: "other-job" (the pods have job-name: "example-job"), ' +
                'app: "train" (the pods have no label app), so it does not select these pods; ' +
                "every label of its selector must be on the pods with the same value",
        );
    });

    it("counts the template's own labels and no job-name label under manualSelector", async () => {
        const { service, job } = handWrittenPeers();
        objectAt(job, "spec", "template").metadata = { labels: { app: "train" } };
        objectAt(service, "spec").selector = { app: "train" };
        assert.deepStrictEqual(await check(name, [service, job]), []);

        objectAt(service, "spec").selector = { "job-name": "example-job" };
        objectAt(job, "spec").manualSelector = true;
        assert.match(
            single(await check(name, [service, job]), "mandatory", job),
            /selects job-name: "example-job" \(the pods have no label job-name\)/,
        );
    });

    it("does not guess the job-name label of a Job the provider has yet to name", async () => {
        const { service, job } = handWrittenPeers();
        delete objectAt(job, "metadata").name;
        assert.deepStrictEqual(await check(name, [service, job]), []);
    });

    it("checks a bare Pod's subdomain against the Pod's labels", async () => {
        const pod = peerPod();
        const service: FakeResource = {
            type: SERVICE,
            name: "peers",
            props: {
                metadata: { name: "peers" },
                spec: { clusterIP: "None", selector: { app: "solo" } },
            },
        };
        assert.deepStrictEqual(await check(name, [service, pod]), []);

        objectAt(service, "spec").selector = { app: "other" };
        assert.match(
            single(await check(name, [service, pod]), "mandatory", pod),
            /^Service "peers", the subdomain of Pod "solo", selects app: "other" \(the pods/,
        );
    });

    it("ignores workloads without a subdomain", async () => {
        const { job } = handWrittenPeers();
        delete podSpec(job).subdomain;
        assert.deepStrictEqual(await check(name, [job]), []);
    });
});

describe("policy peer-namespaces-agree", () => {
    const name = "peer-namespaces-agree";

    it("passes two objects that both name their namespace, or both leave it out", async () => {
        const { service, job } = handWrittenPeers();
        assert.deepStrictEqual(await check(name, [service, job]), []);
        objectAt(service, "metadata").namespace = "ml";
        objectAt(job, "metadata").namespace = "ml";
        assert.deepStrictEqual(await check(name, [service, job]), []);
    });

    it("reports a namespace given on one object and left out on the other", async () => {
        const { service, job } = handWrittenPeers();
        objectAt(service, "metadata").namespace = "ml";
        assert.strictEqual(
            single(await check(name, [service, job]), "advisory", job),
            'Service "headless-svc" is in namespace "ml" and Job "example-job", whose ' +
                "subdomain it is, in the provider's namespace: they share a namespace only if " +
                "the provider's default namespace is that one, which depends on the kubeconfig " +
                "of whoever runs Pulumi; give both the same metadata.namespace",
        );
    });

    it("passes when the provider's namespace setting shows they agree", async () => {
        const { service, job } = handWrittenPeers();
        objectAt(job, "metadata").namespace = "ml";
        service.provider = { namespace: "ml" };
        assert.deepStrictEqual(await check(name, [service, job]), []);
    });
});

describe("policy peer-job-indexed", () => {
    const name = "peer-job-indexed";

    it("passes an Indexed Job and a single-pod Job", async () => {
        const { job } = handWrittenPeers();
        assert.deepStrictEqual(await check(name, [job]), []);

        delete objectAt(job, "spec").completionMode;
        objectAt(job, "spec").completions = 1;
        objectAt(job, "spec").parallelism = 1;
        assert.deepStrictEqual(await check(name, [job]), []);
    });

    it("reports a multi-pod Job with a subdomain that is not Indexed", async () => {
        const { job } = handWrittenPeers();
        delete objectAt(job, "spec").completionMode;
        assert.strictEqual(
            single(await check(name, [job]), "mandatory", job),
            'Job "example-job" runs 3 pods (spec.completions 3) whose ' +
                'spec.template.spec.subdomain is "headless-svc", but spec.completionMode is ' +
                "unset (NonIndexed): its pods get random names and no stable hostname under " +
                "the subdomain; set spec.completionMode: Indexed",
        );

        objectAt(job, "spec").completionMode = "NonIndexed";
        assert.match(
            single(await check(name, [job]), "mandatory", job),
            /but spec.completionMode is "NonIndexed": /,
        );
    });

    it("asks a work-queue Job for completions as well", async () => {
        const { job } = handWrittenPeers();
        delete objectAt(job, "spec").completionMode;
        delete objectAt(job, "spec").completions;
        objectAt(job, "spec").parallelism = 4;
        assert.match(
            single(await check(name, [job]), "mandatory", job),
            new RegExp(
                "runs up to 4 pods at once \\(spec.parallelism 4, spec.completions unset\\).*; " +
                    "set spec.completions to the number of peers and spec.completionMode: Indexed$",
            ),
        );
    });

    it("ignores Jobs without a subdomain", async () => {
        const { job } = handWrittenPeers();
        delete objectAt(job, "spec").completionMode;
        delete podSpec(job).subdomain;
        assert.deepStrictEqual(await check(name, [job]), []);
    });

    it("remediates a Job that left the mode out and fixes its number of pods", async () => {
        const { job } = handWrittenPeers();
        delete objectAt(job, "spec").completionMode;
        const result = await remediate([policy(name)], job, { [name]: "remediate" });
        assert.deepStrictEqual(result.changedBy, [name]);
        assert.strictEqual(
            (result.props.spec as Record<string, unknown>).completionMode,
            "Indexed",
        );
        assert.deepStrictEqual(await check(name, [{ ...job, props: result.props }]), []);
    });

    it("leaves an explicit NonIndexed mode and work-queue Jobs to the user", async () => {
        const { job } = handWrittenPeers();
        objectAt(job, "spec").completionMode = "NonIndexed";
        const explicit = await remediate([policy(name)], job, { [name]: "remediate" });
        assert.deepStrictEqual(explicit.changedBy, []);

        delete objectAt(job, "spec").completionMode;
        delete objectAt(job, "spec").completions;
        const workQueue = await remediate([policy(name)], job, { [name]: "remediate" });
        assert.deepStrictEqual(workQueue.changedBy, []);
    });

    it("does not remediate unless its level is remediate", async () => {
        const { job } = handWrittenPeers();
        delete objectAt(job, "spec").completionMode;
        const result = await remediate([policy(name)], job, {});
        assert.deepStrictEqual(result.changedBy, []);
    });
});

describe("policy peer-names-are-dns-labels", () => {
    const name = "peer-names-are-dns-labels";

    it("passes the longest Job name that leaves room for the last index", async () => {
        const { job } = handWrittenPeers();
        assert.deepStrictEqual(await check(name, [job]), []);

        // 100 completions: the last hostname ends in -99, three characters.
        objectAt(job, "metadata").name = "a".repeat(60);
        objectAt(job, "spec").completions = 100;
        assert.deepStrictEqual(await check(name, [job]), []);
    });

    it("reports a last hostname over 63 characters, with the limit and the excess", async () => {
        const { job } = handWrittenPeers();
        const jobName = "a".repeat(62);
        objectAt(job, "metadata").name = jobName;
        objectAt(job, "spec").completions = 100;
        assert.strictEqual(
            single(await check(name, [job]), "mandatory", job),
            `Job "${jobName}": the hostname of the last index, "${jobName}-99", is 65 ` +
                "characters, over the 63 a DNS label allows; with 100 completions " +
                "metadata.name must be at most 60 characters (2 fewer)",
        );
    });

    it("reports a hostname that is not a DNS label for another reason", async () => {
        const { job } = handWrittenPeers();
        objectAt(job, "metadata").name = "Example-Job";
        assert.match(
            single(await check(name, [job]), "mandatory", job),
            /^Job "Example-Job": the hostname of the last index, "Example-Job-2", must be an RFC/,
        );
    });

    it("reports a subdomain that is not an RFC 1123 label", async () => {
        const { job } = handWrittenPeers();
        podSpec(job).subdomain = "peers.example";
        assert.match(
            single(await check(name, [job]), "mandatory", job),
            /^Job "example-job": spec.template.spec.subdomain "peers.example" must be an RFC 1123/,
        );
    });

    it("reports a subdomain that no Service can be named after", async () => {
        const { job } = handWrittenPeers();
        podSpec(job).subdomain = "1peers";
        assert.match(
            single(await check(name, [job]), "mandatory", job),
            new RegExp(
                '^Job "example-job": spec.template.spec.subdomain "1peers" must also be the name ' +
                    "of the headless Service that publishes the pods' records, and a Service " +
                    "name must be an RFC 1035 label: .*starting with a letter.*; no Service can " +
                    "be named so$",
            ),
        );
    });

    it("asks a bare Pod with a subdomain for a valid hostname", async () => {
        const pod = peerPod();
        assert.deepStrictEqual(await check(name, [pod]), []);

        delete objectAt(pod, "spec").hostname;
        assert.strictEqual(
            single(await check(name, [pod]), "mandatory", pod),
            'Pod "solo" sets spec.subdomain "peers" but no spec.hostname: a pod gets a DNS ' +
                "name under its subdomain only from its hostname; set spec.hostname",
        );

        objectAt(pod, "spec").hostname = "solo_1";
        assert.match(
            single(await check(name, [pod]), "mandatory", pod),
            /^Pod "solo": spec.hostname "solo_1" must be an RFC 1123 label/,
        );
    });

    it("skips the hostname of a Job the provider has yet to name", async () => {
        const { job } = handWrittenPeers();
        delete objectAt(job, "metadata").name;
        objectAt(job, "spec").completions = 100000;
        assert.deepStrictEqual(await check(name, [job]), []);
    });
});

describe("policy peer-dns-resolves", () => {
    const name = "peer-dns-resolves";

    it("passes the default policy, and ClusterFirstWithHostNet on the host network", async () => {
        const { job } = handWrittenPeers();
        assert.deepStrictEqual(await check(name, [job]), []);
        podSpec(job).hostNetwork = true;
        podSpec(job).dnsPolicy = "ClusterFirstWithHostNet";
        assert.deepStrictEqual(await check(name, [job]), []);
    });

    it("reports host-network pods that keep ClusterFirst", async () => {
        const { job } = handWrittenPeers();
        podSpec(job).hostNetwork = true;
        assert.strictEqual(
            single(await check(name, [job]), "mandatory", job),
            'Job "example-job": spec.template.spec.hostNetwork is true and ' +
                "spec.template.spec.dnsPolicy is unset (ClusterFirst): host-network pods fall " +
                "back to the node's resolver under ClusterFirst, and it does not know peer " +
                "names; set dnsPolicy: ClusterFirstWithHostNet",
        );
    });

    it("reports dnsPolicy Default", async () => {
        const pod = peerPod();
        objectAt(pod, "spec").dnsPolicy = "Default";
        assert.strictEqual(
            single(await check(name, [pod]), "mandatory", pod),
            'Pod "solo": spec.dnsPolicy "Default" uses the node\'s resolver, which does not ' +
                "know the peers' cluster names; use ClusterFirst",
        );
    });

    it("reports dnsPolicy None without nameservers, and passes it with them", async () => {
        const { job } = handWrittenPeers();
        podSpec(job).dnsPolicy = "None";
        podSpec(job).dnsConfig = { searches: ["default.svc.cluster.local"] };
        assert.match(
            single(await check(name, [job]), "mandatory", job),
            /dnsPolicy "None" with no spec.template.spec.dnsConfig.nameservers leaves the pods/,
        );
        podSpec(job).dnsConfig = { nameservers: ["10.96.0.10"] };
        assert.deepStrictEqual(await check(name, [job]), []);
    });

    it("remediates a host-network pod whose policy was left out, but not Default", async () => {
        const { job } = handWrittenPeers();
        podSpec(job).hostNetwork = true;
        const result = await remediate([policy(name)], job, { [name]: "remediate" });
        assert.deepStrictEqual(result.changedBy, [name]);
        const fixed = { ...job, props: result.props };
        assert.strictEqual(podSpec(fixed).dnsPolicy, "ClusterFirstWithHostNet");
        assert.deepStrictEqual(await check(name, [fixed]), []);

        podSpec(job).dnsPolicy = "Default";
        const untouched = await remediate([policy(name)], job, { [name]: "remediate" });
        assert.deepStrictEqual(untouched.changedBy, []);
    });
});

describe("policy peer-service-publishes-not-ready", () => {
    const name = "peer-service-publishes-not-ready";

    it("passes a Service that publishes not-ready addresses", async () => {
        const { service, job } = handWrittenPeers();
        assert.deepStrictEqual(await check(name, [service, job]), []);
    });

    it("reports the Service, once, naming every workload whose subdomain it is", async () => {
        const { service, job } = handWrittenPeers();
        delete objectAt(service, "spec").publishNotReadyAddresses;
        const second = structuredClone(job);
        second.name = "second-job";
        objectAt(second, "metadata").name = "second-job";
        objectAt(service, "spec").selector = { app: "train" };
        for (const j of [job, second]) {
            objectAt(j, "spec", "template").metadata = { labels: { app: "train" } };
        }
        assert.strictEqual(
            single(await check(name, [service, job, second]), "advisory", service),
            'Service "headless-svc", the subdomain of Job "example-job" and Job "second-job", ' +
                "does not set spec.publishNotReadyAddresses: true; set it, unless every pod is " +
                "Ready before it looks up its peers",
        );
    });
});

describe("policy peer-service-publishes-not-ready-fix", () => {
    const name = "peer-service-publishes-not-ready-fix";

    it("is off by default and reports nothing", async () => {
        const { service, job } = handWrittenPeers();
        delete objectAt(service, "spec").publishNotReadyAddresses;
        assert.deepStrictEqual(await check(name, [service, job]), []);
        assert.deepStrictEqual((await remediate([policy(name)], service, {})).changedBy, []);
    });

    it("sets publishNotReadyAddresses on a headless Service of Job pods", async () => {
        const { service } = handWrittenPeers();
        objectAt(service, "spec").publishNotReadyAddresses = false;
        const result = await remediate([policy(name)], service, { [name]: "remediate" });
        assert.deepStrictEqual(result.changedBy, [name]);
        assert.deepStrictEqual(result.props.spec, {
            clusterIP: "None",
            selector: { "job-name": "example-job" },
            publishNotReadyAddresses: true,
        });
    });

    it("leaves other Services alone", async () => {
        const config = { [name]: "remediate" } as const;
        const { service } = handWrittenPeers();
        delete objectAt(service, "spec").publishNotReadyAddresses;

        objectAt(service, "spec").selector = { app: "db" };
        assert.deepStrictEqual((await remediate([policy(name)], service, config)).changedBy, []);

        objectAt(service, "spec").selector = { "job-name": "example-job" };
        objectAt(service, "spec").clusterIP = "10.96.0.20";
        assert.deepStrictEqual((await remediate([policy(name)], service, config)).changedBy, []);
    });
});

describe("policy peer-parallelism-covers-completions", () => {
    const name = "peer-parallelism-covers-completions";

    it("passes parallelism equal to completions", async () => {
        const { job } = handWrittenPeers();
        assert.deepStrictEqual(await check(name, [job]), []);
    });

    it("reports parallelism below completions, counting an unset one as 1", async () => {
        const { job } = handWrittenPeers();
        objectAt(job, "spec").parallelism = 2;
        assert.strictEqual(
            single(await check(name, [job]), "advisory", job),
            'Job "example-job": spec.parallelism 2 is below spec.completions 3: the peers are ' +
                "never all running at once, so a rendezvous of all of them never completes; set " +
                "spec.parallelism to 3 unless the pods do not wait for each other",
        );
        delete objectAt(job, "spec").parallelism;
        assert.match(
            single(await check(name, [job]), "advisory", job),
            /spec.parallelism is unset, so 1, which is below spec.completions 3/,
        );
    });
});

describe("policy job-ttl-reruns-work", () => {
    const name = "job-ttl-reruns-work";

    it("reports ttlSecondsAfterFinished on any Job, peers or not", async () => {
        const { job } = handWrittenPeers();
        assert.deepStrictEqual(await check(name, [job]), []);
        delete podSpec(job).subdomain;
        objectAt(job, "spec").ttlSecondsAfterFinished = 600;
        assert.strictEqual(
            single(await check(name, [job]), "advisory", job),
            'Job "example-job": spec.ttlSecondsAfterFinished 600 lets Kubernetes delete the ' +
                "Job 600 seconds after it finishes; the next pulumi up or pulumi refresh finds " +
                "it gone and creates it again, which runs the work again; leave it out and " +
                "remove the Job with pulumi destroy",
        );
    });
});

describe("policy template-hostname-multi-pod", () => {
    const name = "template-hostname-multi-pod";

    it("passes a single-pod Job with a hostname", async () => {
        const { job } = handWrittenPeers();
        podSpec(job).hostname = "leader";
        objectAt(job, "spec").completions = 1;
        objectAt(job, "spec").parallelism = 1;
        assert.deepStrictEqual(await check(name, [job]), []);
    });

    it("reports the hostname an Indexed Job ignores, and the one other Jobs share", async () => {
        const { job } = handWrittenPeers();
        podSpec(job).hostname = "leader";
        assert.strictEqual(
            single(await check(name, [job]), "advisory", job),
            'Job "example-job": spec.template.spec.hostname "leader" is ignored: the Job ' +
                "controller sets each pod's hostname to <job name>-<index>; remove it so that " +
                "no one relies on it",
        );
        objectAt(job, "spec").completionMode = "NonIndexed";
        assert.match(
            single(await check(name, [job]), "advisory", job),
            /hostname "leader" gives every pod of the Job the same hostname/,
        );
    });
});

describe("policy ping-needs-net-raw", () => {
    const name = "ping-needs-net-raw";

    it("passes name lookups, and ping with NET_RAW or privileged", async () => {
        const { job } = handWrittenPeers();
        assert.deepStrictEqual(await check(name, [job]), []);

        const container = asContainers(job)[0];
        container.command = ["sh", "-c", "ping -c 1 example-job-0.headless-svc"];
        container.securityContext = { capabilities: { add: ["NET_RAW"] } };
        assert.deepStrictEqual(await check(name, [job]), []);
        container.securityContext = { privileged: true };
        assert.deepStrictEqual(await check(name, [job]), []);
    });

    it("does not take a word that contains ping for the command", async () => {
        const { job } = handWrittenPeers();
        asContainers(job)[0].args = ["--ping-interval=5", "--no-ping"];
        assert.deepStrictEqual(await check(name, [job]), []);
    });

    it("reports each container that runs ping without NET_RAW", async () => {
        const { job } = handWrittenPeers();
        podSpec(job).initContainers = [
            { name: "wait", image: "busybox:1.36", command: ["/bin/ping", "-c", "1", "x"] },
        ];
        const findings = await check(name, [job]);
        assert.strictEqual(
            single(findings, "advisory", job),
            'Job "example-job": spec.template.spec.initContainers[0] ("wait") runs ping without ' +
                "the NET_RAW capability, so ping can fail even where the peer's name resolves; " +
                "test a peer with a name lookup (getent hosts <name>) or a TCP connection, or " +
                "add NET_RAW where the namespace's Pod Security level allows",
        );

        asContainers(job)[0].command = ["sh", "-c", "until ping -c1 $PEER; do sleep 1; done"];
        const both = await check(name, [job]);
        assert.deepStrictEqual(
            both.map((f) => f.message.split(" runs ping")[0]),
            [
                'Job "example-job": spec.template.spec.initContainers[0] ("wait")',
                'Job "example-job": spec.template.spec.containers[0] ("worker")',
            ],
        );
    });
});

describe("policy ping-needs-net-raw, on what a container runs", () => {
    const name = "ping-needs-net-raw";
    const { job: subject } = handWrittenPeers();

    /** The findings on a Job whose one container has `fields` (command, args, ...). */
    async function findingsFor(fields: Record<string, unknown>): Promise<Finding[]> {
        const { job } = handWrittenPeers();
        const container = asContainers(job)[0];
        delete container.command;
        Object.assign(container, fields);
        return check(name, [job]);
    }

    it("passes programs that take ping as an argument or a URL", async () => {
        assert.deepStrictEqual(
            await findingsFor({ command: ["redis-cli", "-h", "r", "ping"] }),
            [],
        );
        assert.deepStrictEqual(
            await findingsFor({ command: ["curl", "-f", "http://api:8080/ping"] }),
            [],
        );
        assert.deepStrictEqual(await findingsFor({ command: ["echo"], args: ["ping"] }), []);
    });

    it("passes a shell script that only prints or quotes ping", async () => {
        for (const script of [
            "echo 'ping'",
            'echo "ping me"; getent hosts peer',
            "x='ping -c 1 peer'; echo \"$x\"",
            "cat <<EOF\nping -c 1 peer\nEOF\ngetent hosts peer",
            "command -v ping >/dev/null && echo has ping",
            "# ping -c 1 peer\ngetent hosts peer",
        ]) {
            assert.deepStrictEqual(
                await findingsFor({ command: ["sh", "-c", script] }),
                [],
                script,
            );
        }
    });

    it("reports ping and ping6 run as the command, by name or path", async () => {
        for (const command of [
            ["ping", "-c", "1", "peer"],
            ["/usr/bin/ping6", "-c", "1", "peer"],
            ["busybox", "ping", "-c", "1", "peer"],
            ["/usr/bin/env", "ping", "peer"],
        ]) {
            const message = single(await findingsFor({ command }), "advisory", subject);
            const program = command.some((w) => w.endsWith("ping6")) ? "ping6" : "ping";
            assertIncludes(message, `runs ${program} without the NET_RAW capability`);
        }
    });

    it("reports ping run by a shell's script, at any command position", async () => {
        for (const [command, args] of [
            [["sh", "-c", "ping -c 1 peer"], []],
            [["bash", "-lc", "set -e; getent hosts peer && ping6 -c1 peer"], []],
            [["ash", "-e", "-c"], ["while ! ping -c1 peer; do sleep 1; done"]],
            [["sh", "-c", "if true\nthen (PEER=x ping -c1 $PEER) | tee log; fi"], []],
            [["sh", "-o", "pipefail", "-c", "x=$(ping -c1 peer) || exit 1"], []],
            [["/bin/sh", "-c", "bash -c 'until ping -c1 peer 2>&1 >/dev/null; do :; done'"], []],
        ]) {
            const findings = await findingsFor({ command, args });
            assert.strictEqual(findings.length, 1, JSON.stringify([command, args]));
            assert.match(findings[0].message, /runs ping6? without the NET_RAW capability/);
        }
    });

    it("leaves args alone to the image's entrypoint, which it cannot see", async () => {
        assert.deepStrictEqual(await findingsFor({ args: ["ping", "-c", "1", "peer"] }), []);
        assert.strictEqual(
            (await findingsFor({ command: ["sh", "-c"], args: ["ping -c 1 peer"] })).length,
            1,
        );
    });

    it("counts capabilities.add ALL as granting NET_RAW", async () => {
        const command = ["ping", "-c", "1", "peer"];
        const securityContext = { capabilities: { drop: ["ALL"], add: ["ALL"] } };
        assert.deepStrictEqual(await findingsFor({ command, securityContext }), []);
        const dropped = { capabilities: { drop: ["ALL"] } };
        assert.strictEqual((await findingsFor({ command, securityContext: dropped })).length, 1);
    });
});

describe("policy peer-job-explicit-name", () => {
    const name = "peer-job-explicit-name";

    it("passes a Job with metadata.name", async () => {
        const { job } = handWrittenPeers();
        assert.deepStrictEqual(await check(name, [job]), []);
    });

    it("says what cannot be checked while the provider has yet to name the Job", async () => {
        const { job } = handWrittenPeers();
        delete objectAt(job, "metadata").name;
        assert.strictEqual(
            single(await check(name, [job]), "advisory", job),
            'Job "example-job" (Pulumi name; no metadata.name) has no metadata.name: the ' +
                'provider names it "example-job-" plus a random suffix, which changes ' +
                "whenever the Job is replaced. Until it has a name, peer-names-are-dns-labels " +
                "cannot check the length of its pods' hostnames, and " +
                "subdomain-has-headless-service cannot check a Service selector on its " +
                "job-name labels; set metadata.name",
        );
    });

    it("names the API server's prefix for a Job with generateName", async () => {
        const { job } = handWrittenPeers();
        delete objectAt(job, "metadata").name;
        objectAt(job, "metadata").generateName = "train-";
        assertIncludes(
            single(await check(name, [job]), "advisory", job),
            'has no metadata.name: the API server names it "train-" (its metadata.generateName) ' +
                "plus a random suffix, which changes whenever the Job is replaced",
        );
    });

    it("reports a name the provider generated", async () => {
        const { job } = handWrittenPeers();
        objectAt(job, "metadata").name = "example-job-3b9e0c1d";
        objectAt(job, "metadata").annotations = { "pulumi.com/autonamed": "true" };
        assert.match(
            single(await check(name, [job]), "advisory", job),
            /^Job "example-job-3b9e0c1d" was named by the provider, with a random suffix/,
        );
    });
});

function asContainers(job: FakeResource): Record<string, unknown>[] {
    return podSpec(job).containers as Record<string, unknown>[];
}
