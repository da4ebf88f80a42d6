#!/bin/bash
# Inside the test container (a fresh root booted with systemd, no PHP configuration yet: the
# layout of a non-Debian host, PHP's own scan directories): runs agent/packaging/install.sh with
# the built binaries, checks what it made, that the agent runs and the doctor is satisfied, then
# runs it again and checks that the key and an edited configuration are kept.
. /opt/sd/common.sh

# PHP's programs are there (the alternatives make /usr/bin/php), its configuration is not.
cp -a /opt/host-etc/alternatives /etc/

bash /opt/src/agent/packaging/install.sh --from /opt/payload > /opt/out/install-1.txt

expect_stat /usr/local/bin/ml-connector-agent "root:root 755"
expect_stat /etc/systemd/system/ml-connector-agent.service "root:root 644"
grep -qx 'ExecStart=/usr/local/bin/ml-connector-agent --config /etc/ml-connector/agent.toml run' \
  /etc/systemd/system/ml-connector-agent.service.d/install.conf
expect_stat /etc/ml-connector "root:www-data 750"
expect_stat /etc/ml-connector/agent.toml "root:www-data 640"
expect_stat /etc/ml-connector/vault.key "ml-connector:www-data 640"
expect_stat /var/lib/ml-connector "ml-connector:www-data 750"
expect_stat /var/lib/ml-connector/spool "ml-connector:www-data 2770"
expect_stat /var/lib/ml-connector/spool/spool.db "ml-connector:www-data 660"
[ "$(getent passwd ml-connector | cut -d: -f4)" = 33 ]
expect_stat /usr/lib/php/20220829/ml_connector.so "root:root 644"
expect_stat /etc/php/8.2/cli/conf.d/20-ml_connector.ini "root:root 644"
expect_stat /etc/php/8.2/fpm/conf.d/20-ml_connector.ini "root:root 644"
php -m | grep -x ml_connector >/dev/null
unzip -l /usr/local/share/ml-connector/ml-connector.zip | grep ' ml-connector/ml-connector.php$' >/dev/null

[ "$(systemctl is-enabled ml-connector-agent)" = enabled ]
wait_for 20 unit_is ActiveState active
wait_for 10 agent_running
php_round_trip install-1 > /opt/out/check-answer.json
grep -q '"request_id":"install-1"' /opt/out/check-answer.json
# Exit 0: every local check passes (NAV and WooCommerce not configured are warnings).
ml-connector-agent doctor > /opt/out/doctor.txt

# Again, as an upgrade: key and edited configuration kept, agent restarted.
key_sum=$(sha256sum /etc/ml-connector/vault.key)
echo '# edited by the admin' >> /etc/ml-connector/agent.toml
pid=$(systemctl show -p MainPID --value ml-connector-agent)
bash /opt/src/agent/packaging/install.sh --from /opt/payload > /opt/out/install-2.txt
[ "$(sha256sum /etc/ml-connector/vault.key)" = "$key_sum" ]
tail -1 /etc/ml-connector/agent.toml | grep -x '# edited by the admin' >/dev/null
grep -q 'config   /etc/ml-connector/agent.toml (kept)' /opt/out/install-2.txt
grep -q 'kept: an existing key is never replaced' /opt/out/install-2.txt
wait_for 20 unit_is ActiveState active
[ "$(systemctl show -p MainPID --value ml-connector-agent)" != "$pid" ]
wait_for 10 agent_running

systemctl stop ml-connector-agent
unit_is Result success

echo PASS > /opt/out/result
