/**
 * Starts the pack the way the Pulumi CLI does, with `@pulumi/pulumi/cmd/run-policy-pack` in
 * `policy/` (which compiles and type-checks the TypeScript), and talks to the gRPC server it opens
 * on the loopback interface, as the CLI would.
 */
import * as assert from "assert";
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";

import { policies } from "../policy/policies";

const POLICY_DIR = path.join(__dirname, "..", "policy");

/** Compiling the pack with type checks takes several seconds. */
const START_TIMEOUT_MS = 60_000;

/* eslint-disable @typescript-eslint/no-explicit-any -- generated gRPC and protobuf classes */
const grpc = require("@grpc/grpc-js") as any;
const rpc = require("@pulumi/pulumi/proto/analyzer_grpc_pb") as any;
const proto = require("@pulumi/pulumi/proto/analyzer_pb") as any;
const { Struct } = require("google-protobuf/google/protobuf/struct_pb") as any;
const { Empty } = require("google-protobuf/google/protobuf/empty_pb") as any;
const { convertEnforcementLevel } = require("@pulumi/policy/protoutil") as any;
/* eslint-enable @typescript-eslint/no-explicit-any */

/** A started pack: its process, and the port it serves on once it has printed it. */
interface StartedPack {
    child: ChildProcess;
    port: Promise<number>;
}

/** Starts the pack; its port is the first line it prints, as the CLI reads it. */
function startPack(): StartedPack {
    const runner = require.resolve("@pulumi/pulumi/cmd/run-policy-pack");
    // The first argument is the engine's address, which the runner drops before loading the pack.
    const child = spawn(process.execPath, [runner, "no-engine", "."], {
        cwd: POLICY_DIR,
        stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stderr?.on("data", (chunk) => (stderr += chunk));
    const port = new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => {
            child.kill();
            reject(new Error(`the pack printed no port within ${START_TIMEOUT_MS} ms:\n${stderr}`));
        }, START_TIMEOUT_MS);
        child.stdout?.on("data", (chunk) => {
            stdout += chunk;
            const line = /^(\d+)\n/.exec(stdout);
            if (line !== null) {
                clearTimeout(timer);
                resolve(Number(line[1]));
            }
        });
        child.on("exit", (code) => {
            clearTimeout(timer);
            reject(new Error(`the pack exited (${code}) before serving:\n${stdout}${stderr}`));
        });
    });
    // Awaited by the tests; a failure to start is theirs to report.
    port.catch(() => undefined);
    return { child, port };
}

let pack: StartedPack | undefined;

// Root hooks: the pack starts before the first test of the run and compiles while the other
// tests run, and it is stopped after the last.
before(() => {
    pack = startPack();
});

after(() => {
    pack?.child.kill();
});

/** The parts of the generated protobuf messages these tests read. */
interface AnalyzerInfoMessage {
    getName(): string;
    getVersion(): string;
    getPoliciesList(): { getName(): string; getEnforcementlevel(): number }[];
}
interface AnalyzeResponseMessage {
    getDiagnosticsList(): {
        getPolicyname(): string;
        getEnforcementlevel(): number;
        getMessage(): string;
    }[];
}

function unary<T>(client: unknown, method: string, request: unknown): Promise<T> {
    return new Promise((resolve, reject) =>
        (client as Record<string, (r: unknown, cb: (e: unknown, v: T) => void) => void>)[method](
            request,
            (error, value) => (error ? reject(error) : resolve(value)),
        ),
    );
}

describe("policy pack started as the Pulumi CLI starts it", function () {
    this.timeout(START_TIMEOUT_MS + 10_000);

    let client: { close(): void } | undefined;

    before(async () => {
        assert.ok(pack, "the root hook starts the pack");
        const port = await pack.port;
        client = new rpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    });

    after(() => client?.close());

    it("describes every policy with its level, under the package's name and version", async () => {
        const info = await unary<AnalyzerInfoMessage>(client, "getAnalyzerInfo", new Empty());
        const pkg = JSON.parse(fs.readFileSync(path.join(POLICY_DIR, "package.json"), "utf8"));
        assert.strictEqual(info.getName(), "peer-job");
        assert.strictEqual(info.getVersion(), pkg.version);
        assert.deepStrictEqual(
            info
                .getPoliciesList()
                .map((p) => [p.getName(), convertEnforcementLevel(p.getEnforcementlevel())]),
            policies.map((p) => [p.name, p.enforcementLevel]),
        );
    });

    it("reports a Job that is not Indexed, as a mandatory violation", async () => {
        const request = new proto.AnalyzeRequest();
        request.setType("kubernetes:batch/v1:Job");
        request.setName("ranks");
        request.setUrn("urn:pulumi:dev::other::kubernetes:batch/v1:Job::ranks");
        request.setOptions(new proto.AnalyzerResourceOptions());
        request.setProperties(
            Struct.fromJavaScript({
                metadata: { name: "ranks" },
                spec: {
                    completions: 4,
                    parallelism: 4,
                    template: { spec: { subdomain: "ranks", containers: [] } },
                },
            }),
        );
        const response = await unary<AnalyzeResponseMessage>(client, "analyze", request);
        const diagnostics = response.getDiagnosticsList().map((d) => ({
            policy: d.getPolicyname(),
            level: convertEnforcementLevel(d.getEnforcementlevel()),
            message: d.getMessage(),
        }));
        assert.deepStrictEqual(
            diagnostics.map((d) => [d.policy, d.level]),
            [["peer-job-indexed", "mandatory"]],
        );
        assert.match(diagnostics[0].message, /\nJob "ranks" runs 4 pods \(spec.completions 4\)/);
    });
});
