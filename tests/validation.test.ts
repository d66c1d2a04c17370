import * as assert from "assert";

import * as pulumi from "@pulumi/pulumi";

import { PeerJob, PeerJobArgs, PeerJobValidationError } from "../components";
import { resolvePeerJob } from "../components/validation";
import { minimalTemplate, validArgs } from "./fixtures";
import { Registered, rejectionsWhile, useMocks } from "./harness";

type Template = ReturnType<typeof minimalTemplate>;

function templateWith(edit: (t: Template) => void): Template {
    const template = minimalTemplate();
    edit(template);
    return template;
}

interface Case {
    what: string;
    /** Options that decide which resources exist cannot come from Outputs at all. */
    plainOnly?: boolean;
    args: PeerJobArgs;
    field: string;
    value: unknown;
    rule: RegExp;
    name?: string;
}

const cases: Case[] = [
    {
        what: "an option switch given as the string false",
        plainOnly: true,
        args: validArgs({ hostfile: "false" as never }),
        field: "hostfile",
        value: "false",
        rule: /must be true, false or an options object/,
    },
    {
        what: "an option the wait does not know",
        args: validArgs({ waitForPeers: { peer: "all" } as never }),
        field: "waitForPeers.peer",
        value: "all",
        rule: /is not an option of waitForPeers; it takes peers, port/,
    },
    {
        what: "a Service port out of range",
        args: validArgs({ ports: [{ port: 70000 }] }),
        field: "ports[0]",
        value: { port: 70000 },
        rule: /from 1 to 65535/,
    },
    {
        what: "several Service ports without names",
        args: validArgs({ ports: [{ port: 80 }, { name: "b", port: 81 }] }),
        field: "ports[0]",
        value: { port: 80 },
        rule: /needs a name when the Service has several/,
    },
    {
        what: "a mount where the hostfile goes",
        plainOnly: true,
        args: validArgs({
            hostfile: true,
            template: templateWith((t) => {
                t.spec!.containers[0].volumeMounts = [{ name: "own", mountPath: "/etc/peer-job/" }];
                t.spec!.volumes = [{ name: "own", emptyDir: {} }];
            }),
        }),
        field: "template.spec.containers[0].volumeMounts[0].mountPath",
        value: "/etc/peer-job/",
        rule: /where hostfile mounts the hostfile/,
    },
    {
        what: "a container that sets the completion index itself",
        args: validArgs({
            template: templateWith((t) => {
                t.spec!.containers[0].env = [{ name: "JOB_COMPLETION_INDEX", value: "5" }];
            }),
        }),
        field: "template.spec.containers[0].env",
        value: "JOB_COMPLETION_INDEX",
        rule: /or by the Job controller/,
    },
    {
        what: "a switch given as a string",
        args: validArgs({ publishNotReadyAddresses: "no" as unknown as boolean }),
        field: "publishNotReadyAddresses",
        value: "no",
        rule: /must be true or false/,
    },
    {
        what: "a container that is not an object",
        args: validArgs({ template: { spec: { containers: [null as never] } } }),
        field: "template.spec.containers[0]",
        value: null,
        rule: /must be a container with a name/,
    },
    {
        what: "an environment that is not a list",
        args: validArgs({
            template: templateWith((t) => (t.spec!.containers[0].env = "X=1" as never)),
        }),
        field: "template.spec.containers[0].env",
        value: "X=1",
        rule: /must be a list of variables/,
    },
    {
        what: "hostNetwork given as a string",
        args: validArgs({
            template: templateWith((t) => (t.spec!.hostNetwork = "true" as never)),
        }),
        field: "template.spec.hostNetwork",
        value: "true",
        rule: /must be true or false/,
    },
    {
        what: "dnsPolicy None searching another namespace's services",
        args: validArgs({
            namespace: "ml",
            template: templateWith((t) => {
                t.spec!.dnsPolicy = "None";
                t.spec!.dnsConfig = {
                    nameservers: ["10.96.0.10"],
                    searches: ["other.svc.cluster.local"],
                };
            }),
        }),
        field: "template.spec.dnsConfig.searches",
        value: ["other.svc.cluster.local"],
        rule: /must include "ml\.svc\.cluster\.local"/,
    },
    {
        what: "a Job name that is not an RFC 1123 label",
        args: validArgs({ jobName: "Train_Job" }),
        field: "jobName",
        value: "Train_Job",
        rule: /RFC 1123 label/,
    },
    {
        what: "a component name that cannot serve as the Job's name",
        name: "MyJob",
        args: validArgs({ serviceName: "peers" }),
        field: "jobName",
        value: "MyJob",
        rule: /derived from the component name/,
    },
    {
        what: "a longest hostname over 63 characters, saying by how much",
        args: validArgs({ jobName: "j".repeat(60), completions: 1000 }),
        field: "jobName",
        value: "j".repeat(60),
        rule: /"j{60}-999", is 64 characters.*at most 59 characters \(1 shorter\)/,
    },
    {
        what: "a Service name that starts with a digit",
        args: validArgs({ serviceName: "1peers" }),
        field: "serviceName",
        value: "1peers",
        rule: /RFC 1035 label/,
    },
    {
        what: "a Service name over 63 characters",
        args: validArgs({ serviceName: "s".repeat(64) }),
        field: "serviceName",
        value: "s".repeat(64),
        rule: /at most 63 characters/,
    },
    {
        what: "an invalid namespace",
        args: validArgs({ namespace: "Team A" }),
        field: "namespace",
        value: "Team A",
        rule: /RFC 1123 label/,
    },
    {
        what: "a peer FQDN over 253 characters",
        args: validArgs({
            jobName: "j".repeat(60),
            serviceName: "s".repeat(63),
            namespace: "n".repeat(63),
            clusterDomain: `${"d".repeat(60)}.local`,
        }),
        field: "namespace",
        value: "n".repeat(63),
        rule: /over the 253 DNS allows; shorten the names by 8 characters/,
    },
    {
        what: "an invalid cluster domain",
        args: validArgs({ clusterDomain: "cluster_local" }),
        field: "clusterDomain",
        value: "cluster_local",
        rule: /RFC 1123 labels/,
    },
    {
        what: "zero completions",
        args: validArgs({ completions: 0 }),
        field: "completions",
        value: 0,
        rule: /integer from 1 to 100000/,
    },
    {
        what: "too many completions",
        args: validArgs({ completions: 100001 }),
        field: "completions",
        value: 100001,
        rule: /integer from 1 to 100000/,
    },
    {
        what: "fractional completions",
        args: validArgs({ completions: 2.5 }),
        field: "completions",
        value: 2.5,
        rule: /integer/,
    },
    {
        what: "completions given as a string",
        args: validArgs({ completions: "3" as unknown as number }),
        field: "completions",
        value: "3",
        rule: /integer/,
    },
    {
        what: "parallelism below completions without the opt-in",
        args: validArgs({ completions: 4, parallelism: 2 }),
        field: "parallelism",
        value: 2,
        rule: /never all running at once; set allowPartialParallelism: true/,
    },
    {
        what: "parallelism above completions",
        args: validArgs({ completions: 4, parallelism: 5 }),
        field: "parallelism",
        value: 5,
        rule: /at most completions \(4\)/,
    },
    {
        what: "zero parallelism",
        args: validArgs({ parallelism: 0 }),
        field: "parallelism",
        value: 0,
        rule: /set suspend: true/,
    },
    {
        what: "a template that sets its own hostname",
        args: validArgs({ template: templateWith((t) => (t.spec!.hostname = "me")) }),
        field: "template.spec.hostname",
        value: "me",
        rule: /must not be set/,
    },
    {
        what: "a template subdomain other than the Service",
        args: validArgs({
            serviceName: "peers",
            template: templateWith((t) => (t.spec!.subdomain = "others")),
        }),
        field: "template.spec.subdomain",
        value: "others",
        rule: /must equal the Service's name, "peers"/,
    },
    {
        what: "a completion mode other than Indexed",
        args: validArgs({ completionMode: "NonIndexed" }),
        field: "completionMode",
        value: "NonIndexed",
        rule: /must be Indexed/,
    },
    {
        what: "a selector label that names another Job",
        args: validArgs({
            template: templateWith((t) => (t.metadata = { labels: { "peer-job/job-name": "y" } })),
        }),
        field: 'template.metadata.labels["peer-job/job-name"]',
        value: "y",
        rule: /must equal the Job's name, "x"/,
    },
    {
        what: "restartPolicy Always",
        args: validArgs({ template: templateWith((t) => (t.spec!.restartPolicy = "Always")) }),
        field: "template.spec.restartPolicy",
        value: "Always",
        rule: /must be Never or OnFailure/,
    },
    {
        what: "dnsPolicy Default",
        args: validArgs({ template: templateWith((t) => (t.spec!.dnsPolicy = "Default")) }),
        field: "template.spec.dnsPolicy",
        value: "Default",
        rule: /node's resolver/,
    },
    {
        what: "dnsPolicy None without nameservers",
        args: validArgs({
            template: templateWith((t) => {
                t.spec!.dnsPolicy = "None";
                t.spec!.dnsConfig = { searches: ["default.svc.cluster.local"] };
            }),
        }),
        field: "template.spec.dnsConfig.nameservers",
        value: undefined,
        rule: /must list the cluster DNS server/,
    },
    {
        what: "dnsPolicy None without a cluster search domain",
        args: validArgs({
            template: templateWith((t) => {
                t.spec!.dnsPolicy = "None";
                t.spec!.dnsConfig = { nameservers: ["10.96.0.10"], searches: ["corp.example"] };
            }),
        }),
        field: "template.spec.dnsConfig.searches",
        value: ["corp.example"],
        rule: /<namespace>\.svc\.cluster\.local/,
    },
    {
        what: "host networking with dnsPolicy ClusterFirst",
        args: validArgs({
            template: templateWith((t) => {
                t.spec!.hostNetwork = true;
                t.spec!.dnsPolicy = "ClusterFirst";
            }),
        }),
        field: "template.spec.dnsPolicy",
        value: "ClusterFirst",
        rule: /only ClusterFirstWithHostNet/,
    },
    {
        what: "a container that defines a peer variable itself",
        args: validArgs({
            template: templateWith((t) => {
                t.spec!.initContainers = [
                    { name: "i", image: "i", env: [{ name: "PEER_JOB_COORDINATOR", value: "x" }] },
                ];
            }),
        }),
        field: "template.spec.initContainers[0].env",
        value: "PEER_JOB_COORDINATOR",
        rule: /is set for every container by PeerJob/,
    },
    {
        what: "a template without containers",
        args: validArgs({ template: { spec: { containers: [] } } }),
        field: "template.spec.containers",
        value: [],
        rule: /at least one container/,
    },
    {
        what: "a wait annotation set by hand",
        args: validArgs({ annotations: { "pulumi.com/skipAwait": "false" } }),
        field: 'annotations["pulumi.com/skipAwait"]',
        value: "false",
        rule: /use those/,
    },
    {
        what: "a wait timeout without waiting",
        args: validArgs({ awaitTimeoutSeconds: 60 }),
        field: "awaitTimeoutSeconds",
        value: 60,
        rule: /only with awaitCompletion: true/,
    },
    {
        what: "maxFailedIndexes without backoffLimitPerIndex",
        args: validArgs({ maxFailedIndexes: 2 }),
        field: "maxFailedIndexes",
        value: 2,
        rule: /needs backoffLimitPerIndex/,
    },
];

