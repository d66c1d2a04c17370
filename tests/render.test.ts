import * as assert from "assert";
import { spawnSync } from "child_process";
import * as path from "path";

import YAML from "yaml";

import * as fs from "fs";
import * as os from "os";

import {
    captureProgram,
    kubernetesObjects,
    readProject,
    readStackConfig,
    toYaml,
} from "../render/capture";
import { peerTable } from "../render/peerTable";
import { validateObject } from "./schema";

const ROOT = path.join(__dirname, "..");

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Runs the render command as `npm start` does. */
function spawnCli(args: string[]) {
    return spawnSync(
        process.execPath,
        [require.resolve("ts-node/dist/bin"), "--transpile-only", "render/cli.ts", ...args],
        { cwd: ROOT, encoding: "utf8" },
    );
}

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
        const { stdout, status } = spawnCli([]);
        assert.strictEqual(status, 0);
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

    it("fails, printing nothing, when a check fails on values that arrive late", async () => {
        await assert.rejects(
            captureProgram(path.join(ROOT, "tests", "programs", "late-failure")),
            /PeerJob "late" has invalid inputs:\n\s+- template\.spec\.hostname "fixed"/,
        );
        const cli = spawnCli(["tests/programs/late-failure"]);
        assert.strictEqual(cli.status, 1);
        assert.strictEqual(cli.stdout, "");
        assert.match(cli.stderr, /render: .*PeerJob "late" has invalid inputs/);
    });

    it("writes each Job's own cluster domain into the peer table", () => {
        const job = {
            kind: "Job",
            metadata: { name: "b", namespace: "ml" },
            spec: {
                completionMode: "Indexed",
                completions: 1,
                template: {
                    spec: {
                        subdomain: "b",
                        containers: [
                            {
                                env: [
                                    {
                                        name: "PEER_JOB_DNS_SUFFIX",
                                        value: "b.$(PEER_JOB_NAMESPACE).svc.corp.internal",
                                    },
                                ],
                            },
                        ],
                    },
                },
            },
        };
        assert.match(peerTable([job]), /b-0\.b\.ml\.svc\.corp\.internal/);
    });

    describe("project and stack files", () => {
        let dir: string;
        beforeEach(() => {
            dir = fs.mkdtempSync(path.join(os.tmpdir(), "render-"));
        });
        afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

        const project = () => ({ name: "p", dir, main: "" });

        it("refuses a stack name that would leave the directory", () => {
            assert.throws(
                () => readStackConfig(project(), "../../etc/x"),
                /stack "\.\.\/\.\.\/etc\/x"/,
            );
        });

        it("refuses a program that is not Node.js", () => {
            fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: p\nruntime: python\n");
            assert.throws(() => readProject(dir), /runtime is "python"; only nodejs/);
        });

        it("names the file when a stack file is not valid YAML or has no config map", () => {
            fs.writeFileSync(path.join(dir, "Pulumi.bad.yaml"), "config: [unclosed\n");
            assert.throws(() => readStackConfig(project(), "bad"), /Pulumi\.bad\.yaml: /);
            fs.writeFileSync(path.join(dir, "Pulumi.five.yaml"), "config: 5\n");
            assert.throws(() => readStackConfig(project(), "five"), /config must be a map/);
        });

        it("prefixes keys with the project and turns values into strings", () => {
            fs.writeFileSync(
                path.join(dir, "Pulumi.s.yaml"),
                "config:\n  size: 4\n  other:key: true\n  obj: { a: 1 }\n",
            );
            assert.deepStrictEqual(readStackConfig(project(), "s"), {
                "p:size": "4",
                "other:key": "true",
                "p:obj": '{"a":1}',
            });
        });

        it("refuses encrypted values, which cannot be read offline", () => {
            fs.writeFileSync(
                path.join(dir, "Pulumi.s.yaml"),
                "config:\n  token:\n    secure: AAA\n",
            );
            assert.throws(() => readStackConfig(project(), "s"), /encrypted secret/);
        });
    });

    it("rejects a directory that is not a Pulumi program", async () => {
        await assert.rejects(captureProgram(path.join(ROOT, "tests")), /has no Pulumi\.yaml/);
    });
});
