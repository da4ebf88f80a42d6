#!/usr/bin/env bash
# Brings the WordPress end-to-end stack up, everything on 127.0.0.1 and inside $RT:
#   bc-sim and woo-sim (ready files), the agent (its TOML carries only paths and the woo part:
#   woo-sim; NAV settings come from WP admin through the spool), MariaDB (socket only), PHP-FPM
#   with the built ml_connector extension pointed at the agent's spool, key and socket, nginx,
#   Debian's WordPress installed from PHP CLI with ml-connector and the WooCommerce stand-in
#   active, and the suite's users. Writes $RT/stack.json for the suite and prints the URL.
# Follows /work/shared/reference/platform-recipes.md §2 (Debian WordPress on nginx + php-fpm).
#
# Environment: RT (runtime dir, wiped), BIN (bc-sim, woo-sim, ml-connector-agent), EXT_SO (absolute
# path of the extension), optional WP_PORT (default: a free port), BC_PORT, WOO_PORT (default 0 =
# any). Needs root (MariaDB and nginx drop to their users; PHP-FPM workers run as www-data).
# Stop with down.sh (same RT).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
RT=${RT:?runtime dir}; BIN=${BIN:?dir with bc-sim, woo-sim, ml-connector-agent}; EXT_SO=${EXT_SO:?absolute path of the extension}
free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
WP_PORT=${WP_PORT:-$(free_port)}
WP_URL="http://127.0.0.1:$WP_PORT"
# Debian's wp-config.php picks /etc/wordpress/config-$WORDPRESS_CONFIG.php: one name per runtime dir.
WP_CONFIG_NAME="mlc-e2e-$(printf '%s' "$RT" | md5sum | cut -c1-10)"
AGENT="$BIN/ml-connector-agent --config $RT/agent/agent.toml"

