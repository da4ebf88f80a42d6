<?php
// What a WooCommerce order costs the checkout inside PHP: building the ~3 kB order event JSON and
// handing it to ml_connector_enqueue(), over N events (default 10,000), with percentiles in µs.
// Run by bench/run.sh, which sets the ml_connector.* directives and starts or stops the agent's
// stand-in; usable alone too:
//
//   php -n -d extension=/abs/libml_connector.so -d ml_connector.spool_path=/tmp/b/spool.db \
//       bench/hook-cost.php 10000 "full, agent down"

$count = (int) ($argv[1] ?? 10000);
$label = $argv[2] ?? ini_get('ml_connector.durability') . ' durability';

/** A realistic WooCommerce REST v3 order: 3 line items, addresses, meta, shipping and tax lines. */
function order(int $id): array
{
    $address = [
        'first_name' => 'Annegret', 'last_name' => 'Müller-Lüdenscheidt', 'company' => 'Gartenbau Müller GmbH',
        'address_1' => 'Hauptstraße 117', 'address_2' => 'Hinterhaus, 2. OG', 'city' => 'Lüdenscheid',
        'state' => 'NW', 'postcode' => '58507', 'country' => 'DE',
    ];
    $line = fn (int $n, string $sku, string $name, int $qty, string $price) => [
        'id' => $id * 10 + $n, 'name' => $name, 'product_id' => 400 + $n, 'variation_id' => 0,
        'quantity' => $qty, 'tax_class' => '', 'subtotal' => $price, 'subtotal_tax' => '3.80',
        'total' => $price, 'total_tax' => '3.80',
        'taxes' => [['id' => 1, 'total' => '3.80', 'subtotal' => '3.80']],
        'meta_data' => [['id' => 900 + $n, 'key' => '_reduced_stock', 'value' => (string) $qty]],
        'sku' => $sku, 'price' => (float) $price / $qty, 'image' => ['id' => 70 + $n, 'src' => "https://shop.example/wp-content/uploads/2026/11/$sku.jpg"],
        'parent_name' => null,
    ];
    return [
        'id' => $id, 'parent_id' => 0, 'status' => 'processing', 'currency' => 'EUR', 'version' => '8.2.1',
        'prices_include_tax' => true, 'date_created' => '2026-11-28T11:00:00', 'date_created_gmt' => '2026-11-28T10:00:00',
        'date_modified' => '2026-11-28T11:00:01', 'date_modified_gmt' => '2026-11-28T10:00:01',
        'discount_total' => '0.00', 'discount_tax' => '0.00', 'shipping_total' => '4.90', 'shipping_tax' => '0.93',
        'cart_tax' => '11.40', 'total' => '77.20', 'total_tax' => '12.33', 'customer_id' => 57,
        'order_key' => 'wc_order_' . substr(md5((string) $id), 0, 13),
        'billing' => $address + ['email' => 'a.mueller@gartenbau-mueller.example', 'phone' => '+49 2351 123456'],
        'shipping' => $address + ['phone' => ''],
        'payment_method' => 'stripe', 'payment_method_title' => 'Kreditkarte (Stripe)',
        'transaction_id' => 'pi_3Q' . str_repeat('x', 22), 'customer_ip_address' => '203.0.113.42',
        'customer_user_agent' => 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36',
        'created_via' => 'checkout', 'customer_note' => 'Bitte beim Nachbarn abgeben, falls niemand da ist.',
        'date_completed' => null, 'date_paid' => '2026-11-28T11:00:01', 'cart_hash' => md5("cart$id"),
        'number' => (string) $id,
        'meta_data' => [
            ['id' => 1, 'key' => '_stripe_customer_id', 'value' => 'cus_R' . str_repeat('y', 13)],
            ['id' => 2, 'key' => 'is_vat_exempt', 'value' => 'no'],
        ],
        'line_items' => [
            $line(1, 'MUG-01', 'Kaffeebecher Steingut, blau', 2, '19.90'),
            $line(2, 'TEE-ORG-250', 'Bio-Tee Assam 250 g', 1, '8.50'),
            $line(3, 'GIFT-WRAP', 'Geschenkverpackung', 1, '2.00'),
        ],
        'tax_lines' => [['id' => 5, 'rate_code' => 'DE-MWST-1', 'rate_id' => 1, 'label' => 'MwSt.', 'compound' => false, 'tax_total' => '11.40', 'shipping_tax_total' => '0.93', 'rate_percent' => 19]],
        'shipping_lines' => [['id' => 6, 'method_title' => 'DHL Paket', 'method_id' => 'flat_rate', 'instance_id' => '3', 'total' => '4.90', 'total_tax' => '0.93', 'taxes' => [['id' => 1, 'total' => '0.93']]]],
        'fee_lines' => [], 'coupon_lines' => [], 'refunds' => [],
    ];
}

