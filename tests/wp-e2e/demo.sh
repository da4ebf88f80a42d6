#!/usr/bin/env bash
# The demo with a real WordPress (the README's `--with-wordpress` variant): Debian's WordPress on
# nginx + PHP-FPM + MariaDB with the ml_connector extension and the plugin, the WooCommerce
# stand-in, the agent, bc-sim and woo-sim — all on 127.0.0.1. The plugin is configured for Business
# Central online against bc-sim (the same values the settings page takes), three sample orders are
# placed through the stand-in's checkout (one with a SKU NAV does not know, so it is parked), and
# the URL and logins are printed. It keeps running for you to click through until Ctrl-C.
#
#   bash tests/wp-e2e/demo.sh            configure and place sample orders
#   bash tests/wp-e2e/demo.sh --empty    leave the settings for you to fill in (values are printed)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
cd "$HERE/../.."
. tests/lib/packages.sh
# `php php8.2` named explicitly: otherwise `wordpress` pulls in Apache and mod_php (platform recipe).
need_packages php php8.2 php8.2-cli php8.2-dev libclang-dev php8.2-fpm php8.2-mysql php8.2-curl \
  php8.2-mbstring php8.2-xml nginx mariadb-server wordpress wordpress-theme-twentytwentythree jq curl
CONFIGURE=1
[ "${1:-}" = "--empty" ] && CONFIGURE=0

echo "== building (first run takes a few minutes)"
cargo build -q -p ml-connector-php -p ml-connector-agent -p bc-sim -p woo-sim
TARGET=${CARGO_TARGET_DIR:-$PWD/target}
export BIN="$TARGET/debug" EXT_SO="$TARGET/debug/libml_connector.so"
export RT=${RT:-/tmp/ml-connector-wp-demo}
trap 'echo; echo "== stopping"; RT="$RT" bash "$HERE/down.sh"; echo "stopped; logs kept in $RT/log"' EXIT
trap 'exit 130' INT TERM
echo "== starting WordPress, the agent and the simulators in $RT"
bash "$HERE/up.sh"
WP=$(jq -r .wp_url "$RT/stack.json")
bc() { jq -r ".bc.$1" "$RT/stack.json"; }

if [ "$CONFIGURE" = 1 ]; then
  echo "== configuring the plugin (as the settings page would) and placing sample orders"
  mapfile -t PHP_EXT <"$RT/php/ext-args"
  WORDPRESS_CONFIG=$(cat "$RT/run/wp-config-name") BC_INFO=$(jq -c .bc "$RT/stack.json") php "${PHP_EXT[@]}" -r '
    $_SERVER["HTTP_HOST"] = "127.0.0.1"; $_SERVER["WORDPRESS_CONFIG"] = getenv("WORDPRESS_CONFIG");
    require "/usr/share/wordpress/wp-load.php";
    require_once ABSPATH . "wp-admin/includes/template.php";   // add_settings_error() and friends
    $bc = json_decode(getenv("BC_INFO"), true);
    wp_set_current_user(1);
    $settings = new ML_Connector_Settings(new ML_Connector_Vault());
    $form = ML_Connector_Settings::defaults();
    $form["nav"] = array_merge($form["nav"], array("tenant" => $bc["tenant"], "environment" => $bc["environment"],
      "company" => $bc["company_name"], "client_id" => $bc["client_id"], "client_secret_new" => $bc["client_secret"],
      "login_url" => $bc["base_url"], "api_url" => $bc["base_url"]));
    update_option(ML_Connector_Settings::OPTION, $settings->sanitize($form));   // publishes to the agent
    foreach (get_settings_errors() as $error) { fwrite(STDERR, $error["message"] . "\n"); }'
  order() { curl -fsS -X POST "$WP/?wc-ajax=checkout" -H 'Content-Type: application/json' -d "$1" | jq -r '"   order \(.order_id): '"$2"'"'; }
  order '{"lines":[{"sku":"1896-S","quantity":1}],"billing":{"email":"jane.doe@example.com","first_name":"Jane","last_name":"Doe"}}' \
    "Jane Doe (NAV customer 30000, found by e-mail)"
  order '{"lines":[{"sku":"1900-S","quantity":2},{"sku":"TSHIRT-M","quantity":1}],"shipping":{"total":"4.90"},"billing":{"email":"ann.guest@example.net","first_name":"Ann","last_name":"Guest"}}' \
    "a guest: a new NAV customer, a variation (TSHIRT variant M) and shipping"
  order '{"lines":[{"sku":"1908-S","quantity":1},{"sku":"GIFT-WRAP","quantity":1}]}' \
    "gift wrapping, a SKU NAV does not know: parked (see the status screen)"
fi

cat <<INFO

WordPress:             $WP/wp-admin/   log in as admin / admin-pass-123
                       (also: manager / manager-pass-123, a shop manager; subscriber / subscriber-pass-123)
ML Connector settings: $WP/wp-admin/admin.php?page=ml-connector   (Test connection is at the bottom)
ML Connector status:   $WP/wp-admin/admin.php?page=ml-connector-status   (parked orders, Replay)
Orders (stand-in):     $WP/wp-admin/admin.php?page=wc-orders   (NAV column and box)

The settings for Business Central online against bc-sim:
  tenant $(bc tenant)   environment $(bc environment)   company $(bc company_name)
  client id $(bc client_id)   client secret $(bc client_secret)
  sign-in URL and API URL (advanced): $(bc base_url)

Place an order (classic checkout, a real PHP-FPM request through the plugin and the extension):
  curl -X POST '$WP/?wc-ajax=checkout' -H 'Content-Type: application/json' \\
    -d '{"lines":[{"sku":"1908-S","quantity":1}],"billing":{"email":"jane.doe@example.com"}}'
Break NAV / heal it:   curl -X PATCH $(bc control_url)/faults -H 'Content-Type: application/json' -d '{"down": true}'   (false to heal)
NAV's sales orders:    curl $(bc control_url)/data/salesOrders
Agent:                 $(jq -r .agent "$RT/stack.json") status

Ctrl-C stops everything (or, from another shell: RT=$RT bash tests/wp-e2e/down.sh).
INFO
while kill -0 "$(cat "$RT/run/agent.bgpid")" 2>/dev/null; do sleep 1; done
