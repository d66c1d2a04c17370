import * as pulumi from "@pulumi/pulumi";

/**
 * Whether `value` holds no Output or Promise at any depth, so that it can be checked at once,
 * in the constructor, rather than once the values arrive.
 */
export function isPlain(value: unknown): boolean {
    if (value === null || typeof value !== "object") {
        return true;
    }
    if (
        pulumi.Output.isInstance(value) ||
        typeof (value as PromiseLike<unknown>).then === "function"
    ) {
        return false;
    }
    return Object.values(value).every(isPlain);
}
