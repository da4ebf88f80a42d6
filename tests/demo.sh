#!/usr/bin/env bash
# Runs ml-connector end to end on the bundled simulators: a Business Central company (bc-sim) and a
# WooCommerce shop (woo-sim, which also plays the WordPress plugin's hand-off into the spool), with
# the real agent between them. Sample orders — a guest, a returning customer, a variation, a GTIN
# match, a trade customer and one with a SKU NAV does not know — become sales orders; the parked one
# is shown with its reason. Everything listens on 127.0.0.1 and stops on Ctrl-C.
#
#   bash tests/demo.sh                   run, show the result, keep running until Ctrl-C
#   bash tests/demo.sh --no-wait         run, show the result, stop
#   bash tests/demo.sh --with-wordpress  the same with a real WordPress, PHP-FPM and the extension
set -euo pipefail
cd "$(dirname "$0")/.."
[ "${1:-}" = "--with-wordpress" ] && exec bash tests/wp-e2e/demo.sh "${@:2}"
. tests/lib/packages.sh
need_packages jq curl

WAIT=1
[ "${1:-}" = "--no-wait" ] && WAIT=0
RT=$(mktemp -d /tmp/ml-connector-demo.XXXXXX)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  echo "stopped; files kept in $RT"
}
trap cleanup EXIT INT TERM

echo "== building (first run takes a few minutes)"
cargo build -q --bin bc-sim --bin woo-sim --bin ml-connector-agent
BIN=target/debug
AGENT="$BIN/ml-connector-agent --config $RT/agent.toml"

AGENT_SECTION="[agent]
state_dir = \"$RT/state\"
spool_path = \"$RT/spool/spool.db\"
key_path = \"$RT/vault.key\"
wake_socket = \"$RT/agent.sock\"
log_format = \"text\""
echo "$AGENT_SECTION" >"$RT/agent.toml"
echo "== creating the state directory, the spool and a new vault key"
$AGENT init >/dev/null

echo "== starting the simulators"
"$BIN/bc-sim" --listen 127.0.0.1:0 --seed demo --ready-file "$RT/bc.json" >"$RT/bc-sim.log" 2>&1 &
PIDS+=($!)
"$BIN/woo-sim" --listen 127.0.0.1:0 --seed demo --spool "$RT/spool/spool.db" --wake-socket "$RT/agent.sock" \
  --ready-file "$RT/woo.json" >"$RT/woo-sim.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do [ -s "$RT/bc.json" ] && [ -s "$RT/woo.json" ] && break; sleep 0.1; done
[ -s "$RT/bc.json" ] && [ -s "$RT/woo.json" ] || { echo "a simulator did not start; see $RT/*.log"; exit 1; }
bc() { jq -r ".$1" "$RT/bc.json"; }
woo() { jq -r ".$1" "$RT/woo.json"; }

echo "== configuring the agent (secrets encrypted with the vault key)"
secret() { printf '%s' "$2" | $AGENT vault encrypt --purpose "$1"; }
NAV_SECRET=$(secret nav.client_secret "$(bc client_secret)")
WOO_SECRET=$(secret woo.consumer_secret "$(woo consumer_secret)")
cat >"$RT/agent.toml" <<TOML
deployment = "bc_online"

$AGENT_SECTION

[nav]
tenant = "$(bc tenant)"
environment = "$(bc environment)"
company = "$(bc company_name)"
client_id = "$(bc client_id)"
client_secret = "$NAV_SECRET"
login_url = "$(bc base_url)"
api_url = "$(bc base_url)"

[woo]
site_url = "$(woo home_url)"
consumer_key = "$(woo consumer_key)"
consumer_secret = "$WOO_SECRET"

[orders.guests]
mode = "create"

[[orders.rules]]
name = "Trade customers"
when = { email_domain = ["trade.example"] }
then = { dimensions = { CHANNEL = "B2B", CUSTOMERGROUP = "TRADE" }, price_group = "TRADE" }

[[orders.rules]]
name = "Web shop"
when = { created_via = ["checkout", "store-api"] }
then = { dimensions = { CHANNEL = "WEB" }, price_group = "RETAIL" }
TOML

