/**
 * Test helpers: Pulumi's mocked runtime with a record of every registered resource, and a way
 * to read outputs (or learn that they are unknown, as in a preview).
 */
import * as pulumi from "@pulumi/pulumi";

/** A resource as the mocked engine saw it registered. */
export interface Registered {
    type: string;
    name: string;
    custom: boolean;
    inputs: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/**
 * Installs fresh mocks and returns the list they fill. In a preview, resources return only what
 * `state` gives them, so every other output is unknown, as with a real engine before creation.
 */
export async function useMocks(
    options: { preview?: boolean; state?: (r: Registered) => Record<string, unknown> } = {},
): Promise<Registered[]> {
    const registered: Registered[] = [];
    await pulumi.runtime.setMocks(
        {
            newResource: (args) => {
                const resource = {
                    type: args.type,
                    name: args.name,
                    custom: !!args.custom,
                    inputs: args.inputs,
                };
                registered.push(resource);
                const state = options.state ? options.state(resource) : args.inputs;
                return { id: args.custom ? `${args.name}-id` : undefined, state };
            },
            call: (args) => args.inputs,
        },
        "project",
        "stack",
        options.preview ?? false,
    );
    return registered;
}

/** Whether an output's value is known (false for values a preview cannot know yet). */
export function isKnown(output: pulumi.Output<unknown>): Promise<boolean> {
    // `isKnown` is on every Output but left out of the SDK's public typings.
    return (output as unknown as { isKnown: Promise<boolean> }).isKnown;
}

/** The value of an output; fails if the output is unknown. */
export async function promiseOf<T>(output: pulumi.Output<T>): Promise<T> {
    const value = new Promise<T>((resolve) => output.apply((v) => resolve(v)));
    if (!(await isKnown(output))) {
        throw new Error("output is unknown");
    }
    return value;
}

/** The registered resources of one Kubernetes kind, e.g. `kubernetes:batch/v1:Job`. */
export function ofType(registered: readonly Registered[], type: string): Registered[] {
    return registered.filter((r) => r.type === type);
}

export const SERVICE = "kubernetes:core/v1:Service";
export const JOB = "kubernetes:batch/v1:Job";

/**
 * Runs `declare` and collects the promise rejections nobody handled while the program settles:
 * how a failed check on values that arrive later reaches Pulumi, which then fails the program.
 */
export async function rejectionsWhile(declare: () => void, settleMs = 50): Promise<unknown[]> {
    const reasons: unknown[] = [];
    const collect = (reason: unknown) => reasons.push(reason);
    process.on("unhandledRejection", collect);
    try {
        declare();
        await new Promise((resolve) => setTimeout(resolve, settleMs));
    } finally {
        process.off("unhandledRejection", collect);
    }
    return reasons;
}
