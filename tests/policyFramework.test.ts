import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";

import { Policies } from "@pulumi/policy";
import YAML from "yaml";

import { SELECTOR_LABEL } from "../components";
import { PEER_JOB_SELECTOR_LABEL } from "../policy/objects";
import { policies } from "../policy/policies";
import { captureProgram } from "../render/capture";
import {
    FakeResource,
    Finding,
    fromCapture,
    handWrittenPeers,
    objectAt,
    remediate,
    runPolicies,
    unknown,
    urnOf,
} from "./policyHarness";

const ROOT = path.join(__dirname, "..");
const POLICY_DIR = path.join(ROOT, "policy");

/*
 * The analyzer handlers of `@pulumi/policy` itself, which the gRPC server calls for the Pulumi
 * CLI. They are internal to the package; these tests use them to show that the helper's
 * fabricated arguments and its runner behave as the real ones do.
 */
type Callback = (error: unknown, response: ProtoResponse) => void;
type Handler = (call: { request: unknown }, callback: Callback) => void;
interface ProtoResponse {
    getDiagnosticsList(): {
        getPolicyname(): string;
        getEnforcementlevel(): number;
        getMessage(): string;
        getUrn(): string;
    }[];
    getRemediationsList(): { getPolicyname(): string; getProperties(): Struct | undefined }[];
}
interface Struct {
    toJavaScript(): Record<string, unknown>;
}
const server = require("@pulumi/policy/server") as Record<
    "makeAnalyzeRpcFun" | "makeAnalyzeStackRpcFun" | "makeRemediateRpcFun",
    (pack: string, version: string, level: string, policies: Policies) => Handler
>;
const { convertEnforcementLevel } = require("@pulumi/policy/protoutil") as {
    convertEnforcementLevel(level: number): string;
};
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const proto = require("@pulumi/pulumi/proto/analyzer_pb") as any;
const { Struct: StructClass } = require("google-protobuf/google/protobuf/struct_pb") as {
    Struct: { fromJavaScript(value: object): Struct };
};

const PACK = "peer-job";
const VERSION = "0.1.0";

function call(handler: Handler, request: unknown): Promise<ProtoResponse> {
    return new Promise((resolve, reject) =>
        handler({ request }, (error, response) => (error ? reject(error) : resolve(response))),
    );
}

/** A resource message as the engine sends it, with its properties as a protobuf Struct. */
function toProto(resource: FakeResource, message: "AnalyzeRequest" | "AnalyzerResource") {
    const request = new proto[message]();
    request.setType(resource.type);
    request.setName(resource.name);
    request.setUrn(urnOf(resource));
    request.setProperties(StructClass.fromJavaScript(resource.props));
    request.setOptions(new proto.AnalyzerResourceOptions());
    if (resource.provider !== undefined) {
        const provider = new proto.AnalyzerProviderResource();
        provider.setType("pulumi:providers:kubernetes");
        provider.setName("default");
        provider.setUrn("urn:pulumi:dev::peer-job::pulumi:providers:kubernetes::default");
        provider.setProperties(StructClass.fromJavaScript(resource.provider));
        request.setProvider(provider);
    }
    return request;
}

/** What the framework's own handlers report for a stack, resource by resource then as a whole. */
async function viaFramework(resources: FakeResource[]): Promise<Finding[]> {
    const analyze = server.makeAnalyzeRpcFun(PACK, VERSION, "advisory", policies);
    const analyzeStack = server.makeAnalyzeStackRpcFun(PACK, VERSION, "advisory", policies);
    const findings: Finding[] = [];
    const collect = (response: ProtoResponse, subject: string | undefined) => {
        for (const d of response.getDiagnosticsList()) {
            findings.push({
                policy: d.getPolicyname(),
                level: convertEnforcementLevel(d.getEnforcementlevel()) as Finding["level"],
                message: d.getMessage(),
                urn: d.getUrn() || subject,
            });
        }
    };
    for (const resource of resources) {
        collect(await call(analyze, toProto(resource, "AnalyzeRequest")), urnOf(resource));
    }
    const request = new proto.AnalyzeStackRequest();
    request.setResourcesList(resources.map((r) => toProto(r, "AnalyzerResource")));
    collect(await call(analyzeStack, request), undefined);
    return findings;
}

/** A finding of the helper's runner, worded as the framework words it for the CLI. */
function asFrameworkWords(finding: Finding): Finding {
    const policy = policies.find((p) => p.name === finding.policy);
    assert.ok(policy);
    const message = finding.couldNotRun
        ? `can't run policy '${policy.name}' from policy pack '${PACK}@v${VERSION}' during ` +
          `preview: ${finding.message}`
        : `${policy.description}\n${finding.message}`;
    return { policy: finding.policy, level: finding.level, message, urn: finding.urn };
}

function sorted(findings: Finding[]): Finding[] {
    const key = (f: Finding) => `${f.policy}|${f.urn}|${f.message}`;
    return [...findings].sort((a, b) => key(a).localeCompare(key(b)));
}

