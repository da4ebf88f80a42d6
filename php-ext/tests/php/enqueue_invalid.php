<?php
// Hands the extension what a buggy caller could: not JSON, a wrong event, a failed json_encode().
require __DIR__ . '/event.inc.php';

$results = [];
foreach ([
    'not_json' => 'not json',
    'unknown_kind' => order_event(1, 'order.eaten'),
    'no_object' => order_event(0),
    'false' => false,
    'null' => null,
] as $case => $input) {
    $seq = ml_connector_enqueue($input);
    $results[$case] = ['seq' => $seq, 'error' => ml_connector_last_error()];
}
report(['results' => $results, 'finished' => true]);
