/**
 * What the benchmark declares, shared by the hand-written baseline and the PeerJob program so
 * that both ask for the same objects: the sizes measured, and the fields of one job.
 */

/** One benchmarked program: `jobs` jobs of `completions` peers each. */
export interface Shape {
    jobs: number;
    completions: number;
}

/** The sizes measured, from one tiny job to the largest Indexed Job Kubernetes accepts. */
export const SHAPES: readonly Shape[] = [
    { jobs: 1, completions: 3 },
    { jobs: 1, completions: 1000 },
    { jobs: 1, completions: 100_000 },
    { jobs: 200, completions: 8 },
];

/** `200x8`: how a shape is named on the command line and in the tables. */
export function shapeLabel(shape: Shape): string {
    return `${shape.jobs}x${shape.completions}`;
}

/** The namespace every object goes to; given explicitly, so every peer FQDN is known. */
export const NAMESPACE = "bench";

/** The labels of the Service and the Job objects. */
export const OBJECT_LABELS: Readonly<Record<string, string>> = { app: "peer-job-bench" };

/** The one container of every pod. */
export const CONTAINER = { name: "worker", image: "registry.example/worker:1" } as const;

/** The name of job `index` of a program: `peers-0`, `peers-1`, ... */
export function jobNameOf(index: number): string {
    return `peers-${index}`;
}

/** The peer names a program ends up with, one entry per job. */
export interface PeerLists {
    hostnames: string[];
    fqdns: string[];
}
