import * as assert from "assert";
import * as path from "path";

import { captureProgram, kubernetesObjects } from "../render/capture";
import { validateObject } from "./schema";

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const EXAMPLES = path.join(__dirname, "..", "examples");

async function render(name: string): Promise<Obj[]> {
    return kubernetesObjects(await captureProgram(path.join(EXAMPLES, name)));
}

function byKind(objects: Obj[], kind: string): Obj {
    const found = objects.find((o) => o.kind === kind);
    assert.ok(found, `no ${kind} among ${objects.map((o) => o.kind).join(", ")}`);
    return found;
}

function envOf(container: Obj): Map<string, Obj> {
    return new Map(container.env.map((e: Obj) => [e.name, e]));
}

/** Hand-written peer names would look like `<job>-0.` in a command, an argument or a value. */
function assertNoHandWrittenPeerNames(container: Obj, jobName: string) {
    const own = [...(container.command ?? []), ...(container.args ?? [])];
    for (const e of container.env ?? []) {
        if (!e.name.startsWith("PEER_JOB_") && typeof e.value === "string") {
            own.push(e.value);
        }
    }
    for (const text of own) {
        assert.doesNotMatch(text, new RegExp(`${jobName}-\\d+\\.`), text);
    }
}

describe("examples", () => {
    for (const name of ["torchrun", "jax", "mpi"]) {
        it(`${name} renders objects that pass the Kubernetes schema`, async () => {
            const objects = await render(name);
            assert.ok(objects.length >= 3);
            for (const object of objects) {
                await validateObject(object);
            }
            const job = byKind(objects, "Job");
            for (const container of job.spec.template.spec.containers) {
                assertNoHandWrittenPeerNames(container, job.metadata.name);
            }
        });
    }

    it("torchrun takes rank, coordinator and world size from the Job", async () => {
        const objects = await render("torchrun");
        const pod = byKind(objects, "Job").spec.template.spec;
        const args: string[] = pod.containers[0].args;
        assert.ok(args.includes("--node-rank=$(JOB_COMPLETION_INDEX)"), args.join(" "));
        assert.ok(args.includes("--master-addr=$(PEER_JOB_COORDINATOR)"));
        assert.ok(args.includes("--nnodes=$(PEER_JOB_PEER_COUNT)"));
        assert.ok(args.includes("--master-port=29500"));
        const wait = envOf(pod.initContainers[0]);
        assert.strictEqual(wait.get("PEER_WAIT_PORT")?.value, "29500");
        assert.strictEqual(wait.get("PEER_WAIT_MODE")?.value, "coordinator");
        byKind(objects, "NetworkPolicy");
    });

    it("jax sets its coordinator, process count and id from PeerJob's variables", async () => {
        const objects = await render("jax");
        const container = byKind(objects, "Job").spec.template.spec.containers[0];
        const names = container.env.map((e: Obj) => e.name);
        const env = envOf(container);
        assert.strictEqual(
            env.get("JAX_COORDINATOR_ADDRESS")?.value,
            "$(PEER_JOB_COORDINATOR):1234",
        );
        assert.strictEqual(env.get("JAX_NUM_PROCESSES")?.value, "$(PEER_JOB_PEER_COUNT)");
        // $(VAR) expands only from variables listed earlier.
        assert.ok(names.indexOf("PEER_JOB_COORDINATOR") < names.indexOf("JAX_COORDINATOR_ADDRESS"));
        assert.deepStrictEqual(env.get("JAX_PROCESS_ID")?.valueFrom, {
            fieldRef: {
                fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']",
            },
        });
    });

    it("mpi launches from index 0 over the mounted hostfile, one line per rank", async () => {
        const objects = await render("mpi");
        const job = byKind(objects, "Job");
        const hostfile: string = byKind(objects, "ConfigMap").data.hostfile;
        assert.deepStrictEqual(hostfile.trimEnd().split("\n"), [
            "mpi-0.mpi.default.svc.cluster.local slots=1",
            "mpi-1.mpi.default.svc.cluster.local slots=1",
            "mpi-2.mpi.default.svc.cluster.local slots=1",
            "mpi-3.mpi.default.svc.cluster.local slots=1",
        ]);
        const container = job.spec.template.spec.containers[0];
        assert.match(container.command[2], /mpirun .*--hostfile "\$PEER_JOB_HOSTFILE"/);
        assert.match(container.command[2], /"\$JOB_COMPLETION_INDEX" = 0/);
        assert.strictEqual(
            envOf(container).get("PEER_JOB_HOSTFILE")?.value,
            "/etc/peer-job/hostfile",
        );
        assert.deepStrictEqual(job.spec.successPolicy, { rules: [{ succeededIndexes: "0" }] });
        assert.strictEqual(
            envOf(job.spec.template.spec.initContainers[0]).get("PEER_WAIT_MODE")?.value,
            "all",
        );
    });
});
