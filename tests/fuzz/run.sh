#!/usr/bin/env bash
# Fuzzes every target on stable Rust for a bounded time: builds the `fuzz-stable` driver without
# libFuzzer (--no-default-features), runs each target for the given seconds and prints executions
# per second. Exits non-zero on a finding (saved under tests/fuzz/artifacts/<target>/). See
# docs/fuzzing.md.
#
#   tests/fuzz/run.sh [seconds-per-target] [target...]     (default: 10 s, every target)
#
# FUZZ_PROFILE=release (default): optimised, overflow checks and debug assertions kept on
#   (tests/fuzz/Cargo.toml), built in tests/fuzz/target — for the long runs and their figures.
# FUZZ_PROFILE=dev: the dev profile in the workspace's own target directory, so the crates the
#   workspace build already compiled are reused and only the fuzz crate is built — for CI, right
#   after `cargo build --workspace`; several times fewer executions per second.
# FUZZ_ARGS: extra driver options, e.g. FUZZ_ARGS="--seed 7".
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-10}"
shift || true
case "${FUZZ_PROFILE:-release}" in
    release)
        cargo build --release --locked --no-default-features --bin fuzz-stable
        driver=target/release/fuzz-stable
        ;;
    dev)
        export CARGO_TARGET_DIR=../../target
        cargo build --locked --no-default-features --bin fuzz-stable
        driver=../../target/debug/fuzz-stable
        ;;
    *)
        echo "FUZZ_PROFILE must be release or dev" >&2
        exit 2
        ;;
esac
# shellcheck disable=SC2086 # FUZZ_ARGS is a list of options on purpose.
exec "$driver" --seconds "$seconds" ${FUZZ_ARGS:-} "$@"
