export { PeerJob, PEER_JOB_TYPE } from "./peerJob";
export {
    HostfileOptions,
    PassThroughJobSpec,
    PeerJobArgs,
    PeerNetworkPolicyOptions,
    WaitForPeersOptions,
} from "./args";
export { PEER_ENV, RESERVED_ENV_NAMES, peerEnvVars } from "./peerEnv";
export { PeerJobValidationError, Problem } from "./problems";
export { SELECTOR_LABEL, SKIP_AWAIT_ANNOTATION, TIMEOUT_ANNOTATION } from "./validation";
export {
    DEFAULT_WAIT_IMAGE,
    DEFAULT_WAIT_TIMEOUT_SECONDS,
    MAX_WAIT_FOR_ALL_PEERS,
    WAIT_CONTAINER_NAME,
} from "./waitForPeers";
export {
    HOSTFILE_PATH,
    MAX_CONFIGMAP_BYTES,
    hostfileCapacity,
    hostfileConfigMapName,
    hostfileContent,
} from "./hostfile";
export { networkPolicyName } from "./networkPolicy";
export * from "./naming";
