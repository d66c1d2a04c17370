/**
 * Test helpers for the policy pack: the arguments `@pulumi/policy` passes to resource and stack
 * validations and to remediations, fabricated without an engine, and a runner that applies a
 * list of policies to a stack the way the framework's analyzer does (enforcement levels from
 * policy config, unknown values downgraded to an advisory "can't run" message).
 *
 * Values unknown in a preview reach a policy as the engine marshals them: a sentinel string in
 * place of the value, read through the framework's own `unknownCheckingProxy`, which throws the
 * framework's `UnknownValueError`.
 */
import * as assert from "assert";

import {
    EnforcementLevel,
    Policies,
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";
import * as pulumi from "@pulumi/pulumi";

import { Capture } from "../render/capture";
import { isUnknownValueError } from "../policy/unknowns";

type Json = Record<string, unknown>;

// Exported at run time but left out of the package's type declarations.
const { unknownCheckingProxy } = require("@pulumi/policy") as {
    unknownCheckingProxy: (value: object) => object;
};

/** The sentinels the engine puts in place of unknown values; internal to `@pulumi/policy`. */
const SENTINELS = require("@pulumi/policy/proxy") as Record<
    | "unknownStringValue"
    | "unknownNumberValue"
    | "unknownBooleanValue"
    | "unknownArrayValue"
    | "unknownObjectValue",
    string
>;

/**
 * A value unknown in a preview, as the engine marshals it. The engine marks a value computed from
 * another resource's output as a string by default, whatever its eventual type.
 */
export function unknown(kind: "string" | "number" | "boolean" | "array" | "object" = "string") {
    const key = `unknown${kind[0].toUpperCase()}${kind.slice(1)}Value` as keyof typeof SENTINELS;
    return SENTINELS[key];
}

/** A resource of a stack as a policy sees it. */
export interface FakeResource {
    type: string;
    /** The Pulumi resource name. */
    name: string;
    /** The resource's inputs (for resource validations) or outputs (for stack validations). */
    props: Json;
    /** The properties of its provider, for example `{ namespace: "ml" }`. */
    provider?: Json;
}

export function urnOf(resource: Pick<FakeResource, "type" | "name">): string {
    return `urn:pulumi:dev::peer-job::${resource.type}::${resource.name}`;
}

/** Thrown by `notApplicable`, as the framework's own (unexported) error is. */
class NotApplicable extends Error {}

function notApplicable(reason?: string): never {
    throw new NotApplicable(reason);
}

const OPTIONS = {
    protect: false,
    ignoreChanges: [],
    aliases: [],
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    additionalSecretOutputs: [],
};

const NO_TAGS: ReadonlyMap<string, string> = new Map();

function providerOf(resource: FakeResource) {
    if (resource.provider === undefined) {
        return undefined;
    }
    return {
        type: "pulumi:providers:kubernetes",
        name: "default",
        urn: "urn:pulumi:dev::peer-job::pulumi:providers:kubernetes::default",
        props: unknownCheckingProxy(structuredClone(resource.provider)) as Json,
    };
}

/** What a resource validation or remediation receives for `resource`. */
export function resourceArgs(resource: FakeResource, config: Json = {}): ResourceValidationArgs {
    const props = unknownCheckingProxy(structuredClone(resource.props)) as Json;
    const provider = providerOf(resource);
    return {
        type: resource.type,
        name: resource.name,
        urn: urnOf(resource),
        props,
        opts: OPTIONS,
        ...(provider === undefined ? {} : { provider }),
        stackTags: NO_TAGS,
        isType: () => false,
        asType: () => undefined,
        getConfig: <T extends object>() => config as T,
        notApplicable,
    };
}

/** What a stack validation receives for a stack of `resources`. */
export function stackArgs(resources: readonly FakeResource[], config: Json = {}) {
    const policyResources: PolicyResource[] = resources.map((resource) => {
        const provider = providerOf(resource);
        return {
            type: resource.type,
            name: resource.name,
            urn: urnOf(resource),
            props: unknownCheckingProxy(structuredClone(resource.props)) as Json,
            opts: OPTIONS,
            ...(provider === undefined ? {} : { provider }),
            dependencies: [],
            propertyDependencies: {},
            isType: () => false,
            asType: () => undefined,
        };
    });
    const args: StackValidationArgs = {
        resources: policyResources,
        stackTags: NO_TAGS,
        getConfig: <T extends object>() => config as T,
        notApplicable,
    };
    return args;
}

/** One message of a policy run: a violation, or the framework's note that a policy did not run. */
export interface Finding {
    policy: string;
    level: EnforcementLevel;
    /** The message the policy reported (the framework prints the description before it). */
    message: string;
    /** The URN of the resource the finding is about, when there is one. */
    urn: string | undefined;
    /** Set when the policy read a value unknown in a preview and could not run. */
    couldNotRun?: true;
}

/** Policy config as `--policy-pack-config` gives it: a level or `{ enforcementLevel }`. */
export type PackConfig = Record<string, EnforcementLevel | { enforcementLevel: EnforcementLevel }>;

/** The framework's test for a resource policy: one with a validation or a remediation. */
function isResourcePolicy(policy: Policies[number]): policy is ResourceValidationPolicy {
    const { validateResource, remediateResource } = policy as ResourceValidationPolicy;
    return validateResource !== undefined || typeof remediateResource === "function";
}

function isStackPolicy(policy: Policies[number]): policy is StackValidationPolicy {
    return typeof (policy as StackValidationPolicy).validateStack === "function";
}

function levelOf(policy: Policies[number], config: PackConfig): EnforcementLevel {
    const configured = config[policy.name];
    const level = typeof configured === "string" ? configured : configured?.enforcementLevel;
    return level ?? policy.enforcementLevel ?? "advisory";
}

/**
 * Runs `policies` on a stack as the framework's analyzer does: every resource validation on every
 * resource's inputs, every stack validation once on all resources. A `remediate` level is
 * reported as `mandatory`, as the framework does for violations left after remediation.
 */
export async function runPolicies(
    policies: Policies,
    resources: readonly FakeResource[],
    config: PackConfig = {},
): Promise<Finding[]> {
    const findings: Finding[] = [];
    for (const policy of policies) {
        let level = levelOf(policy, config);
        if (level === "disabled") {
            continue;
        }
        if (level === "remediate") {
            level = "mandatory";
        }
        const run = async (call: (report: ReportViolation) => unknown, subject?: string) => {
            const report = (message: string, urn?: string) =>
                findings.push({ policy: policy.name, level, message, urn: urn ?? subject });
            try {
                await call(report);
            } catch (error) {
                if (isUnknownValueError(error)) {
                    findings.push({
                        policy: policy.name,
                        level: "advisory",
                        message: (error as Error).message,
                        urn: subject,
                        couldNotRun: true,
                    });
                } else if (!(error instanceof NotApplicable)) {
                    throw error;
                }
            }
        };
        if (isResourcePolicy(policy)) {
            const validations = [policy.validateResource ?? []].flat();
            for (const resource of resources) {
                for (const validate of validations) {
                    await run(
                        (report) => validate(resourceArgs(resource), report),
                        urnOf(resource),
                    );
                }
            }
        }
        if (isStackPolicy(policy)) {
            const validateStack = policy.validateStack;
            await run((report) => validateStack(stackArgs(resources), report));
        }
    }
    return findings;
}

/** The result of remediating one resource. */
export interface Remediated {
    /** The policies whose remediation changed the resource, in order. */
    changedBy: string[];
    /** The resource's properties after every remediation. */
    props: Json;
    /** The framework's "can't run remediation" notes for values unknown in a preview. */
    couldNotRun: string[];
}

/**
 * Runs the remediations of the policies whose level is `remediate`, one after another on the same
 * properties, as the framework does before it validates a resource.
 */
export async function remediate(
    policies: Policies,
    resource: FakeResource,
    config: PackConfig,
): Promise<Remediated> {
    // Remediations change one copy of the properties in turn, as the framework's do.
    const raw = structuredClone(resource.props);
    const result: Remediated = { changedBy: [], props: raw, couldNotRun: [] };
    for (const policy of policies) {
        const remediation = (policy as ResourceValidationPolicy).remediateResource;
        if (levelOf(policy, config) !== "remediate" || remediation === undefined) {
            continue;
        }
        const args = { ...resourceArgs(resource), props: proxied(raw) };
        try {
            const changed = await remediation(args);
            if (changed !== undefined && changed !== null) {
                result.changedBy.push(policy.name);
            }
        } catch (error) {
            if (!isUnknownValueError(error)) {
                throw error;
            }
            result.couldNotRun.push(policy.name);
        }
    }
    return result;
}

function proxied(raw: Json): Json {
    return unknownCheckingProxy(raw) as Json;
}

/**
 * The custom Kubernetes resources a program declared, with values unknown in a preview turned
 * into the engine's sentinels.
 */
export function fromCapture(capture: Capture): FakeResource[] {
    return capture.resources
        .filter((r) => r.custom && r.type.startsWith("kubernetes:"))
        .map((r) => ({ type: r.type, name: r.name, props: asPolicyProps(r.inputs) as Json }));
}

/**
 * A value as the engine hands it to a policy: `pulumi.unknown` becomes the unknown-string
 * sentinel and `undefined` properties are left out.
 */
export function asPolicyProps(value: unknown): unknown {
    if (pulumi.isUnknown(value)) {
        return unknown();
    }
    if (Array.isArray(value)) {
        return value.map(asPolicyProps);
    }
    if (value !== null && typeof value === "object") {
        const out: Json = {};
        for (const [key, item] of Object.entries(value)) {
            if (item !== undefined) {
                out[key] = asPolicyProps(item);
            }
        }
        return out;
    }
    return value;
}

export const JOB = "kubernetes:batch/v1:Job";
export const POD = "kubernetes:core/v1:Pod";
export const SERVICE = "kubernetes:core/v1:Service";

/**
 * A hand-written peer Job with the shape of the Kubernetes documentation's example, which
 * satisfies every policy: the Indexed Job `example-job` of 3 pods and the headless Service
 * `headless-svc` that selects them by the label the API server adds to Job pods.
 */
export function handWrittenPeers(): { service: FakeResource; job: FakeResource } {
    return {
        service: {
            type: SERVICE,
            name: "headless-svc",
            props: {
                apiVersion: "v1",
                kind: "Service",
                metadata: { name: "headless-svc" },
                spec: {
                    clusterIP: "None",
                    selector: { "job-name": "example-job" },
                    publishNotReadyAddresses: true,
                },
            },
        },
        job: {
            type: JOB,
            name: "example-job",
            props: {
                apiVersion: "batch/v1",
                kind: "Job",
                metadata: { name: "example-job" },
                spec: {
                    completions: 3,
                    parallelism: 3,
                    completionMode: "Indexed",
                    template: {
                        spec: {
                            subdomain: "headless-svc",
                            restartPolicy: "Never",
                            containers: [
                                {
                                    name: "worker",
                                    image: "registry.example/worker:1",
                                    command: [
                                        "sh",
                                        "-c",
                                        "getent hosts example-job-0.headless-svc",
                                    ],
                                },
                            ],
                        },
                    },
                },
            },
        },
    };
}

/** A bare Pod named `solo` in subdomain `peers`, with the label `app: solo`. */
export function peerPod(): FakeResource {
    return {
        type: POD,
        name: "solo",
        props: {
            apiVersion: "v1",
            kind: "Pod",
            metadata: { name: "solo", labels: { app: "solo" } },
            spec: {
                hostname: "solo",
                subdomain: "peers",
                containers: [{ name: "main", image: "registry.example/worker:1" }],
            },
        },
    };
}

/** Asserts that `text` contains each of `parts`, in this order. */
export function assertIncludes(text: string, ...parts: string[]): void {
    let from = 0;
    for (const part of parts) {
        const found = text.indexOf(part, from);
        assert.ok(found >= 0, `expected ${JSON.stringify(part)} in:\n${text}`);
        from = found + part.length;
    }
}

/** The object at `path` below a resource's properties, for changing a fixture in place. */
export function objectAt(resource: FakeResource, ...path: string[]): Json {
    let value: unknown = resource.props;
    for (const key of path) {
        value = (value as Json)[key];
    }
    if (value === null || typeof value !== "object") {
        throw new Error(`no object at ${path.join(".")} of ${resource.name}`);
    }
    return value as Json;
}
