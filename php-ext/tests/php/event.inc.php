<?php
// The events the tests hand to the extension, built the way the plugin builds them: one JSON
// object of the event schema with the order in its WooCommerce REST v3 representation.

function order_event(int $order_id, string $kind = 'order.created'): string
{
    return json_encode([
        'schema' => 1,
        'kind' => $kind,
        'object_id' => $order_id,
        'origin' => 'checkout',
        'hooks' => ['woocommerce_new_order'],
        'modified_gmt' => '2026-11-28T10:00:00',
        'occurred_at' => '2026-11-28T10:00:00.120Z',
        'payload' => [
            'id' => $order_id,
            'status' => 'processing',
            'currency' => 'EUR',
            'total' => '29.90',
            'line_items' => [['sku' => 'MUG-01', 'quantity' => 2, 'total' => '19.90']],
        ],
    ]);
}

// The script's result, one JSON line on stdout for the Rust test.
function report(array $result): void
{
    echo json_encode($result), "\n";
    flush();
}

// Waits (bounded) until the Rust test creates the file.
function wait_for_file(string $path): void
{
    $deadline = microtime(true) + 30;
    while (!file_exists($path) && microtime(true) < $deadline) {
        usleep(10000);
    }
}
