#!/bin/sh
# Waits until every peer of an Indexed Job resolves by its short name, <job>-<i>.<subdomain>,
# using the variables PeerJob injects. Exits 0 once all do; exits 1 with a line naming the peer
# when one still does not resolve after the allowed attempts. Lookups back off exponentially
# because CoreDNS caches a miss (30 s under kubeadm's default Corefile).
set -u

attempts="${PEER_LOOKUP_ATTEMPTS:-12}"
max_delay="${PEER_LOOKUP_MAX_DELAY:-16}"

i=0
while [ "$i" -lt "$PEER_JOB_PEER_COUNT" ]; do
    peer="$PEER_JOB_NAME-$i.$PEER_JOB_SUBDOMAIN"
    attempt=1
    delay=1
    [ "$delay" -gt "$max_delay" ] && delay="$max_delay"
    until address=$(getent hosts "$peer"); do
        if [ "$attempt" -ge "$attempts" ]; then
            echo "reach-peers: peer $peer did not resolve after $attempt attempts; giving up" >&2
            exit 1
        fi
        echo "reach-peers: $peer does not resolve yet (attempt $attempt of $attempts)," \
            "retrying in ${delay}s"
        sleep "$delay"
        attempt=$((attempt + 1))
        delay=$((delay * 2))
        [ "$delay" -gt "$max_delay" ] && delay="$max_delay"
    done
    echo "reach-peers: $peer resolves to ${address%% *}"
    i=$((i + 1))
done
echo "reach-peers: all $PEER_JOB_PEER_COUNT peers resolve by name"
