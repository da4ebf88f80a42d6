#!/usr/bin/env bash
# The hook-cost benchmark: what handing one ~3 kB order event to ml_connector_enqueue() costs a
# checkout, for durability=full and normal, with the agent's socket listening (a stand-in draining
# the wake datagrams) and with the agent down. Prints p50/p90/p99/max in µs per configuration.
#
#   php-ext/bench/run.sh [events per configuration, default 10000]
#
# Builds the release .so and the wake listener. The spool goes to a fresh directory under the
# workspace's target/ (a real disk; /tmp may be tmpfs, where fsync costs nothing), removed at the
# end. ML_CONNECTOR_FALLBACK_FILE=/abs/fallback.php also measures the plugin's PHP fallback.
set -euo pipefail

EVENTS="${1:-10000}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
cd "$ROOT"

cargo build --release -q -p ml-connector-php
cargo build --release -q -p ml-connector-php --example wake-listener
TARGET="$(cargo metadata --format-version 1 --no-deps | php -r 'echo json_decode(stream_get_contents(STDIN))->target_directory;')"
SO="$TARGET/release/libml_connector.so"
LISTENER="$TARGET/release/examples/wake-listener"

WORK="$(mktemp -d -p "$TARGET" hook-cost.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT

echo "hook cost: $EVENTS events per configuration, php $(php -r 'echo PHP_VERSION;'), $(nproc) cores, spool on $(df --output=fstype "$WORK" | tail -1)"
for durability in full normal; do
    for agent in up down; do
        dir="$WORK/$durability-$agent"
        mkdir -p "$dir"
        listener=""
        if [ "$agent" = up ]; then
            "$LISTENER" "$dir/agent.sock" >"$dir/listener.out" &
            listener=$!
            for _ in $(seq 100); do [ -S "$dir/agent.sock" ] && break; sleep 0.05; done
        fi
        # -n leaves out php.ini: load PDO SQLite for the plugin's fallback by hand.
        php -n -d extension=pdo -d extension=pdo_sqlite -d extension="$SO" \
            -d ml_connector.spool_path="$dir/spool.db" \
            -d ml_connector.key_path="$dir/vault.key" \
            -d ml_connector.wake_socket="$dir/agent.sock" \
            -d ml_connector.durability="$durability" \
            "$HERE/hook-cost.php" "$EVENTS" "durability=$durability, agent $agent"
        if [ -n "$listener" ]; then
            wait "$listener"
            sed 's/^/  /' "$dir/listener.out"
        fi
        rm -rf "$dir"
    done
done
