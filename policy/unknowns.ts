/**
 * Values unknown during a preview, the way `@pulumi/policy` presents them: resource properties
 * arrive behind a proxy that throws `UnknownValueError` when a policy reads a value that is not
 * known yet. The framework turns that error into an advisory "can't run policy during preview"
 * message instead of a violation. The helpers here keep that behaviour while letting the checks
 * that do not depend on the unknown value run first.
 */
import * as policySdk from "@pulumi/policy";

type ErrorClass = abstract new (...args: never[]) => Error;

// `UnknownValueError` is exported at run time but left out of the package's type declarations.
const { UnknownValueError } = policySdk as unknown as { UnknownValueError: ErrorClass };

/** Whether `error` is the framework's signal that a value unknown in a preview was read. */
export function isUnknownValueError(error: unknown): boolean {
    return error instanceof UnknownValueError;
}

/** A value read from a resource: known, or unknown in this preview (the error says where). */
export type Read<T> = { known: true; value: T } | { known: false; error: unknown };

/** Reads with `read`, turning only `UnknownValueError` into an unknown result. */
export function tryRead<T>(read: () => T): Read<T> {
    try {
        return { known: true, value: read() };
    } catch (error) {
        if (!isUnknownValueError(error)) {
            throw error;
        }
        return { known: false, error };
    }
}

/** Reads with `read`, or gives `fallback` when the value is unknown in this preview. */
export function readOr<T>(read: () => T, fallback: T): T {
    const result = tryRead(read);
    return result.known ? result.value : fallback;
}

/**
 * Runs `check` on every item. A check that reads an unknown value is cut short, the others still
 * run and report, and then the first unknown-value error is rethrown so that the framework says
 * what could not be checked. A violation is thus never reported on a guess.
 */
export function checkEach<T>(items: Iterable<T>, check: (item: T) => void): void {
    let firstUnknown: { error: unknown } | undefined;
    for (const item of items) {
        const result = tryRead(() => check(item));
        if (!result.known && firstUnknown === undefined) {
            firstUnknown = { error: result.error };
        }
    }
    if (firstUnknown !== undefined) {
        throw firstUnknown.error;
    }
}
