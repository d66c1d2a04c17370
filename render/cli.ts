/**
 * `npm start [-- <program dir>] [--stack <name>]`: renders a Pulumi program's Kubernetes objects
 * to multi-document YAML on standard output, and a table of the peer names to standard error,
 * without the Pulumi CLI or a cluster.
 */
import { parseArgs } from "util";

import { captureProgram, kubernetesObjects, toYaml } from "./capture";
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

    const capture = await captureProgram(positionals[0] ?? ".", values.stack);
    const objects = kubernetesObjects(capture);
    process.stdout.write(toYaml(objects));
    process.stderr.write(peerTable(objects));
}

main().catch((err: unknown) => {
    process.stderr.write(`render: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
});