for pidfile in "$RT"/run/*.bgpid; do
  if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    echo "a stack is still running in $RT: stop it first (RT=$RT bash $HERE/down.sh)" >&2; exit 1
  fi
done
rm -rf "$RT"
mkdir -p "$RT"/{my/data,run,log,tmp,php} "$RT/agent/run" "$RT/wp-content"/{plugins,themes,uploads}
chmod 755 "$RT" "$RT/my"
chown -R mysql:mysql "$RT/my"
chown www-data "$RT/wp-content/uploads"
echo "$WP_CONFIG_NAME" >"$RT/run/wp-config-name"
started() { echo "$1" >"$RT/run/$2.bgpid"; }
wait_for() { # what, seconds, command...
  local what=$1 tries=$(( $2 * 10 )); shift 2
  for _ in $(seq "$tries"); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "$what did not start; see $RT/log/" >&2; return 1
}

# --- simulators ---
"$BIN/bc-sim" --listen "127.0.0.1:${BC_PORT:-0}" --seed demo --ready-file "$RT/bc.json" </dev/null >>"$RT/log/bc-sim.log" 2>&1 &
started $! bc-sim
"$BIN/woo-sim" --listen "127.0.0.1:${WOO_PORT:-0}" --seed demo --ready-file "$RT/woo.json" </dev/null >>"$RT/log/woo-sim.log" 2>&1 &
started $! woo-sim

# --- the agent: state, spool and key writable/readable by the web server's group ---
cat >"$RT/agent/agent.toml" <<TOML
[agent]
state_dir = "$RT/agent/state"
spool_path = "$RT/agent/spool/spool.db"
key_path = "$RT/agent/etc/vault.key"
wake_socket = "$RT/agent/run/agent.sock"
log_format = "text"
# A parked order shows within about a second when NAV is down (the defaults wait minutes).
max_attempts = 3
retry_base_ms = 200
retry_cap_ms = 1000
TOML
$AGENT init --web-group www-data >"$RT/log/agent-init.log"
# setgid www-data: the socket the agent binds (mode 0660) is the web server's to write to.
chgrp www-data "$RT/agent" "$RT/agent/run"; chmod 2750 "$RT/agent/run"; chmod 750 "$RT/agent"
wait_for bc-sim 10 test -s "$RT/bc.json"
wait_for woo-sim 10 test -s "$RT/woo.json"
woo() { jq -r ".$1" "$RT/woo.json"; }
WOO_SECRET=$(printf '%s' "$(woo consumer_secret)" | $AGENT vault encrypt --purpose woo.consumer_secret)
cat >>"$RT/agent/agent.toml" <<TOML

# WooCommerce REST is not available on this WordPress (only a stand-in of WooCommerce's PHP side):
# write-back and reconciliation go to woo-sim. This section wins over what WP admin publishes.
[woo]
site_url = "$(woo home_url)"
consumer_key = "$(woo consumer_key)"
consumer_secret = "$WOO_SECRET"
TOML
NO_COLOR=1 ML_CONNECTOR_LOG=info $AGENT run --reconcile-lookback-hours 1 </dev/null >>"$RT/log/agent.log" 2>&1 &
started $! agent

# --- MariaDB, on its socket only ---
mariadb-install-db --no-defaults --datadir="$RT/my/data" --user=mysql \
  --auth-root-authentication-method=socket --skip-test-db >"$RT/log/install-db.log" 2>&1
mariadbd --no-defaults --datadir="$RT/my/data" --user=mysql --socket="$RT/my/mysqld.sock" \
  --pid-file="$RT/my/mysqld.pid" --log-error="$RT/my/mysqld.err" --skip-networking \
  --skip-log-bin --innodb-buffer-pool-size=64M </dev/null >>"$RT/log/mysqld.out" 2>&1 &
started $! mysqld
wait_for MariaDB 10 mariadb-admin --no-defaults -S "$RT/my/mysqld.sock" -uroot ping
mariadb --no-defaults -S "$RT/my/mysqld.sock" -uroot -e "
  CREATE DATABASE wordpress CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
  CREATE USER 'wp'@'localhost' IDENTIFIED BY 'wp'; GRANT ALL ON wordpress.* TO 'wp'@'localhost';"

# --- PHP: the extension and its directives, for FPM and for the CLI steps below ---
PHP_EXT=(-d "extension=$EXT_SO"
  -d "ml_connector.spool_path=$RT/agent/spool/spool.db"
  -d "ml_connector.key_path=$RT/agent/etc/vault.key"
  -d "ml_connector.wake_socket=$RT/agent/run/agent.sock")
printf '%s\n' "${PHP_EXT[@]}" >"$RT/php/ext-args"
cat >"$RT/php-fpm.conf" <<CONF
[global]
pid = $RT/run/php-fpm.pid
error_log = $RT/log/php-fpm.log
daemonize = no
[www]
user = www-data
group = www-data
listen = $RT/run/php-fpm.sock
listen.owner = www-data
pm = static
pm.max_children = 4
catch_workers_output = yes
CONF
php-fpm8.2 --fpm-config "$RT/php-fpm.conf" "${PHP_EXT[@]}" </dev/null >>"$RT/log/php-fpm.out" 2>&1 &
started $! php-fpm

# --- nginx ---
cat >"$RT/nginx.conf" <<CONF
daemon off; user www-data; worker_processes 1;
pid $RT/run/nginx.pid; error_log $RT/log/nginx-error.log; events { worker_connections 256; }
http {
  include /etc/nginx/mime.types; access_log $RT/log/nginx-access.log;
  client_body_temp_path $RT/tmp/body; fastcgi_temp_path $RT/tmp/fcgi; proxy_temp_path $RT/tmp/proxy;
  uwsgi_temp_path $RT/tmp/uwsgi; scgi_temp_path $RT/tmp/scgi;
  server {
    listen 127.0.0.1:$WP_PORT; root /usr/share/wordpress; index index.php;
    location / { try_files \$uri \$uri/ /index.php?\$args; }
    location /wp-content/ { alias $RT/wp-content/; location ~ \.php\$ { deny all; } }
    location ~ \.php\$ {
      try_files \$uri =404;
      include /etc/nginx/fastcgi_params;
      fastcgi_param HTTP_HOST \$host:\$server_port;   # Debian's fastcgi_params drops the port
      fastcgi_param WORDPRESS_CONFIG $WP_CONFIG_NAME;
      fastcgi_param SCRIPT_FILENAME \$document_root\$fastcgi_script_name;
      fastcgi_pass unix:$RT/run/php-fpm.sock;
    }
  }
}
CONF
nginx -e "$RT/log/nginx-error.log" -c "$RT/nginx.conf" </dev/null >>"$RT/log/nginx.out" 2>&1 &
started $! nginx
wait_for nginx 10 curl -fs -o /dev/null "$WP_URL/readme.html"

# --- WordPress: config, content directory, install, plugins, users ---
salt() { head -c 48 /dev/urandom | base64 | tr -d '/+='; }
WP_CONFIG_FILE="/etc/wordpress/config-$WP_CONFIG_NAME.php"
{ echo "<?php"
  echo "define('DB_NAME','wordpress'); define('DB_USER','wp'); define('DB_PASSWORD','wp');"
  echo "define('DB_HOST','localhost:$RT/my/mysqld.sock'); define('DB_CHARSET','utf8mb4');"
  echo "define('WP_HOME','$WP_URL'); define('WP_SITEURL','$WP_URL');"
  echo "define('WP_CONTENT_DIR','$RT/wp-content'); define('WP_CONTENT_URL','$WP_URL/wp-content');"
  echo "define('WP_HTTP_BLOCK_EXTERNAL', true); define('AUTOMATIC_UPDATER_DISABLED', true);"
  echo "define('DISABLE_WP_CRON', true); define('WP_DEBUG', true); define('WP_DEBUG_DISPLAY', false);"
  echo "define('WP_DEBUG_LOG', '$RT/log/wp-debug.log');"
  for k in AUTH_KEY SECURE_AUTH_KEY LOGGED_IN_KEY NONCE_KEY AUTH_SALT SECURE_AUTH_SALT LOGGED_IN_SALT NONCE_SALT; do
    echo "define('$k','$(salt)');"; done
  echo "\$table_prefix = 'wp_';"
} >"$WP_CONFIG_FILE"
chown root:www-data "$WP_CONFIG_FILE"; chmod 640 "$WP_CONFIG_FILE"
install -o www-data -m 644 /dev/null "$RT/log/wp-debug.log"
ln -s /usr/share/wordpress/wp-content/themes/twentytwentythree "$RT/wp-content/themes/"
# Copies, not symlinks: the workers (www-data) may not be able to read the checkout.
cp -r "$REPO/wp-plugin" "$RT/wp-content/plugins/ml-connector"
cp -r "$HERE/plugin" "$RT/wp-content/plugins/wc-stand-in-e2e"
cp -r "$REPO/tests/wc-stand-in" "$RT/wp-content/plugins/wc-stand-in-e2e/wc-stand-in"
cp "$REPO/tests/seed/demo-shop.json" "$RT/wp-content/plugins/wc-stand-in-e2e/"
chmod -R a+rX "$RT/wp-content"

# The CLI steps run as root with the extension loaded, as the web server would have it.
wp_php() { WORDPRESS_CONFIG="$WP_CONFIG_NAME" php "${PHP_EXT[@]}" -r '$_SERVER["HTTP_HOST"] = "127.0.0.1";
  $_SERVER["WORDPRESS_CONFIG"] = getenv("WORDPRESS_CONFIG");'"$1"; }
wp_php 'define("WP_INSTALLING", true);
  require "/usr/share/wordpress/wp-load.php";
  require_once ABSPATH . "wp-admin/includes/upgrade.php";
  add_filter("pre_wp_mail", "__return_true");     // no sendmail here
  if (!is_blog_installed()) wp_install("ml-connector e2e shop", "admin", "admin@example.test", false, "", "admin-pass-123");'
wp_php 'require "/usr/share/wordpress/wp-load.php";
  require_once ABSPATH . "wp-admin/includes/plugin.php";
  foreach (array("wc-stand-in-e2e/wc-stand-in-e2e.php", "ml-connector/ml-connector.php") as $plugin) {
    $r = activate_plugin($plugin);   // the stand-in first: ml-connector provisions into its tables
    if (is_wp_error($r)) { fwrite(STDERR, "$plugin: " . $r->get_error_message() . "\n"); exit(1); }
  }
  // The suite'"'"'s users: a shop manager denied manage_woocommerce, a full shop manager, a subscriber.
  foreach (array("manager-nocap" => "shop_manager", "manager" => "shop_manager", "subscriber" => "subscriber") as $login => $role) {
    $id = wp_insert_user(array("user_login" => $login, "user_pass" => "$login-pass-123", "user_email" => "$login@example.test", "role" => $role));
    if (is_wp_error($id)) { fwrite(STDERR, $id->get_error_message() . "\n"); exit(1); }
    if ("manager-nocap" === $login) { (new WP_User($id))->add_cap("manage_woocommerce", false); }
  }
  echo "active: ", implode(",", get_option("active_plugins")), "\n";' >"$RT/log/wp-setup.log"

jq -n --arg wp_url "$WP_URL" --arg rt "$RT" --arg agent "$AGENT" \
  --slurpfile bc "$RT/bc.json" --slurpfile woo "$RT/woo.json" '{
    wp_url: $wp_url, runtime_dir: $rt, agent: $agent,
    users: {admin: "admin-pass-123", "manager-nocap": "manager-nocap-pass-123", manager: "manager-pass-123", subscriber: "subscriber-pass-123"},
    bc: $bc[0], woo: $woo[0]}' >"$RT/stack.json"
echo "WordPress is up at $WP_URL (stack: $RT/stack.json)"
