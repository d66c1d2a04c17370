/**
 * Runs a Pulumi program on Pulumi's mocked runtime and captures the inputs of every resource it
 * declares: for Kubernetes resources, exactly the objects the provider would be asked to create.
 * Needs neither the Pulumi CLI nor a cluster.
 */
import * as fs from "fs";
import * as path from "path";

import * as pulumi from "@pulumi/pulumi";
import YAML from "yaml";

/** One resource as the program declared it. */
export interface CapturedResource {
    type: string;
    name: string;
    custom: boolean;
    inputs: Record<string, unknown>;
}

/** What a program declared, in declaration order, and the state of each component's outputs. */
export interface Capture {
    project: string;
    stack: string;
    resources: CapturedResource[];
}

/** A Pulumi project: its name, its program's entry file, and where its stack files live. */
export interface PulumiProject {
    name: string;
    dir: string;
    main: string;
}

/** Pulumi's rule for stack names, which also keeps `Pulumi.<stack>.yaml` in the directory. */
export function isStackName(stack: string): boolean {
    return /^[A-Za-z0-9_.-]+$/.test(stack) && !stack.includes("..");
}

function readYaml(file: string): unknown {
    try {
        return YAML.parse(fs.readFileSync(file, "utf8"));
    } catch (err) {
        throw new Error(`${file}: ${err instanceof Error ? err.message : String(err)}`, {
            cause: err,
        });
    }
}

/** Reads `Pulumi.yaml` in `dir` and finds the program it runs, as Pulumi's Node.js host does. */
export function readProject(dir: string): PulumiProject {
    const file = path.join(dir, "Pulumi.yaml");
    if (!fs.existsSync(file)) {
        throw new Error(`${dir} has no Pulumi.yaml; give the directory of a Pulumi program`);
    }
    const project = (readYaml(file) ?? {}) as {
        name?: unknown;
        main?: unknown;
        runtime?: string | { name?: string };
    };
    if (typeof project.name !== "string") {
        throw new Error(`${file} has no project name`);
    }
    const runtime = typeof project.runtime === "object" ? project.runtime?.name : project.runtime;
    if (runtime !== "nodejs") {
        throw new Error(
            `${file}: runtime is ${JSON.stringify(runtime)}; only nodejs programs render`,
        );
    }
    if (project.main !== undefined && typeof project.main !== "string") {
        throw new Error(`${file}: main must be a path`);
    }
    const main = path.resolve(dir, project.main ?? ".");
    return { name: project.name, dir: path.resolve(dir), main };
}

/**
 * The configuration of `stack` from `Pulumi.<stack>.yaml`, keyed `project:key` as Pulumi keys
 * it, with every value a string as the engine passes them. An absent file is no configuration.
 */
export function readStackConfig(project: PulumiProject, stack: string): Record<string, string> {
    if (!isStackName(stack)) {
        throw new Error(`stack ${JSON.stringify(stack)}: use letters, digits, '-', '_' and '.'`);
    }
    const file = path.join(project.dir, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(file)) {
        return {};
    }
    const parsed = (readYaml(file) ?? {}) as { config?: unknown };
    const entries = parsed.config ?? {};
    if (entries === null || typeof entries !== "object" || Array.isArray(entries)) {
        throw new Error(`${file}: config must be a map of keys to values`);
    }
    const config: Record<string, string> = {};
    for (const [key, value] of Object.entries(entries)) {
        const fullKey = key.includes(":") ? key : `${project.name}:${key}`;
        if (value !== null && typeof value === "object" && "secure" in value) {
            throw new Error(
                `${file}: ${key} is an encrypted secret, which cannot be read without the ` +
                    "Pulumi CLI; give it a plain value in a stack file for rendering",
            );
        }
        config[fullKey] = typeof value === "string" ? value : JSON.stringify(value);
    }
    return config;
}

/**
 * Runs the program of `dir` for `stack` on mocks and returns what it declared. Resources are
 * given their inputs back as outputs; a Kubernetes object without a namespace gets `default`,
 * as the API server would give it.
 */
export async function captureProgram(dir: string, stack = "dev"): Promise<Capture> {
    const project = readProject(dir);
    const resources: CapturedResource[] = [];
    // A check that fails on values that arrive late rejects a resource's inputs; that resource
    // then never registers, so the program would wait for it forever. The first such rejection
    // ends the capture.
    let onRejection: (reason: unknown) => void = () => undefined;
    const failed = new Promise<never>((_, reject) => (onRejection = reject));

    await pulumi.runtime.setMocks(
        {
            newResource: (args) => {
                const inputs = args.inputs as Record<string, unknown>;
                resources.push({ type: args.type, name: args.name, custom: !!args.custom, inputs });
                return {
                    id: args.custom ? `${args.name}-id` : undefined,
                    state: withDefaultNamespace(args.type, inputs),
                };
            },
            call: (args) => args.inputs,
        },
        project.name,
        stack,
        false,
    );
    pulumi.runtime.setAllConfig(readStackConfig(project, stack));

    process.on("unhandledRejection", onRejection);
    try {
        // A program declares its resources when loaded, so load it afresh on every capture.
        const entry = require.resolve(project.main);
        delete require.cache[entry];
        const program = require(entry);
        const exported = program?.default ?? program;
        const run = async () => {
            if (typeof exported === "function") {
                await exported();
            }
            await pulumi.runtime.disconnect();
            // Let a rejection raised by the last registrations arrive before declaring success.
            await new Promise((resolve) => setTimeout(resolve, 10));
        };
        await Promise.race([run(), failed]);
    } finally {
        process.off("unhandledRejection", onRejection);
    }
    return { project: project.name, stack, resources };
}

function withDefaultNamespace(
    type: string,
    inputs: Record<string, unknown>,
): Record<string, unknown> {
    const metadata = inputs.metadata as Record<string, unknown> | undefined;
    if (!type.startsWith("kubernetes:") || metadata === undefined || metadata.namespace) {
        return inputs;
    }
    return { ...inputs, metadata: { ...metadata, namespace: "default" } };
}

/** The Kubernetes objects of a capture, each ordered as manifests are: apiVersion, kind, ... */
export function kubernetesObjects(capture: Capture): Record<string, unknown>[] {
    return capture.resources
        .filter((r) => r.custom && r.type.startsWith("kubernetes:") && "kind" in r.inputs)
        .map(({ inputs }) => {
            const { apiVersion, kind, metadata, ...rest } = inputs;
            return { apiVersion, kind, metadata, ...rest };
        });
}

/** Multi-document YAML, ready for `kubectl apply -f -`. */
export function toYaml(objects: readonly Record<string, unknown>[]): string {
    return objects.map((o) => YAML.stringify(o, { lineWidth: 0 })).join("---\n");
}
