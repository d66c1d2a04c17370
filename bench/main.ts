/**
 * `npm run bench`: the cost of PeerJob against the same two objects written by hand with
 * `@pulumi/kubernetes`, on Pulumi's mocked runtime. Every run is a child process of its own
 * (bench/child.ts); the two programs run side by side, alternating which goes first, after one
 * warm-up run each that also checks that both declare the same objects and peer names.
 * Prints Markdown tables of medians and B/A ratios on standard output, progress on standard
 * error.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { performance } from "perf_hooks";
import { isDeepStrictEqual, parseArgs } from "util";

import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";

import { toYaml } from "../render/capture";
import { RunDump, RunReport, Variant } from "./child";
import { SHAPES, Shape, shapeLabel } from "./workload";

const USAGE =
    "usage: npm run bench -- [--repetitions N | --quick] [--shape JOBSxCOMPLETIONS ...] " +
    "[--cpu-prof DIR]";

/** How many timed runs of each program per shape, after the warm-up. */
const DEFAULT_REPETITIONS = 7;
const QUICK_REPETITIONS = 3;

/** The largest B/A ratio aimed for, for time and for peak memory. */
const RATIO_TARGET = 1.25;
/** Most bytes the Job may grow from 3 to 100000 completions, aimed for. */
const JOB_GROWTH_TARGET = 8;
/** Most bytes of one component's registered outputs at 100000 completions, aimed for. */
const OUTPUTS_TARGET = 64 * 1024;

const CHILD = path.join(__dirname, "child.js");
const JOB_TYPE = "kubernetes:batch/v1:Job";
const PEER_COUNT_VAR = "PEER_JOB_PEER_COUNT";

type JobInputs = pulumi.Unwrap<k8s.types.input.batch.v1.Job>;

/** One timed run as the parent saw it. */
interface Timed extends RunReport {
    /** From spawning the process to its exit: Node's start and module loading included. */
    wallMs: number;
}

/** What the warm-up runs of one shape showed. */
interface Checked {
    shape: Shape;
    /** The first Job as the mocks received it, the same for both programs (checked). */
    job: JobInputs;
    /** The registered outputs of each PeerJob, in bytes of JSON. */
    outputBytes: number[];
    /** Everything the mock monitor keeps, in bytes of JSON, per program. */
    stateBytes: Record<Variant, number>;
    /** Peer names per job, the same for both programs (checked). */
    peersPerJob: number;
}

interface ShapeResult {
    checked: Checked;
    runs: Record<Variant, Timed[]>;
}

function runChild(variant: Variant, shape: Shape, extra: string[], nodeFlags: string[]) {
    const args = [
        ...nodeFlags,
        CHILD,
        ...["--variant", variant, "--jobs", String(shape.jobs)],
        ...["--completions", String(shape.completions), ...extra],
    ];
    return new Promise<Timed>((resolve, reject) => {
        const start = performance.now();
        const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] });
        let stdout = "";
        child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
        child.on("error", reject);
        child.on("close", (code) => {
            const wallMs = performance.now() - start;
            if (code !== 0) {
                reject(new Error(`${variant} ${shapeLabel(shape)} exited with ${code}`));
                return;
            }
            resolve({ ...(JSON.parse(stdout) as RunReport), wallMs });
        });
    });
}

function bytes(value: unknown): number {
    return Buffer.byteLength(JSON.stringify(value));
}

/** Runs both programs once with `--dump`, checks they agree, and takes the sizes. */
async function warmUpAndCheck(shape: Shape, dir: string, flags: string[]): Promise<Checked> {
    const dumps = {} as Record<Variant, RunDump>;
    for (const variant of ["hand", "peerjob"] as const) {
        const file = path.join(dir, `${variant}-${shapeLabel(shape)}.json`);
        await runChild(variant, shape, ["--dump", file], flags);
        dumps[variant] = JSON.parse(fs.readFileSync(file, "utf8")) as RunDump;
        fs.rmSync(file);
    }

    // Both programs must ask for the same Kubernetes objects and end with the same peer names.
    const kubernetes = (d: RunDump) =>
        d.resources.filter((r) => r.type.startsWith("kubernetes:")).map((r) => r.inputs);
    if (!isDeepStrictEqual(kubernetes(dumps.hand), kubernetes(dumps.peerjob))) {
        throw new Error(`${shapeLabel(shape)}: the two programs declare different objects`);
    }
    if (!isDeepStrictEqual(dumps.hand.peers, dumps.peerjob.peers)) {
        throw new Error(`${shapeLabel(shape)}: the two programs end with different peer names`);
    }
    const [peers] = dumps.peerjob.peers;
    if (peers.hostnames.length !== shape.completions || peers.fqdns.length !== shape.completions) {
        throw new Error(`${shapeLabel(shape)}: the peer lists do not have one name per peer`);
    }

    const job = dumps.peerjob.resources.find((r) => r.type === JOB_TYPE);
    if (job === undefined) {
        throw new Error(`${shapeLabel(shape)}: no Job was declared`);
    }
    const stateBytes = (d: RunDump) => d.states.reduce((sum, s) => sum + bytes(s.state), 0);
    return {
        shape,
        job: job.inputs as JobInputs,
        outputBytes: dumps.peerjob.states
            .filter((s) => s.registeredOutputs)
            .map((s) => bytes(s.state)),
        stateBytes: { hand: stateBytes(dumps.hand), peerjob: stateBytes(dumps.peerjob) },
        peersPerJob: peers.hostnames.length,
    };
}

