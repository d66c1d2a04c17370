/**
 * `npm start [-- <program dir>] [--stack <name>]`: renders a Pulumi program's Kubernetes objects
 * to multi-document YAML on standard output, and a table of the peer names to standard error,
 * without the Pulumi CLI or a cluster.
 */
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";

import { captureProgram, isStackName, kubernetesObjects, toYaml } from "./capture";
import { peerTable } from "./peerTable";

const USAGE = "usage: npm start -- [program-dir] [--stack <name>]";

async function main(): Promise<void> {
    const { values, positionals } = parseArgs({
        allowPositionals: true,
        options: {
            stack: { type: "string", short: "s", default: "dev" },
            help: { type: "boolean", short: "h" },
        },
    });
    if (values.help) {
        process.stdout.write(`${USAGE}\n`);
        return;
    }
    if (positionals.length > 1) {
        throw new Error(`expected at most one program directory\n${USAGE}`);
    }

    const dir = positionals[0] ?? ".";
    const stackFile = path.join(dir, `Pulumi.${values.stack}.yaml`);
    if (isStackName(values.stack) && !fs.existsSync(stackFile)) {
        process.stderr.write(`render: no ${stackFile}; rendering without stack configuration\n`);
    }
    const capture = await captureProgram(dir, values.stack);
    const objects = kubernetesObjects(capture);
    process.stdout.write(toYaml(objects));
    process.stderr.write(peerTable(objects));
}

let finished = false;
process.on("beforeExit", () => {
    if (!finished) {
        finished = true;
        process.stderr.write(
            "render: the program stopped before all its resources were declared\n",
        );
        process.exitCode = 1;
    }
});

main()
    .catch((err: unknown) => {
        process.stderr.write(`render: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exitCode = 1;
    })
    .finally(() => (finished = true));
