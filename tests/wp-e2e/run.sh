#!/usr/bin/env bash
# The WordPress end-to-end suite — the one command tests/run.sh calls. Installs what it needs on
# Debian 12 (Debian's WordPress on nginx + PHP-FPM + MariaDB, Chromium; playwright-core from the
# lock file), builds the PHP extension, the agent and both simulators, brings the stack up on
# 127.0.0.1 (up.sh), runs the browser suite (suite/), stops everything (down.sh) and exits non-zero
# when a test failed. Screenshots go to tests/wp-e2e/out/, logs stay in $RT/log.
#
#   bash tests/wp-e2e/run.sh        (RT=/some/dir to choose the runtime dir; it is wiped)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
cd "$HERE/../.."
. tests/lib/packages.sh
# `php php8.2` named explicitly: otherwise `wordpress` pulls in Apache and mod_php (platform recipe).
need_packages php php8.2 php8.2-cli php8.2-dev libclang-dev php8.2-fpm php8.2-mysql php8.2-curl \
  php8.2-mbstring php8.2-xml nginx mariadb-server wordpress wordpress-theme-twentytwentythree chromium jq curl

step() { echo "== $1 ($(( SECONDS - STARTED ))s)"; }
STARTED=$SECONDS
step "npm ci (tests/wp-e2e)"
(cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error)
step "cargo build (extension, agent, simulators)"
cargo build --locked -q -p ml-connector-php -p ml-connector-agent -p bc-sim -p woo-sim
TARGET=${CARGO_TARGET_DIR:-$PWD/target}
export BIN="$TARGET/debug" EXT_SO="$TARGET/debug/libml_connector.so"
export RT=${RT:-$(mktemp -d /tmp/ml-connector-wp-e2e.XXXXXX)}

finish() {
  local status=$?
  step "stopping the stack"
  RT="$RT" bash "$HERE/down.sh"
  if [ "$status" -ne 0 ]; then
    echo "WordPress end-to-end suite FAILED; logs in $RT/log, screenshots in $HERE/out" >&2
  fi
  step "done"
  exit "$status"
}
trap finish EXIT
step "starting the stack in $RT"
bash "$HERE/up.sh"
step "suite"
rm -rf "$HERE/out"
(cd "$HERE" && node --test --test-concurrency=1 suite/)
