<?php
// First enqueue while the Rust test holds the spool's write lock; the second once it let go.
require __DIR__ . '/event.inc.php';

$started = hrtime(true);
$first = ml_connector_enqueue(order_event(1));
report([
    'first' => $first,
    'waited_ms' => (hrtime(true) - $started) / 1e6,
    'error' => ml_connector_last_error(),
]);
wait_for_file($argv[1]);
report(['second' => ml_connector_enqueue(order_event(2))]);
