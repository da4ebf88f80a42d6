#!/usr/bin/env bash
# Stops what up.sh started in $RT, by process id: all are told to stop at once, then each is
# waited for (MariaDB takes a few seconds to flush InnoDB; whatever is still running after 15 s
# is killed). Removes the WordPress config up.sh put in /etc/wordpress. The runtime dir stays for
# its logs.
RT=${RT:?runtime dir}
pids=()
for s in nginx php-fpm agent woo-sim bc-sim mysqld; do
  f="$RT/run/$s.bgpid"; [ -f "$f" ] || continue
  pid=$(cat "$f"); rm -f "$f"
  if [ "$pid" -gt 1 ] 2>/dev/null && kill "$pid" 2>/dev/null; then pids+=("$pid"); fi
done
for pid in "${pids[@]}"; do
  for _ in $(seq 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null
done
if [ -f "$RT/run/wp-config-name" ]; then
  rm -f "/etc/wordpress/config-$(cat "$RT/run/wp-config-name").php" "$RT/run/wp-config-name"
fi
exit 0
