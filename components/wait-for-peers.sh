#!/bin/bash
# Init container script: waits until the peers this pod needs resolve by name and, when
# PEER_WAIT_PORT is set, accept a TCP connection on that port; then exits 0 so the workload starts.
# Exits 1 with a line naming the missing peer once PEER_WAIT_TIMEOUT_SECONDS have passed.
#
# PEER_WAIT_MODE=coordinator waits for index 0 only (index 0 itself does not wait);
# PEER_WAIT_MODE=all waits for every peer by name. Retries back off exponentially with jitter,
# since CoreDNS caches a failed lookup and thousands of pods retrying in step would flood it.
set -u

mode="${PEER_WAIT_MODE:-coordinator}"
port="${PEER_WAIT_PORT:-}"
timeout_seconds="${PEER_WAIT_TIMEOUT_SECONDS:-300}"
max_delay="${PEER_WAIT_MAX_DELAY_SECONDS:-16}"
deadline=$((SECONDS + timeout_seconds))

log() { echo "wait-for-peers: $*" >&2; }

# Prints the first address of $1, or fails when the name does not resolve.
resolve() {
    local entry
    entry=$(getent hosts "$1") || return 1
    echo "${entry%% *}"
}

# Succeeds when $1 resolves and, if a port is set, accepts a TCP connection there.
reachable() {
    local address
    address=$(resolve "$1") || { problem="does not resolve"; return 1; }
    [ -z "$port" ] && return 0
    timeout 3 bash -c "exec 3<>/dev/tcp/$address/$port" 2>/dev/null && return 0
    problem="resolves to $address but refuses TCP connections on port $port"
    return 1
}

# Sleeps for about $1 seconds, between half and all of it, never past the deadline.
sleep_with_jitter() {
    local millis=$(($1 * 500 + RANDOM % ($1 * 500 + 1)))
    local left=$(((deadline - SECONDS) * 1000))
    [ "$millis" -gt "$left" ] && millis="$left"
    [ "$millis" -gt 0 ] && sleep "$((millis / 1000)).$(printf '%03d' $((millis % 1000)))"
}

wait_for() {
    local peer="$1" delay=1 attempt=1 problem=""
    until reachable "$peer"; do
        if [ "$SECONDS" -ge "$deadline" ]; then
            log "giving up after ${timeout_seconds}s: peer $peer $problem ($attempt attempts)"
            exit 1
        fi
        log "peer $peer $problem (attempt $attempt); retrying"
        sleep_with_jitter "$delay"
        attempt=$((attempt + 1))
        delay=$((delay * 2 > max_delay ? max_delay : delay * 2))
    done
    log "peer $peer is reachable"
}

case "$mode" in
    coordinator)
        if [ "${JOB_COMPLETION_INDEX:-}" = 0 ]; then
            log "this pod is the coordinator; not waiting"
            exit 0
        fi
        wait_for "$PEER_JOB_COORDINATOR"
        ;;
    all)
        for ((i = 0; i < PEER_JOB_PEER_COUNT; i++)); do
            wait_for "$PEER_JOB_NAME-$i.$PEER_JOB_DNS_SUFFIX"
        done
        ;;
    *)
        log "PEER_WAIT_MODE must be coordinator or all, not \"$mode\""
        exit 2
        ;;
esac
log "all awaited peers are reachable"
