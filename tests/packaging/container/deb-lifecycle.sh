#!/bin/bash
# Inside the test container (a fresh Debian root booted with systemd, see ../nspawn.sh): installs
# the .deb as on a new host, checks files, owners and modes, runs the unit for real (READY,
# heartbeat, PHP round trip, kill -9 and restart, SIGHUP reload, stop), upgrades in place, removes
# and purges, checking what stays and what goes.
. /opt/sd/common.sh

# The host's package database (so dependencies resolve) and PHP's configuration (PHP "installed");
# no policy-rc.d, so the package's scripts really start the unit as on a real host.
cp -a /opt/host-dpkg /var/lib/dpkg
# The host's own overrides name groups this fresh /etc does not have (e.g. ssl-cert).
: > /var/lib/dpkg/statoverride
cp -a /opt/host-php /etc/php
# What every Debian system's /etc has and this fresh one lacks: alternatives (/usr/bin/php is one),
# PAM (adduser runs chfn), the account tools' settings.
cp -a /opt/host-etc/alternatives /opt/host-etc/pam.d /opt/host-etc/login.defs /opt/host-etc/adduser.conf /opt/host-etc/deluser.conf /etc/
rm -f /usr/sbin/policy-rc.d

dpkg -i /opt/payload/ml-connector.deb

# --- files, owners, modes ---
expect_stat /usr/bin/ml-connector-agent "root:root 755"
expect_stat /usr/lib/php/20220829/ml_connector.so "root:root 644"
expect_stat /usr/lib/systemd/system/ml-connector-agent.service "root:root 644"
expect_stat /usr/share/ml-connector/ml-connector.zip "root:root 644"
expect_stat /etc/php/8.2/mods-available/ml_connector.ini "root:root 644"
expect_stat /etc/ml-connector "root:www-data 750"
expect_stat /etc/ml-connector/agent.toml "root:www-data 640"
expect_stat /etc/ml-connector/vault.key "ml-connector:www-data 640"
expect_stat /var/lib/ml-connector "ml-connector:www-data 750"
expect_stat /var/lib/ml-connector/spool "ml-connector:www-data 2770"
expect_stat /var/lib/ml-connector/spool/spool.db "ml-connector:www-data 660"
[ "$(getent passwd ml-connector | cut -d: -f4,6,7)" = "33:/var/lib/ml-connector:/usr/sbin/nologin" ]
for sapi in cli fpm; do
  [ "$(readlink "/etc/php/8.2/$sapi/conf.d/20-ml_connector.ini")" = /etc/php/8.2/mods-available/ml_connector.ini ]
done
php -m | grep -x ml_connector >/dev/null
unzip -l /usr/share/ml-connector/ml-connector.zip | grep ' ml-connector/ml-connector.php$' >/dev/null

# --- the unit: enabled and started by postinst; READY (Type=notify) only once the agent runs ---
[ "$(systemctl is-enabled ml-connector-agent)" = enabled ]
wait_for 20 unit_is ActiveState active
unit_is SubState running
unit_is Type notify
unit_is WatchdogUSec 30s
pid=$(systemctl show -p MainPID --value ml-connector-agent)
expect_stat "/proc/$pid" "ml-connector:www-data 555"
grep -q '^CapEff:	0000000000000000$' "/proc/$pid/status"
expect_stat /run/ml-connector "ml-connector:www-data 750"
expect_stat /run/ml-connector/agent.sock "ml-connector:www-data 660"
wait_for 10 agent_running
ml-connector-agent status > /opt/out/status.txt
# Everything local passes; NAV and WooCommerce are not configured (a supported state: warnings).
ml-connector-agent doctor > /opt/out/doctor.txt
ml-connector-agent doctor --json > /opt/out/doctor.json
php_round_trip deb-1 > /opt/out/check-answer.json
grep -q '"request_id":"deb-1"' /opt/out/check-answer.json

# --- kill -9: systemd restarts it (Restart=on-failure) ---
[ "$pid" -gt 1 ]
kill -9 "$pid"
wait_for 20 unit_is NRestarts 1
wait_for 20 unit_is ActiveState active
new_pid=$(systemctl show -p MainPID --value ml-connector-agent)
[ "$new_pid" -gt 1 ]
[ "$new_pid" != "$pid" ]
wait_for 10 agent_running

