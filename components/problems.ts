/** One input that cannot work: which field, what value, and the rule it breaks. */
export interface Problem {
    field: string;
    value: unknown;
    rule: string;
}

/** Thrown when PeerJob's inputs cannot work; lists every problem found, not only the first. */
export class PeerJobValidationError extends Error {
    constructor(
        readonly componentName: string,
        readonly problems: readonly Problem[],
    ) {
        super(
            `PeerJob "${componentName}" has invalid inputs:\n` +
                problems.map((p) => `  - ${describeProblem(p)}`).join("\n"),
        );
        this.name = "PeerJobValidationError";
    }
}

/** `field value: rule`, the form every PeerJob error line takes. */
export function describeProblem(p: Problem): string {
    return `${p.field} ${formatValue(p.value)}: ${p.rule}`;
}

function formatValue(value: unknown): string {
    const text = JSON.stringify(value) ?? String(value);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** Throws {@link PeerJobValidationError} when `problems` is not empty. */
export function throwIfProblems(componentName: string, problems: readonly Problem[]): void {
    if (problems.length > 0) {
        throw new PeerJobValidationError(componentName, problems);
    }
}

/** Whether `value` is an integer from `min` to `max`. */
export function isIntegerIn(value: unknown, min: number, max: number): value is number {
    return typeof value === "number" && Number.isInteger(value) && value >= min && value <= max;
}
