#!/bin/bash
# Init container script: waits until the peers this pod needs resolve by name and, when
# PEER_WAIT_PORT is set, accept a TCP connection on that port; then exits 0 so the workload starts.
# Exits 1 with a line naming the missing peer once PEER_WAIT_TIMEOUT_SECONDS have passed, and 2
# when its settings are not valid.
#
# PEER_WAIT_MODE=coordinator waits for index 0 only (index 0 itself does not wait);
# PEER_WAIT_MODE=all waits for every peer by name. Retries back off exponentially with jitter,
# since CoreDNS caches a failed lookup and thousands of pods retrying in step would flood it.
# Every lookup and connection attempt is itself cut off at the deadline.
set -u

log() { echo "wait-for-peers: $*" >&2; }

# Prints $2 as a base-10 integer of at least $3, or exits 2 naming the variable $1.
integer() {
    if [[ ! "$2" =~ ^[0-9]+$ ]] || ((10#$2 < $3)); then
        log "$1 must be an integer of at least $3, not \"$2\""
        exit 2
    fi
    echo $((10#$2))
}

mode="${PEER_WAIT_MODE:-coordinator}"
timeout_seconds=$(integer PEER_WAIT_TIMEOUT_SECONDS "${PEER_WAIT_TIMEOUT_SECONDS:-300}" 1) || exit 2
max_delay=$(integer PEER_WAIT_MAX_DELAY_SECONDS "${PEER_WAIT_MAX_DELAY_SECONDS:-16}" 1) || exit 2
port=""
if [ -n "${PEER_WAIT_PORT:-}" ]; then
    port=$(integer PEER_WAIT_PORT "$PEER_WAIT_PORT" 1) || exit 2
fi

now_millis() { local micros="${EPOCHREALTIME/[.,]/}"; echo $((10#$micros / 1000)); }
deadline=$(($(now_millis) + timeout_seconds * 1000))

# Whole seconds left before the deadline, at least 1 and at most $1, for `timeout`.
seconds_left() {
    local left=$(((deadline - $(now_millis) + 999) / 1000))
    ((left > $1)) && left=$1
    ((left < 1)) && left=1
    echo "$left"
}

# Succeeds when $1 resolves and, if a port is set, accepts a TCP connection there.
reachable() {
    local entry address
    entry=$(timeout "$(seconds_left 5)" getent hosts "$1") || {
        problem="does not resolve"
        return 1
    }
    read -r address _ <<<"$entry"
    [ -z "$port" ] && return 0
    timeout "$(seconds_left 3)" bash -c "exec 3<>/dev/tcp/$address/$port" 2>/dev/null && return 0
    problem="resolves to $address but refuses TCP connections on port $port"
    return 1
}

# Sleeps for about $1 seconds, between half and all of it, never past the deadline.
sleep_with_jitter() {
    local millis=$(($1 * 500 + RANDOM % ($1 * 500 + 1)))
    local left=$((deadline - $(now_millis)))
    ((millis > left)) && millis=$left
    ((millis > 0)) && sleep "$((millis / 1000)).$(printf '%03d' $((millis % 1000)))"
}

wait_for() {
    local peer="$1" delay=1 attempt=1 problem=""
    until reachable "$peer"; do
        if (($(now_millis) >= deadline)); then
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
        count=$(integer PEER_JOB_PEER_COUNT "${PEER_JOB_PEER_COUNT:-}" 1) || exit 2
        for ((i = 0; i < count; i++)); do
            wait_for "$PEER_JOB_NAME-$i.$PEER_JOB_DNS_SUFFIX"
        done
        ;;
    *)
        log "PEER_WAIT_MODE must be coordinator or all, not \"$mode\""
        exit 2
        ;;
esac
log "all awaited peers are reachable"
