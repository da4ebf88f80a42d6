#!/usr/bin/env bash
# The test command (README, CI): installs what the tests need on Debian 12, builds everything, runs
# the Rust tests (unit, contract tests of both simulators, PHP extension, end to end), the plugin's
# PHPUnit tests, the WordPress end-to-end suite in a real browser, and the packaging checks (as root:
# systemd-nspawn and dpkg). Servers the tests start listen on 127.0.0.1 only and stop with them.
set -euo pipefail
cd "$(dirname "$0")/.."
. tests/lib/packages.sh
# A one-off build: incremental compilation caches only cost disk here.
export CARGO_INCREMENTAL=0
need_packages php8.2-cli php8.2-dev php8.2-sqlite3 php8.2-mbstring php8.2-xml libclang-dev phpunit

echo "== cargo build (workspace, including the PHP extension)"
cargo build --workspace --all-targets --locked
echo "== cargo test"
cargo test --workspace --locked -- --test-threads="${TEST_THREADS:-2}"
echo "== fuzzing: every target 10 s on stable Rust (tests/fuzz, docs/fuzzing.md)"
FUZZ_PROFILE=dev bash tests/fuzz/run.sh 10
echo "== PHPUnit (wp-plugin)"
phpunit -c wp-plugin/phpunit.xml.dist
echo "== php -l (wp-plugin)"
find wp-plugin -name '*.php' -print0 | xargs -0 -n1 php -l >/dev/null
echo "== WordPress end to end: real WordPress, PHP-FPM, headless Chromium (tests/wp-e2e)"
bash tests/wp-e2e/run.sh
echo "== packaging: systemd unit, .deb and install.sh in systemd-nspawn (tests/packaging)"
bash tests/packaging/run.sh
echo "all tests passed"
