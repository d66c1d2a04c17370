export { PeerJob, PEER_JOB_TYPE } from "./peerJob";
export { PeerJobArgs, PassThroughJobSpec } from "./args";
export { PEER_ENV, RESERVED_ENV_NAMES, peerEnvVars } from "./peerEnv";
export {
    PeerJobValidationError,
    Problem,
    SELECTOR_LABEL,
    SKIP_AWAIT_ANNOTATION,
    TIMEOUT_ANNOTATION,
} from "./validation";
export * from "./naming";