echo "== starting the agent"
$AGENT run >"$RT/agent.log" 2>&1 &
PIDS+=($!)
CHECK=$($AGENT check || true)
echo "$CHECK" | sed 's/^/   /'

echo "== placing sample orders in the shop"
CONTROL="$(woo control_url)"
place() { curl -fsS -X POST "$CONTROL/checkout" -H 'Content-Type: application/json' -d "$1" | jq -r '"\(.id) \(.number)"'; }
declare -A LABEL
add() { read -r id number < <(place "$2"); LABEL[$id]="$1"; echo "   order $number: $1"; }
add "guest checkout (new customer from the billing address)" \
  '{"checkout":"classic","customer_id":0,"billing":{"first_name":"Ann","last_name":"Guest","email":"ann.guest@example.net","address_1":"1 High St","city":"York","postcode":"YO1 7HH","country":"GB"},"items":[{"sku":"1900-S","quantity":2}],"shipping":{"method_title":"DHL","total":"10.00"},"payment_method":"card"}'
add "returning customer Jane Doe (matched by e-mail to NAV customer 30000)" \
  '{"checkout":"block","customer_id":2,"items":[{"sku":"1896-S","quantity":1}],"payment_method":"card"}'
add "a variation: T-shirt size M (item TSHIRT, variant M)" \
  '{"checkout":"classic","customer_id":2,"items":[{"sku":"TSHIRT-M","quantity":3}],"coupons":["welcome10"],"payment_method":"card"}'
add "a lamp the shop sells as WEB-LAMP (matched by GTIN to item 1928-S)" \
  '{"checkout":"classic","customer_id":2,"items":[{"sku":"WEB-LAMP","quantity":1}],"payment_method":"card"}'
add "trade customer Tom Trader (rule: CHANNEL=B2B, price group TRADE)" \
  '{"checkout":"classic","customer_id":3,"items":[{"sku":"1920-S","quantity":2}],"payment_method":"bacs"}'
add "gift wrapping, a SKU NAV does not know (parked)" \
  '{"checkout":"classic","customer_id":2,"items":[{"sku":"1900-S","quantity":1},{"sku":"GIFT-WRAP","quantity":1}],"payment_method":"card"}'

echo "== waiting for the agent"
for _ in $(seq 300); do
  Q=$($AGENT status --json 2>/dev/null | jq -c '.queue' || echo '{}')
  [ "$(echo "$Q" | jq '.pending + .running + .spool')" = "0" ] && break
  sleep 0.2
done

echo "== result: WooCommerce order → Business Central sales order"
ORDERS=$(curl -fsS "$(bc control_url)/data/salesOrders")
for id in $(printf '%s\n' "${!LABEL[@]}" | sort -n); do
  number=$(curl -fsS "$CONTROL/orders/$id" | jq -r '.number')
  so=$(echo "$ORDERS" | jq -r --arg ext "WC-$number" '[.[] | select(.externalDocumentNumber == $ext)] | if length == 0 then "-" else (.[0] | "\(.number) customer \(.customerNumber) total \(.totalAmountIncludingTax) \(.currencyCode)") end')
  printf '   %-6s %-44s %s\n' "$number" "$so" "${LABEL[$id]}"
done
echo
$AGENT status | sed 's/^/   /'
echo
echo "   audit trail: $AGENT audit list"
echo "   replay:      $AGENT replay --parked --dry-run"

if [ "$WAIT" = 1 ]; then
  cat <<INFO

The connector keeps running. Try it:
  Business Central (simulated): $(bc base_url)   control: $(bc control_url)
  WooCommerce (simulated):      $(woo home_url)/wp-json/wc/v3   control: $(woo control_url)
  place an order:  curl -X POST $CONTROL/checkout -H 'Content-Type: application/json' \\
                     -d '{"checkout":"classic","customer_id":2,"items":[{"sku":"1908-S","quantity":1}]}'
  status:          $AGENT status
Ctrl-C stops everything.
INFO
  while kill -0 "${PIDS[2]}" 2>/dev/null; do sleep 1; done
fi