async function measure(shape: Shape, reps: number, dir: string, flags: string[]) {
    const checked = await warmUpAndCheck(shape, dir, flags);
    const runs: Record<Variant, Timed[]> = { hand: [], peerjob: [] };
    for (let r = 0; r < reps; r++) {
        // Alternating which program goes first cancels a drift in the machine's speed.
        const order: Variant[] = r % 2 === 0 ? ["hand", "peerjob"] : ["peerjob", "hand"];
        for (const variant of order) {
            runs[variant].push(await runChild(variant, shape, [], flags));
        }
        process.stderr.write(`  ${shapeLabel(shape)}: repetition ${r + 1}/${reps} done\n`);
    }
    return { checked, runs };
}

/**
 * `job` with every field that holds the number of peers set to `count`: `completions`,
 * `parallelism` and the peer-count variable of each container.
 */
function withPeerCount(job: JobInputs, count: number): JobInputs {
    const copy = structuredClone(job);
    if (copy.spec !== undefined) {
        copy.spec.completions = count;
        copy.spec.parallelism = count;
    }
    for (const container of copy.spec?.template.spec?.containers ?? []) {
        for (const env of container.env ?? []) {
            if (env.name === PEER_COUNT_VAR) {
                env.value = String(count);
            }
        }
    }
    return copy;
}

function row(cells: (string | number)[]): string {
    return `| ${cells.join(" | ")} |`;
}

function table(header: string[], rows: (string | number)[][]): string {
    return [row(header), row(header.map(() => "---")), ...rows.map(row)].join("\n");
}

function verdict(ok: boolean): string {
    return ok ? "met" : "**missed**";
}

