import * as assert from "assert";
import { execFileSync } from "child_process";
import * as path from "path";

import YAML from "yaml";

import { captureProgram, kubernetesObjects, readStackConfig, toYaml } from "../render/capture";
import { peerTable } from "../render/peerTable";
import { validateObject } from "./schema";

const ROOT = path.join(__dirname, "..");

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe("render of the documentation example", () => {
    let objects: Obj[];
    before(async () => {
        objects = kubernetesObjects(await captureProgram(ROOT, "dev"));
    });

    it("renders exactly a Service and a Job with apiVersion, kind, metadata and spec", () => {
        assert.deepStrictEqual(
            objects.map((o) => `${o.apiVersion}/${o.kind}`),
            ["v1/Service", "batch/v1/Job"],
        );
        for (const o of objects) {
            assert.deepStrictEqual(Object.keys(o), ["apiVersion", "kind", "metadata", "spec"]);
        }
    });

    it("passes the Kubernetes OpenAPI schema", async () => {
        for (const o of objects) {
            await validateObject(o);
        }
    });

    it("fails the schema check on a broken object, so the check can fail", async () => {
        const broken = structuredClone(objects[1]);
        broken.spec.completions = "three";
        await assert.rejects(validateObject(broken), /completions/);
    });

    it("carries the example's names, counts, selection and subdomain", () => {
        const [service, job] = objects;
        assert.strictEqual(service.metadata.name, "headless-svc");
        assert.strictEqual(service.spec.clusterIP, "None");
        assert.strictEqual(job.metadata.name, "example-job");
        assert.strictEqual(job.spec.completions, 3);
        assert.strictEqual(job.spec.parallelism, 3);
        assert.strictEqual(job.spec.completionMode, "Indexed");
        assert.strictEqual(job.spec.template.spec.subdomain, "headless-svc");
        for (const [key, value] of Object.entries(service.spec.selector)) {
            assert.strictEqual(job.spec.template.metadata.labels[key], value);
        }
        assert.strictEqual(service.metadata.namespace, job.metadata.namespace);
    });

    it("runs a workload that meets the restricted Pod Security Standard", () => {
        const pod = objects[1].spec.template.spec;
        assert.strictEqual(pod.securityContext.runAsNonRoot, true);
        assert.strictEqual(pod.securityContext.seccompProfile.type, "RuntimeDefault");
        for (const c of pod.containers) {
            assert.strictEqual(c.securityContext.allowPrivilegeEscalation, false);
            assert.deepStrictEqual(c.securityContext.capabilities.drop, ["ALL"]);
            assert.strictEqual(c.securityContext.capabilities.add, undefined);
            assert.doesNotMatch(c.command.join(" "), /\bping\b/);
        }
    });

    it("lists the peer names in a table", () => {
        const table = peerTable(objects);
        for (const i of [0, 1, 2]) {
            assert.match(table, new RegExp(`example-job-${i}\\.headless-svc\\s`));
            assert.match(
                table,
                new RegExp(`example-job-${i}\\.headless-svc\\.default\\.svc\\.cluster\\.local`),
            );
        }
    });

    it("takes completions from the stack file", async () => {
        assert.deepStrictEqual(readStackConfig({ name: "peer-job", dir: ROOT, main: "" }, "dev"), {
            "peer-job:completions": "3",
        });
    });

    it("prints the same objects from npm start, with the table on standard error", () => {
        const stdout = execFileSync(
            process.execPath,
            [require.resolve("ts-node/dist/bin"), "--transpile-only", "render/cli.ts"],
            { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
        );
        const docs = YAML.parseAllDocuments(stdout).map((d) => d.toJS());
        assert.deepStrictEqual(
            docs,
            YAML.parseAllDocuments(toYaml(objects)).map((d) => d.toJS()),
        );
        assert.doesNotMatch(stdout, /JOB\s+INDEX/);
    });
});

describe("render of other programs", () => {
    it("elides the middle of long peer lists", () => {
        const job = {
            kind: "Job",
            metadata: { name: "big", namespace: "ml" },
            spec: {
                completionMode: "Indexed",
                completions: 1000,
                template: { spec: { subdomain: "p" } },
            },
        };
        const table = peerTable([job]);
        assert.match(table, /big-0\.p\.ml\.svc\.cluster\.local/);
        assert.match(table, /big-999\.p\s/);
        assert.match(table, /\.\.\./);
        assert.doesNotMatch(table, /big-500/);
    });

    it("rejects a directory that is not a Pulumi program", async () => {
        await assert.rejects(captureProgram(path.join(ROOT, "tests")), /has no Pulumi\.yaml/);
    });
});