/** The event the plugin builds at `shutdown` for a new order. */
function order_event(int $id): string
{
    return json_encode([
        'schema' => 1, 'kind' => 'order.created', 'object_id' => $id, 'origin' => 'checkout',
        'hooks' => ['woocommerce_new_order', 'woocommerce_checkout_order_processed'],
        'modified_gmt' => '2026-11-28T10:00:01', 'occurred_at' => gmdate('Y-m-d\TH:i:s') . '.000Z',
        'payload' => order($id),
    ]);
}

/** p50/p90/p99/max of nanosecond samples, in µs. */
function summary(array $ns): string
{
    sort($ns);
    $at = fn (float $p) => $ns[max(0, (int) ceil($p * count($ns)) - 1)] / 1000;
    return sprintf('p50 %7.1f  p90 %7.1f  p99 %7.1f  max %8.1f µs', $at(0.50), $at(0.90), $at(0.99), end($ns) / 1000);
}

/** Measures `$enqueue` over $count events; returns [build samples, enqueue samples, failures]. */
function measure(callable $enqueue, int $count, int $first_id): array
{
    $build = $hand_off = [];
    $failures = 0;
    for ($i = 0; $i < $count; $i++) {
        $t0 = hrtime(true);
        $json = order_event($first_id + $i);
        $t1 = hrtime(true);
        $failures += $enqueue($json) === null ? 1 : 0;
        $t2 = hrtime(true);
        $build[] = $t1 - $t0;
        $hand_off[] = $t2 - $t1;
    }
    return [$build, $hand_off, $failures];
}

/** Appends the samples (µs) as one JSON line to $BENCH_RESULTS for tests/bench/report.py. */
function record_samples(string $path, string $label, array $hand_off): void
{
    $file = getenv('BENCH_RESULTS');
    if ($file === false || $file === '') {
        return;
    }
    $line = json_encode([
        'bench' => 'hook_cost', 'figure' => 'enqueue', 'path' => $path, 'label' => $label,
        'durability' => ini_get('ml_connector.durability') ?: 'full',
        'agent' => str_contains($label, 'agent up') ? 'up' : 'down',
        'samples_us' => array_map(fn ($ns) => round($ns / 1000, 1), $hand_off),
    ]);
    file_put_contents($file, $line . "\n", FILE_APPEND | LOCK_EX);
}

function print_results(string $label, array $build, array $hand_off, int $failures): void
{
    if ($failures > 0) {
        // A failed hand-off returns early: its timing would flatter the figure. Refuse to report.
        fwrite(STDERR, "$label: $failures of " . count($hand_off) . " hand-offs failed; no figure recorded\n");
        exit(1);
    }
    $total = array_map(fn ($a, $b) => $a + $b, $build, $hand_off);
    printf("%s (%d events, %d failed)\n", $label, count($hand_off), $failures);
    printf("  enqueue          %s\n", summary($hand_off));
    printf("  build + enqueue  %s\n", summary($total));
    printf("  build only       %s\n", summary($build));
}

$size = strlen(order_event(1));
$t0 = hrtime(true);
$first = ml_connector_enqueue(order_event(1));
$first_call_us = (hrtime(true) - $t0) / 1000;
if ($first === null) {
    fwrite(STDERR, 'first enqueue failed: ' . ml_connector_last_error() . "\n");
    exit(1);
}
printf("%s: event %d bytes; first call in this process (opens the spool) %.1f µs\n", $label, $size, $first_call_us);
[$build, $hand_off, $failures] = measure('ml_connector_enqueue', $count, 2);
print_results("  ml_connector_enqueue, $label", $build, $hand_off, $failures);
record_samples('extension', $label, $hand_off);
printf("  wake after the run: %s\n", ml_connector_wake());

// ---------------------------------------------------------------------------------------------
// PHP FALLBACK (wp-plugin/, PDO SQLite): measured the same way when the plugin's fallback defines
// ml_connector_fallback_enqueue(string $json): ?int. Load it with
//   ML_CONNECTOR_FALLBACK_FILE=/abs/path/to/fallback.php bench/run.sh
// (or `-d auto_prepend_file=...` when running this script by hand).
// ---------------------------------------------------------------------------------------------
$fallback_file = getenv('ML_CONNECTOR_FALLBACK_FILE');
if ($fallback_file !== false && $fallback_file !== '') {
    require_once $fallback_file;
}
if (function_exists('ml_connector_fallback_enqueue')) {
    [$build, $hand_off, $failures] = measure('ml_connector_fallback_enqueue', $count, 2 + $count);
    print_results("  ml_connector_fallback_enqueue, $label", $build, $hand_off, $failures);
    record_samples('fallback', $label, $hand_off);
} else {
    echo "  (ml_connector_fallback_enqueue() not defined: PHP fallback not measured)\n";
}