describe("policy harness against @pulumi/policy's own analyzer", () => {
    let example: FakeResource[];
    before(async () => {
        example = fromCapture(await captureProgram(ROOT, "dev"));
    });

    function stacks(): { name: string; resources: FakeResource[] }[] {
        const broken = structuredClone(example);
        const [service, job] = broken;
        objectAt(service, "metadata").namespace = "other";
        delete objectAt(service, "spec").publishNotReadyAddresses;
        objectAt(job, "spec").parallelism = 1;
        objectAt(job, "spec", "template", "spec").dnsPolicy = "Default";

        const preview = handWrittenPeers();
        objectAt(preview.service, "metadata").name = unknown();
        objectAt(preview.job, "spec").completions = unknown("number");
        objectAt(preview.job, "spec", "template", "spec").subdomain = "1peers";

        const viaProvider = handWrittenPeers();
        objectAt(viaProvider.service, "metadata").namespace = "ml";
        viaProvider.job.provider = { namespace: "ml" };

        return [
            { name: "the example program", resources: example },
            { name: "the example program with four mistakes", resources: broken },
            {
                name: "objects with values unknown in a preview",
                resources: [preview.service, preview.job],
            },
            {
                name: "a Job placed by its provider's namespace",
                resources: [viaProvider.service, viaProvider.job],
            },
        ];
    }

    it("finds what the framework finds, worded as it words it", async () => {
        for (const { name, resources } of stacks()) {
            const expected = sorted((await runPolicies(policies, resources)).map(asFrameworkWords));
            const actual = sorted(await viaFramework(resources));
            assert.deepStrictEqual(actual, expected, name);
        }
    });

    it("finds something in every broken stack, so the comparison means something", async () => {
        const counts = [];
        for (const { resources } of stacks()) {
            counts.push((await viaFramework(resources)).length);
        }
        // The four mistakes: a namespace on the Service only (advisory), no
        // publishNotReadyAddresses (advisory), parallelism 1 (advisory), dnsPolicy Default
        // (mandatory). In the preview: the bad subdomain (mandatory), and five notes that a
        // policy could not run: the three stack policies (a Service of unknown name) and the
        // two that need the unknown completions of the Indexed Job (the hostnames' length and
        // parallelism; peer-job-indexed passes an Indexed Job whatever its completions).
        assert.deepStrictEqual(counts, [0, 4, 6, 0]);
    });

    it("remediates as the framework does", async () => {
        const { service, job } = handWrittenPeers();
        delete objectAt(service, "spec").publishNotReadyAddresses;
        delete objectAt(job, "spec").completionMode;
        objectAt(job, "spec", "template", "spec").hostNetwork = true;

        const remediating = policies.filter((p) => "remediateResource" in p);
        const config = Object.fromEntries(remediating.map((p) => [p.name, "remediate" as const]));
        const handler = server.makeRemediateRpcFun(
            PACK,
            VERSION,
            "advisory",
            remediating.map((p) => ({ ...p, enforcementLevel: "remediate" })),
        );
        for (const resource of [service, job]) {
            const response = await call(handler, toProto(resource, "AnalyzeRequest"));
            const steps = response.getRemediationsList();
            const mine = await remediate(policies, resource, config);
            assert.deepStrictEqual(
                steps.map((s) => s.getPolicyname()),
                mine.changedBy,
            );
            assert.ok(steps.length > 0);
            assert.deepStrictEqual(
                steps[steps.length - 1].getProperties()?.toJavaScript(),
                mine.props,
            );
        }
    });
});

describe("policy pack layout", () => {
    it("is a Node.js policy pack whose package has the version the pack reports", () => {
        const project = YAML.parse(
            fs.readFileSync(path.join(POLICY_DIR, "PulumiPolicy.yaml"), "utf8"),
        );
        assert.strictEqual(project.runtime, "nodejs");
        assert.strictEqual(project.name, "peer-job");
        const pkg = JSON.parse(fs.readFileSync(path.join(POLICY_DIR, "package.json"), "utf8"));
        assert.match(pkg.version, /^\d+\.\d+\.\d+$/);
        assert.ok(fs.existsSync(path.join(POLICY_DIR, "index.ts")));
    });

    it("names each policy once, never 'all', each with a description and a level", () => {
        const names = policies.map((p) => p.name);
        assert.strictEqual(new Set(names).size, names.length);
        assert.ok(!names.includes("all"));
        for (const p of policies) {
            assert.ok(p.description.length > 40, p.name);
            assert.ok(
                ["advisory", "mandatory", "disabled"].includes(p.enforcementLevel ?? ""),
                p.name,
            );
        }
    });

    it("makes mandatory exactly the checks without which peer names cannot resolve", () => {
        assert.deepStrictEqual(
            policies.filter((p) => p.enforcementLevel === "mandatory").map((p) => p.name),
            [
                "subdomain-has-headless-service",
                "peer-job-indexed",
                "peer-names-are-dns-labels",
                "peer-dns-resolves",
            ],
        );
    });

    it("ships a config file that turns every remediation on, and nothing else", () => {
        const config = JSON.parse(fs.readFileSync(path.join(POLICY_DIR, "remediate.json"), "utf8"));
        const remediating = policies.filter((p) => "remediateResource" in p).map((p) => p.name);
        assert.deepStrictEqual(Object.keys(config).sort(), [...remediating].sort());
        assert.ok(Object.values(config).every((level) => level === "remediate"));
    });

    it("selects PeerJob's pods by the label the component sets", () => {
        assert.strictEqual(PEER_JOB_SELECTOR_LABEL, SELECTOR_LABEL);
    });

    it("lists every policy in the README with its enforcement level", () => {
        const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
        for (const p of policies) {
            const row = readme.split("\n").find((line) => line.startsWith(`| \`${p.name}\``));
            assert.ok(row, `README has no row for ${p.name}`);
            assert.match(row, new RegExp(`\\| ${p.enforcementLevel}\\b`), p.name);
        }
    });
});
