import * as assert from "assert";
import { spawn } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";

import * as pulumi from "@pulumi/pulumi";

import {
    DEFAULT_WAIT_IMAGE,
    MAX_WAIT_FOR_ALL_PEERS,
    PEER_ENV,
    PeerJob,
    PeerJobValidationError,
} from "../components";
import { minimalTemplate, validArgs } from "./fixtures";
import { JOB, ofType, promiseOf, useMocks } from "./harness";

const SCRIPT = path.join(__dirname, "..", "components", "wait-for-peers.sh");

async function renderedPod(args: Parameters<typeof validArgs>[0]) {
    const registered = await useMocks();
    const peerJob = new PeerJob("x", validArgs(args));
    await promiseOf(peerJob.job.urn);
    return ofType(registered, JOB)[0].inputs.spec.template.spec;
}

function envOf(container: { env: { name: string; value?: string }[] }) {
    return Object.fromEntries(container.env.map((e) => [e.name, e.value]));
}

function rejection(field: string, rule: RegExp) {
    return (err: unknown) => {
        assert.ok(err instanceof PeerJobValidationError, String(err));
        const problem = err.problems.find((p) => p.field === field);
        assert.ok(problem, err.message);
        assert.match(problem.rule, rule);
        return true;
    };
}

describe("waitForPeers", () => {
    describe("the init container", () => {
        it("comes first, waits for the coordinator by default, and meets `restricted`", async () => {
            const template = minimalTemplate();
            template.spec!.initContainers = [{ name: "setup", image: "busybox" }];
            const pod = await renderedPod({ template, waitForPeers: true });
            const [wait, setup] = pod.initContainers;
            assert.strictEqual(setup.name, "setup");
            assert.strictEqual(wait.name, "wait-for-peers");
            assert.strictEqual(wait.image, DEFAULT_WAIT_IMAGE);
            assert.match(wait.image, /:\d+\.\d+-slim$/, "the default image is pinned");
            assert.deepStrictEqual(wait.command.slice(0, 2), ["bash", "-c"]);
            assert.strictEqual(wait.command[2], fs.readFileSync(SCRIPT, "utf8"));

            const env = envOf(wait);
            assert.strictEqual(env.PEER_WAIT_MODE, "coordinator");
            assert.strictEqual(env.PEER_WAIT_TIMEOUT_SECONDS, "300");
            assert.strictEqual(env.PEER_WAIT_PORT, undefined);
            assert.ok(PEER_ENV.coordinator in env, "the peer variables reach it too");

            const sc = wait.securityContext;
            assert.strictEqual(sc.runAsNonRoot, true);
            assert.ok(sc.runAsUser > 0);
            assert.strictEqual(sc.allowPrivilegeEscalation, false);
            assert.strictEqual(sc.readOnlyRootFilesystem, true);
            assert.deepStrictEqual(sc.capabilities, { drop: ["ALL"] });
            assert.deepStrictEqual(sc.seccompProfile, { type: "RuntimeDefault" });
            assert.deepStrictEqual(wait.resources, {
                requests: { cpu: "10m", memory: "16Mi" },
                limits: { cpu: "100m", memory: "32Mi" },
            });
        });

        it("takes the mode, port, timeout, image and resources given", async () => {
            const pod = await renderedPod({
                completions: 4,
                waitForPeers: {
                    peers: "coordinator",
                    port: 29500,
                    timeoutSeconds: 900,
                    image: "registry.example/tools:2",
                    resources: { limits: { memory: "64Mi" } },
                },
            });
            const wait = pod.initContainers[0];
            const env = envOf(wait);
            assert.strictEqual(env.PEER_WAIT_PORT, "29500");
            assert.strictEqual(env.PEER_WAIT_TIMEOUT_SECONDS, "900");
            assert.strictEqual(wait.image, "registry.example/tools:2");
            assert.deepStrictEqual(wait.resources, { limits: { memory: "64Mi" } });
        });

        it("allows waiting for all peers up to the limit, and refuses it above", async () => {
            const pod = await renderedPod({
                completions: MAX_WAIT_FOR_ALL_PEERS,
                waitForPeers: { peers: "all" },
            });
            assert.strictEqual(envOf(pod.initContainers[0]).PEER_WAIT_MODE, "all");
            assert.throws(
                () =>
                    new PeerJob(
                        "x",
                        validArgs({
                            completions: MAX_WAIT_FOR_ALL_PEERS + 1,
                            waitForPeers: { peers: "all" },
                        }),
                    ),
                rejection("waitForPeers.peers", /completions² DNS lookups \(257² here\)/),
            );
        });

        it("refuses combinations that deadlock", () => {
            assert.throws(
                () => new PeerJob("x", validArgs({ waitForPeers: { peers: "all", port: 80 } })),
                rejection("waitForPeers.port", /only with peers: "coordinator"/),
            );
            assert.throws(
                () =>
                    new PeerJob(
                        "x",
                        validArgs({ waitForPeers: true, publishNotReadyAddresses: false }),
                    ),
                rejection("publishNotReadyAddresses", /not\s+Ready/),
            );
            assert.throws(
                () =>
                    new PeerJob(
                        "x",
                        validArgs({
                            completions: 4,
                            parallelism: 2,
                            allowPartialParallelism: true,
                            waitForPeers: { peers: "all" },
                        }),
                    ),
                rejection("waitForPeers.peers", /waiting for all never ends/),
            );
        });

        it("refuses bad values and a clashing container name", () => {
            const template = minimalTemplate();
            template.spec!.initContainers = [{ name: "wait-for-peers", image: "mine" }];
            assert.throws(
                () => new PeerJob("x", validArgs({ template, waitForPeers: true })),
                rejection("template.spec.initContainers[0].name", /rename it/),
            );
            assert.throws(
                () => new PeerJob("x", validArgs({ waitForPeers: { port: 70000 } })),
                rejection("waitForPeers.port", /1 to 65535/),
            );
            assert.throws(
                () => new PeerJob("x", validArgs({ waitForPeers: { timeoutSeconds: 0 } })),
                rejection("waitForPeers.timeoutSeconds", /integer from 1/),
            );
        });

        it("works with options that come from other resources", async () => {
            const pod = await renderedPod({ waitForPeers: pulumi.output({ port: 1234 }) });
            assert.strictEqual(pod.initContainers[0].name, "wait-for-peers");
        });
    });

    describe("the script", function () {
        this.timeout(30000);
        let dir: string;
        beforeEach(() => {
            dir = fs.mkdtempSync(path.join(os.tmpdir(), "wait-for-peers-"));
            // A stand-in for `getent hosts NAME` answering from a table of
            // `name address [misses]` lines, where `misses` failed lookups come first.
            fs.writeFileSync(
                path.join(dir, "getent"),
                [
                    "#!/bin/sh",
                    'count_file="$FAKE_DNS_DIR/count-$2"',
                    'count=$(($(cat "$count_file" 2>/dev/null || echo 0) + 1))',
                    'echo "$count" > "$count_file"',
                    'line=$(grep "^$2 " "$FAKE_DNS_DIR/table") || exit 2',
                    "set -- $line",
                    'if [ -n "${3:-}" ] && [ "$count" -le "$3" ]; then exit 2; fi',
                    '[ -n "${FAKE_DNS_DELAY:-}" ] && sleep "$FAKE_DNS_DELAY"',
                    'printf "%s\\t%s\\n" "$2" "$1"',
                ].join("\n"),
                { mode: 0o755 },
            );
        });
        afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

        function run(table: string, env: Record<string, string>) {
            fs.writeFileSync(path.join(dir, "table"), table);
            return new Promise<{ status: number | null; stderr: string; seconds: number }>(
                (resolve) => {
                    const started = Date.now();
                    const child = spawn("bash", [SCRIPT], {
                        env: {
                            PATH: `${dir}:${process.env.PATH}`,
                            FAKE_DNS_DIR: dir,
                            PEER_JOB_NAME: "ranks",
                            PEER_JOB_DNS_SUFFIX: "peers.ml.svc.cluster.local",
                            PEER_JOB_COORDINATOR: "ranks-0.peers.ml.svc.cluster.local",
                            PEER_JOB_PEER_COUNT: "3",
                            JOB_COMPLETION_INDEX: "2",
                            PEER_WAIT_MAX_DELAY_SECONDS: "1",
                            ...env,
                        },
                    });
                    let stderr = "";
                    child.stderr.on("data", (chunk) => (stderr += chunk));
                    child.on("close", (status) =>
                        resolve({ status, stderr, seconds: (Date.now() - started) / 1000 }),
                    );
                },
            );
        }

        const coordinator = "ranks-0.peers.ml.svc.cluster.local";

        it("lets the workload start once the coordinator resolves", async () => {
            const result = await run(`${coordinator} 10.1.0.1\n`, {});
            assert.strictEqual(result.status, 0, result.stderr);
            assert.match(
                result.stderr,
                /peer ranks-0\.peers\.ml\.svc\.cluster\.local is reachable/,
            );
        });

        it("retries a coordinator whose record appears late", async () => {
            const result = await run(`${coordinator} 10.1.0.1 2\n`, {});
            assert.strictEqual(result.status, 0, result.stderr);
            assert.match(result.stderr, /does not resolve \(attempt 2\); retrying/);
            assert.match(result.stderr, /is reachable/);
        });

        it("fails naming the peer when it never appears within the bound", async () => {
            const result = await run("", { PEER_WAIT_TIMEOUT_SECONDS: "2" });
            assert.strictEqual(result.status, 1);
            assert.match(
                result.stderr,
                /giving up after 2s: peer ranks-0\.peers\.ml\.svc\.cluster\.local does not resolve/,
            );
            assert.ok(result.seconds < 6, `took ${result.seconds}s`);
        });

        it("cuts off a lookup that hangs at the bound on the whole wait", async () => {
            const result = await run(`${coordinator} 10.1.0.1\n`, {
                FAKE_DNS_DELAY: "20",
                PEER_WAIT_TIMEOUT_SECONDS: "2",
            });
            assert.strictEqual(result.status, 1);
            assert.match(result.stderr, /giving up after 2s: peer ranks-0\S+ does not resolve/);
            assert.ok(result.seconds < 5, `took ${result.seconds}s`);
        });

        for (const [name, value] of [
            ["PEER_WAIT_TIMEOUT_SECONDS", "10s"],
            ["PEER_WAIT_TIMEOUT_SECONDS", "0"],
            ["PEER_WAIT_PORT", "http"],
            ["PEER_JOB_PEER_COUNT", "i=5"],
        ]) {
            it(`exits 2 naming ${name} when it is "${value}"`, async () => {
                const result = await run("", { PEER_WAIT_MODE: "all", [name]: value });
                assert.strictEqual(result.status, 2);
                assert.match(
                    result.stderr,
                    new RegExp(`${name} must be an integer of at least 1, not "${value}"`),
                );
            });
        }

        it("does not wait on the coordinator itself", async () => {
            const result = await run("", { JOB_COMPLETION_INDEX: "0" });
            assert.strictEqual(result.status, 0);
            assert.match(result.stderr, /this pod is the coordinator; not waiting/);
        });

        it("waits for every peer by name in mode all", async () => {
            const result = await run(
                "ranks-0.peers.ml.svc.cluster.local 10.1.0.1\n" +
                    "ranks-1.peers.ml.svc.cluster.local 10.1.0.2 1\n" +
                    "ranks-2.peers.ml.svc.cluster.local 10.1.0.3\n",
                { PEER_WAIT_MODE: "all" },
            );
            assert.strictEqual(result.status, 0, result.stderr);
            for (const i of [0, 1, 2]) {
                assert.match(result.stderr, new RegExp(`peer ranks-${i}\\.peers.* is reachable`));
            }
        });

        it("waits for a TCP port to accept connections when given one", async () => {
            const server = net.createServer((socket) => socket.end());
            await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
            const port = (server.address() as net.AddressInfo).port;
            try {
                const result = await run(`${coordinator} 127.0.0.1\n`, {
                    PEER_WAIT_PORT: String(port),
                });
                assert.strictEqual(result.status, 0, result.stderr);
            } finally {
                server.close();
            }
        });

        it("fails naming the port when the coordinator never listens", async () => {
            // Find a loopback port that nothing listens on: bind one, then free it.
            const probe = net.createServer();
            await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
            const port = (probe.address() as net.AddressInfo).port;
            await new Promise((resolve) => probe.close(resolve));

            const result = await run(`${coordinator} 127.0.0.1\n`, {
                PEER_WAIT_PORT: String(port),
                PEER_WAIT_TIMEOUT_SECONDS: "2",
            });
            assert.strictEqual(result.status, 1);
            assert.match(
                result.stderr,
                new RegExp(
                    `resolves to 127\\.0\\.0\\.1 but refuses TCP connections on port ${port}`,
                ),
            );
        });
    });
});