# --- SIGHUP reload (ExecReload): same process, settings read again ---
systemctl reload ml-connector-agent
wait_for 10 sh -c 'journalctl -u ml-connector-agent --no-pager | grep "settings reloaded" >/dev/null'
unit_is MainPID "$new_pid"
unit_is ActiveState active

# --- watchdog: the agent's pings keep it alive for more than WatchdogSec; when it hangs (SIGSTOP),
# systemd aborts and restarts it. Shortened to 3 s here (a runtime drop-in; no core files).
dropin=/run/systemd/system/ml-connector-agent.service.d
mkdir -p "$dropin"
printf '[Service]\nWatchdogSec=3s\nLimitCORE=0\n' > "$dropin/ci-watchdog.conf"
systemctl daemon-reload
systemctl restart ml-connector-agent
pid=$(systemctl show -p MainPID --value ml-connector-agent)
sleep 7
unit_is MainPID "$pid"
unit_is ActiveState active
kill -STOP "$pid"
wait_for 20 sh -c 'journalctl -u ml-connector-agent --no-pager | grep "Watchdog timeout" >/dev/null'
wait_for 20 unit_is ActiveState active
[ "$(systemctl show -p MainPID --value ml-connector-agent)" != "$pid" ]
rm -r "$dropin"
systemctl daemon-reload
systemctl restart ml-connector-agent
wait_for 10 agent_running

# --- stop: clean (STOPPING=1, exit 0), socket and runtime directory gone ---
systemctl stop ml-connector-agent
unit_is ActiveState inactive
unit_is Result success
journalctl -u ml-connector-agent --no-pager | grep -E 'ml-connector-agent\[[0-9]+\]: +INFO stopped$' >/dev/null
[ ! -e /run/ml-connector ]

# --- upgrade in place: the key and an edited agent.toml are kept, the agent is started again ---
key_sum=$(sha256sum /etc/ml-connector/vault.key)
echo '# edited by the admin' >> /etc/ml-connector/agent.toml
dpkg -i /opt/payload/ml-connector.deb
[ "$(sha256sum /etc/ml-connector/vault.key)" = "$key_sum" ]
tail -1 /etc/ml-connector/agent.toml | grep -x '# edited by the admin' >/dev/null
expect_stat /etc/ml-connector/agent.toml "root:www-data 640"
wait_for 20 unit_is ActiveState active

# --- remove: stopped, program gone; user, configuration, key, spool and state kept ---
dpkg -r ml-connector
unit_is ActiveState inactive
[ ! -e /usr/bin/ml-connector-agent ]
[ ! -e /usr/lib/php/20220829/ml_connector.so ]
[ ! -e /etc/php/8.2/cli/conf.d/20-ml_connector.ini ]
[ ! -e /etc/php/8.2/fpm/conf.d/20-ml_connector.ini ]
getent passwd ml-connector
[ "$(sha256sum /etc/ml-connector/vault.key)" = "$key_sum" ]
[ -f /etc/ml-connector/agent.toml ]
[ -f /var/lib/ml-connector/spool/spool.db ]
[ -f /var/lib/ml-connector/state.db ]
never sh -c 'php -m | grep -x ml_connector >/dev/null'

# --- purge: user, state, spool, key, configuration and PHP ini gone ---
dpkg -P ml-connector
never getent passwd ml-connector
[ ! -e /var/lib/ml-connector ]
[ ! -e /etc/ml-connector ]
[ ! -e /etc/php/8.2/mods-available/ml_connector.ini ]
[ -z "$(find /etc/php /var/lib/php -name '*ml_connector*' 2>/dev/null)" ]
never dpkg-statoverride --list /etc/ml-connector/agent.toml
[ -z "$(find /etc/systemd /var/lib/systemd -name 'ml-connector*' 2>/dev/null)" ]
[ "$(dpkg-query -W -f='${db:Status-Status}' ml-connector 2>/dev/null || true)" != installed ]

echo PASS > /opt/out/result
