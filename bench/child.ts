/**
 * One benchmark run, in a process of its own: runs the baseline or the PeerJob program of one
 * shape on Pulumi's mocked runtime and prints one JSON line, a {@link RunReport}, on standard
 * output. With `--dump <file>` it also writes what the mocks received, a {@link RunDump}, for
 * the parent to compare the two programs and measure sizes; that run is a warm-up, not timed.
 */
import * as fs from "fs";
import { performance } from "perf_hooks";
import { parseArgs } from "util";

import * as pulumi from "@pulumi/pulumi";

import { PeerLists, Shape } from "./workload";

/** The two programs compared. */
export const VARIANTS = ["hand", "peerjob"] as const;
export type Variant = (typeof VARIANTS)[number];

/** What one run measured. */
export interface RunReport {
    /** From installing the mocks to the last RPC done, modules already loaded. */
    programMs: number;
    /** CPU time (user and system, all threads) over the same span: less hurt by a busy machine. */
    programCpuMs: number;
    /** Peak resident set size of the whole process, in KiB (`process.resourceUsage`). */
    maxRssKiB: number;
}

/** A resource as the mock monitor received it. */
export interface DumpedResource {
    type: string;
    name: string;
    inputs: Record<string, unknown>;
}

/** What the mock monitor holds at the end of a run: what Pulumi would keep in its state. */
export interface DumpedState {
    urn: string;
    /** For a component, the outputs it registered; for a custom resource, its state. */
    state: unknown;
    /** Whether `state` came from `registerResourceOutputs`. */
    registeredOutputs: boolean;
}

/** What a `--dump` run writes. */
export interface RunDump {
    resources: DumpedResource[];
    states: DumpedState[];
    peers: PeerLists[];
}

/** The slice of Pulumi's mock monitor read here; `getRegisteredResources` is public on it. */
interface MockMonitorRecord {
    getRegisteredResources(): Map<string, { urn: string; state: unknown }>;
}

/** A protobuf `Struct`, which is what the mock keeps for registered outputs. */
interface ProtoStruct {
    toJavaScript(): unknown;
}

function isProtoStruct(value: unknown): value is ProtoStruct {
    return (
        typeof value === "object" &&
        value !== null &&
        typeof (value as Partial<ProtoStruct>).toJavaScript === "function"
    );
}

function loadProgram(variant: Variant): (shape: Shape) => Promise<PeerLists[]> {
    // Only the program being measured is loaded, so PeerJob's modules count against it alone.
    if (variant === "hand") {
        return (require("./handWritten") as typeof import("./handWritten")).declareHandWritten;
    }
    return (require("./viaPeerJob") as typeof import("./viaPeerJob")).declareViaPeerJob;
}

async function main(): Promise<void> {
    const { values } = parseArgs({
        options: {
            variant: { type: "string" },
            jobs: { type: "string" },
            completions: { type: "string" },
            dump: { type: "string" },
        },
    });
    const variant = values.variant as Variant;
    if (!VARIANTS.includes(variant)) {
        throw new Error(`--variant must be one of ${VARIANTS.join(", ")}`);
    }
    const shape: Shape = { jobs: Number(values.jobs), completions: Number(values.completions) };
    const declare = loadProgram(variant);
    const dumping = values.dump !== undefined;
    const resources: DumpedResource[] = [];

    // Start from a collected heap, so that garbage left by loading the modules is not collected
    // at a random point of the measured program (the parent runs this with --expose-gc).
    (globalThis as { gc?: () => void }).gc?.();
    const start = performance.now();
    const startCpu = process.cpuUsage();
    await pulumi.runtime.setMocks(
        {
            newResource: (args) => {
                if (dumping) {
                    resources.push({ type: args.type, name: args.name, inputs: args.inputs });
                }
                return { id: args.custom ? `${args.name}-id` : undefined, state: args.inputs };
            },
            call: (args) => args.inputs,
        },
        "peer-job-bench",
        "bench",
        false,
    );
    const monitor = pulumi.runtime.getMonitor() as unknown as MockMonitorRecord;
    const peers = await declare(shape);
    await pulumi.runtime.disconnect();
    const programMs = performance.now() - start;
    const programCpu = process.cpuUsage(startCpu);

    const usage = process.resourceUsage();
    const report: RunReport = {
        programMs,
        programCpuMs: (programCpu.user + programCpu.system) / 1000,
        maxRssKiB: usage.maxRSS,
    };
    if (values.dump !== undefined) {
        const states = [...monitor.getRegisteredResources().values()].map(({ urn, state }) => ({
            urn,
            state: isProtoStruct(state) ? state.toJavaScript() : state,
            registeredOutputs: isProtoStruct(state),
        }));
        const dump: RunDump = { resources, states, peers };
        fs.writeFileSync(values.dump, JSON.stringify(dump));
    }
    process.stdout.write(`${JSON.stringify(report)}\n`);
}

main().catch((err: unknown) => {
    process.stderr.write(`bench child: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exitCode = 1;
});