async function report(results: ShapeResult[], reps: number): Promise<string> {
    const { median, min, max } = await import("simple-statistics");
    const figure = (values: number[], digits: number) => median(values).toFixed(digits);
    const ratios = (r: ShapeResult, pick: (t: Timed) => number) =>
        r.runs.hand.map((a, i) => pick(r.runs.peerjob[i]) / pick(a));
    // Three decimals for the median, so that a ratio just over the target does not print as it.
    const ratioCell = (values: number[]) =>
        `${median(values).toFixed(3)} (${min(values).toFixed(2)}–${max(values).toFixed(2)})`;

    const measures: [string, (t: Timed) => number, number][] = [
        ["run wall time, ms", (t) => t.wallMs, 0],
        ["program wall time, ms", (t) => t.programMs, 0],
        ["program CPU time, ms", (t) => t.programCpuMs, 0],
        ["run peak RSS, MiB", (t) => t.maxRssKiB / 1024, 1],
    ];
    const timeRows = results.flatMap((r) =>
        measures.map(([name, pick, digits]) => {
            const ratio = ratios(r, pick);
            return [
                shapeLabel(r.checked.shape),
                name,
                figure(r.runs.hand.map(pick), digits),
                figure(r.runs.peerjob.map(pick), digits),
                ratioCell(ratio),
                verdict(median(ratio) <= RATIO_TARGET),
            ];
        }),
    );

    const single = results.filter((r) => r.checked.shape.jobs === 1);
    const smallest = single.find((r) => r.checked.shape.completions === 3);
    const jobJson = (r: ShapeResult) => bytes(r.checked.job);
    // toYaml is what `npm start` prints.
    const jobYaml = (r: ShapeResult) => Buffer.byteLength(toYaml([r.checked.job]));
    const sizeRows = results.map((r) => {
        const outputs = r.checked.outputBytes;
        const growth = smallest && r.checked.shape.jobs === 1 ? jobJson(r) - jobJson(smallest) : "";
        return [
            shapeLabel(r.checked.shape),
            jobJson(r),
            jobYaml(r),
            growth,
            `${max(outputs)} × ${outputs.length}`,
            r.checked.stateBytes.hand,
            r.checked.stateBytes.peerjob,
            `${r.checked.peersPerJob} + ${r.checked.peersPerJob}`,
        ];
    });

    const largest = single.find((r) => r.checked.shape.completions === 100_000);
    const targets: string[] = [];
    if (smallest && largest) {
        const growth = jobJson(largest) - jobJson(smallest);
        const onlyCounts = isDeepStrictEqual(
            withPeerCount(smallest.checked.job, largest.checked.shape.completions),
            largest.checked.job,
        );
        targets.push(
            `- Job growth from 3 to 100000 completions: ${growth} bytes of JSON ` +
                `(target ${JOB_GROWTH_TARGET}): ${verdict(growth <= JOB_GROWTH_TARGET)}. ` +
                `The two Jobs differ ${onlyCounts ? "only" : "**not only**"} in ` +
                `spec.completions, spec.parallelism and the ${PEER_COUNT_VAR} value.`,
            `- Registered outputs of one PeerJob at 100000 completions: ` +
                `${max(largest.checked.outputBytes)} bytes of JSON (target under ` +
                `${OUTPUTS_TARGET}): ${verdict(max(largest.checked.outputBytes) < OUTPUTS_TARGET)}`,
        );
    }

    return [
        `Machine: ${os.availableParallelism()} CPUs (${os.cpus()[0]?.model ?? "unknown"}), ` +
            `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB memory, Node.js ${process.version}.`,
        `A: hand-written, B: PeerJob. Each figure is the median of ${reps} runs per program ` +
            "after one warm-up run each; B/A is the median of the per-repetition ratios, with " +
            "their range. Sizes in bytes: the first Job as JSON and as YAML, its JSON growth " +
            "from 1x3, each PeerJob's registered outputs (× how many), everything the mock " +
            "monitor keeps per program, and the peer names per job (short + FQDN).",
        "",
        table(["shape", "measure", "A", "B", "B/A (range)", `B/A ≤ ${RATIO_TARGET}`], timeRows),
        "",
        table(
            [
                "shape",
                "Job JSON",
                "Job YAML",
                "growth",
                "outputs × n",
                "A state",
                "B state",
                "names per job",
            ],
            sizeRows,
        ),
        "",
        ...targets,
        "",
    ].join("\n");
}

function parseShape(text: string): Shape {
    const found = SHAPES.find((s) => shapeLabel(s) === text);
    if (found === undefined) {
        throw new Error(`unknown shape ${text}; one of ${SHAPES.map(shapeLabel).join(", ")}`);
    }
    return found;
}

async function main(): Promise<void> {
    const { values } = parseArgs({
        options: {
            repetitions: { type: "string", short: "r" },
            quick: { type: "boolean" },
            shape: { type: "string", multiple: true },
            "cpu-prof": { type: "string" },
            help: { type: "boolean", short: "h" },
        },
    });
    if (values.help) {
        process.stdout.write(`${USAGE}\n`);
        return;
    }
    const reps = Number(
        values.repetitions ?? (values.quick ? QUICK_REPETITIONS : DEFAULT_REPETITIONS),
    );
    if (!Number.isInteger(reps) || reps < 1) {
        throw new Error(`--repetitions must be a positive integer\n${USAGE}`);
    }
    const shapes = values.shape?.map(parseShape) ?? SHAPES;
    const profileDir = values["cpu-prof"];
    const flags = ["--expose-gc"];
    if (profileDir !== undefined) {
        flags.push("--cpu-prof", `--cpu-prof-dir=${path.resolve(profileDir)}`);
    }

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "peer-job-bench-"));
    const start = performance.now();
    try {
        const results: ShapeResult[] = [];
        for (const shape of shapes) {
            process.stderr.write(`${shapeLabel(shape)}: warm-up and check, then ${reps} runs\n`);
            results.push(await measure(shape, reps, dir, flags));
        }
        process.stdout.write(await report(results, reps));
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
    process.stderr.write(`bench: done in ${((performance.now() - start) / 1000).toFixed(0)} s\n`);
}

main().catch((err: unknown) => {
    process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
});
