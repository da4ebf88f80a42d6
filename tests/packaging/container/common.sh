# Helpers for the scripts that run inside the test container (sourced; see ../nspawn.sh). They log
# every command to /opt/out/log and leave `PASS` or the failing line in /opt/out/result.
exec >/opt/out/log 2>&1
set -euxo pipefail
# Pipelines end in `grep ... >/dev/null`, never `grep -q`: with pipefail, grep -q's early exit can
# kill the writer with SIGPIPE and fail a check that matched.
trap 'echo "FAIL at line $LINENO: $BASH_COMMAND" > /opt/out/result; journalctl -u ml-connector-agent --no-pager > /opt/out/journal.txt 2>&1 || true' ERR

# expect_stat PATH "owner:group mode"
expect_stat() {
  local found
  found=$(stat -c '%U:%G %a' "$1")
  [ "$found" = "$2" ] || { echo "expected $1 to be $2, found $found"; false; }
}

# wait_for SECONDS COMMAND... : runs COMMAND every 0.1 s until it succeeds.
wait_for() {
  { set +x; } 2>/dev/null  # the polling would fill the log
  local tries=$(($1 * 10)); shift
  for _ in $(seq "$tries"); do
    if "$@" >/dev/null 2>&1; then set -x; return 0; fi
    sleep 0.1
  done
  echo "timed out waiting for: $*"
  set -x
  false
}

# never COMMAND... : fails when COMMAND succeeds (a plain `! cmd` never stops a `set -e` script).
never() {
  if "$@"; then echo "unexpectedly succeeded: $*"; return 1; fi
}

unit_is() { [ "$(systemctl show -p "$1" --value ml-connector-agent)" = "$2" ]; }

agent_running() { ml-connector-agent status | grep '^agent: *running' >/dev/null; }

# What the web server does: PHP as www-data hands an event to the agent through the extension and
# reads the agent's answer from the spool (the group shared by PHP-FPM and the agent, for real).
php_round_trip() {
  local id=$1
  setpriv --reuid=www-data --regid=www-data --init-groups php -r '
    $event = ["schema" => 1, "kind" => "command.check", "object_id" => 0, "origin" => "wp-cli", "hooks" => [],
              "occurred_at" => gmdate("Y-m-d\TH:i:s.000\Z"), "payload" => ["request_id" => $argv[1]]];
    $seq = ml_connector_enqueue(json_encode($event));
    if ($seq === null) { fwrite(STDERR, ml_connector_last_error() . "\n"); exit(1); }
    if (ml_connector_wake() !== "sent") { fwrite(STDERR, "wake not sent\n"); exit(1); }
    if (ml_connector_encrypt("nav.access_key", "secret") === null) { fwrite(STDERR, ml_connector_last_error() . "\n"); exit(1); }
    for ($i = 0; $i < 100; $i++) {
      $answer = ml_connector_agent_status("check:" . $argv[1]);
      if ($answer !== null) { echo $answer["value"], "\n"; exit(0); }
      usleep(100000);
    }
    fwrite(STDERR, "no answer from the agent\n"); exit(1);' "$id"
}