function matches(c: Case) {
    return (err: unknown) => {
        assert.ok(err instanceof PeerJobValidationError, String(err));
        const problem = err.problems.find((p) => p.field === c.field);
        assert.ok(problem, `no problem for ${c.field} in:\n${err.message}`);
        assert.deepStrictEqual(problem.value, c.value);
        assert.match(problem.rule, c.rule);
        // The message a user reads names the field, the value and the rule.
        const shown = c.value === undefined ? "undefined" : JSON.stringify(c.value).slice(0, 40);
        assert.ok(err.message.includes(`${c.field} ${shown}`), err.message);
        assert.match(err.message, c.rule);
        return true;
    };
}

/** The same arguments with every top-level value wrapped in an Output, as if from resources. */
function asOutputs(args: PeerJobArgs): PeerJobArgs {
    return Object.fromEntries(
        Object.entries(args).map(([k, v]) => [k, pulumi.output(v)]),
    ) as unknown as PeerJobArgs;
}

describe("PeerJob validation", () => {
    let registered: Registered[];
    beforeEach(async () => {
        registered = await useMocks();
    });

    for (const c of cases) {
        it(`rejects ${c.what} before registering anything`, async () => {
            assert.throws(() => new PeerJob(c.name ?? "x", c.args), matches(c));
            await new Promise((resolve) => setImmediate(resolve));
            assert.deepStrictEqual(registered, []);
        });
    }

    const withOutputs = cases.filter((c) => !c.plainOnly && (c.field !== "jobName" || !c.name));
    for (const c of withOutputs) {
        it(`rejects ${c.what} once values from other resources arrive, creating no child`, async () => {
            const reasons = await rejectionsWhile(
                () => new PeerJob(c.name ?? "x", asOutputs(c.args)),
            );
            const errors = reasons.filter((r) => r instanceof PeerJobValidationError);
            assert.ok(
                errors.length > 0,
                `no PeerJobValidationError among ${reasons.length} rejections`,
            );
            matches(c)(errors[0]);
            assert.deepStrictEqual(
                registered.filter((r) => r.custom).map((r) => r.type),
                [],
            );
        });
    }

    it("lists every problem at once", () => {
        assert.throws(
            () =>
                resolvePeerJob("x", {
                    ...validArgs({ completions: 0, serviceName: "9" }),
                } as never),
            (err: PeerJobValidationError) => {
                assert.deepStrictEqual(
                    err.problems.map((p) => p.field),
                    ["completions", "serviceName"],
                );
                return true;
            },
        );
    });

    it("accepts partial parallelism when asked, with a warning", () => {
        const resolved = resolvePeerJob("x", {
            completions: 4,
            parallelism: 2,
            allowPartialParallelism: true,
            template: minimalTemplate(),
        });
        assert.strictEqual(resolved.parallelism, 2);
        assert.match(resolved.warnings.join("\n"), /never all running at once/);
    });

    it("sets ClusterFirstWithHostNet for host-network pods that name no DNS policy", () => {
        const resolved = resolvePeerJob("x", {
            completions: 2,
            template: templateWith((t) => (t.spec!.hostNetwork = true)),
        });
        assert.strictEqual(resolved.template.spec?.dnsPolicy, "ClusterFirstWithHostNet");
        assert.match(resolved.warnings.join("\n"), /hostNetwork/);
    });

    it("accepts the namespace's search domain with a trailing dot", () => {
        const resolved = resolvePeerJob("x", {
            completions: 2,
            namespace: "ml",
            template: templateWith((t) => {
                t.spec!.dnsPolicy = "None";
                t.spec!.dnsConfig = {
                    nameservers: ["10.96.0.10"],
                    searches: ["ml.svc.cluster.local."],
                };
            }),
        });
        assert.strictEqual(resolved.template.spec?.dnsPolicy, "None");
    });

    it("checks known inputs at once even when the template holds an Output", async () => {
        const template = minimalTemplate();
        template.spec!.containers[0].image = pulumi.output("built-elsewhere") as never;
        assert.throws(
            () => new PeerJob("x", validArgs({ completions: 0, template })),
            matches({
                what: "",
                args: validArgs(),
                field: "completions",
                value: 0,
                rule: /integer from 1/,
            }),
        );
        await new Promise((resolve) => setImmediate(resolve));
        assert.deepStrictEqual(registered, []);
    });

    it("names the inputs when there are none", () => {
        assert.throws(
            () => new PeerJob("x", undefined as never),
            /args undefined: must be an object of PeerJob inputs/,
        );
    });

    it("accepts dnsPolicy None with cluster nameservers and search domains", () => {
        const resolved = resolvePeerJob("x", {
            completions: 2,
            template: templateWith((t) => {
                t.spec!.dnsPolicy = "None";
                t.spec!.dnsConfig = {
                    nameservers: ["10.96.0.10"],
                    searches: ["default.svc.cluster.local"],
                };
            }),
        });
        assert.strictEqual(resolved.template.spec?.dnsPolicy, "None");
    });

    it("accepts the longest Job name that fits, and 100000 peers", () => {
        const jobName = "j".repeat(57);
        const resolved = resolvePeerJob("x", {
            completions: 100000,
            jobName,
            template: minimalTemplate(),
        });
        assert.strictEqual(resolved.jobName, jobName);
    });

    it("accepts a subdomain and selector label that agree with the component", () => {
        const template = templateWith((t) => {
            t.spec!.subdomain = "x";
            t.metadata = { labels: { "peer-job/job-name": "x" } };
        });
        assert.doesNotThrow(() => resolvePeerJob("x", { completions: 1, template }));
    });
});
