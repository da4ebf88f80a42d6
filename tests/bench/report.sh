#!/usr/bin/env bash
# Regenerates docs/benchmarks.md and its charts (docs/benchmarks/*.png) from the benchmark programs:
# the hook cost inside PHP (php-ext/bench), orders (tests/e2e/examples/bench_orders.rs), inventory
# (tests/e2e/examples/inventory_bench.rs) and customer linking (customers_link_bench.rs). Each program
# prints its figures for a human and appends the same data as JSON lines to $BENCH_RESULTS; report.py
# renders them with the machine described and each figure compared with its target.
#
#   bash tests/bench/report.sh            # full run, about 10 minutes on 2 cores
#   QUICK=1 bash tests/bench/report.sh    # smaller sizes, for trying the script (not for docs/)
#
# Run it on a quiet machine: every figure is wall-clock time.
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/lib/packages.sh
need_packages python3-matplotlib php8.2-cli php8.2-dev php8.2-sqlite3 libclang-dev

if [ -n "${QUICK:-}" ]; then
  HOOK_EVENTS=2000; ORDERS=500; THROTTLE_SECS=20; SKUS=1000,10000; CUSTOMERS=1000; OUT=target/bench/quick
else
  HOOK_EVENTS=10000; ORDERS=3000; THROTTLE_SECS=60; SKUS=1000,10000,100000; CUSTOMERS=10000; OUT=docs
fi
mkdir -p target/bench
export BENCH_RESULTS="$PWD/target/bench/results.jsonl"
rm -f "$BENCH_RESULTS"

echo "== building (release)"
cargo build --release --locked -p ml-connector-agent -p ml-connector-php
cargo build --release --locked -p ml-connector-e2e --examples
export ML_CONNECTOR_AGENT="$PWD/target/release/ml-connector-agent"

echo "== hook cost: $HOOK_EVENTS events per configuration"
ML_CONNECTOR_FALLBACK_FILE="$PWD/php-ext/bench/fallback-loader.php" bash php-ext/bench/run.sh "$HOOK_EVENTS"
echo "== orders: latency, throughput ($ORDERS orders), throttle (${THROTTLE_SECS} s)"
target/release/examples/bench_orders "$ORDERS" "$THROTTLE_SECS"
echo "== inventory: $SKUS SKUs"
target/release/examples/inventory_bench "$SKUS"
if [ -x target/release/examples/customers_link_bench ]; then
  echo "== customers: initial linking of $CUSTOMERS"
  target/release/examples/customers_link_bench "$CUSTOMERS"
fi

echo "== report → $OUT/benchmarks.md"
mkdir -p "$OUT"
/usr/bin/python3 tests/bench/report.py "$BENCH_RESULTS" "$OUT" \
  --machine "$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/{print $2}') GiB RAM, $(. /etc/os-release; echo "$PRETTY_NAME"), kernel $(uname -r)" \
  --tools "$(rustc --version), PHP $(php -r 'echo PHP_VERSION;'), SQLite $(php -r 'echo (new PDO("sqlite::memory:"))->query("select sqlite_version()")->fetchColumn();')"
