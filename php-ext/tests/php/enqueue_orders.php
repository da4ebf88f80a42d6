<?php
// Enqueues order events 1..N (argv[1]) and reports the sequence numbers, then wakes the agent.
require __DIR__ . '/event.inc.php';

$count = (int) ($argv[1] ?? 1);
$seqs = [];
for ($id = 1; $id <= $count; $id++) {
    $seqs[] = ml_connector_enqueue(order_event($id));
}
report([
    'seqs' => $seqs,
    'last_error' => ml_connector_last_error(),
    'wake' => ml_connector_wake(),
    'finished' => true,
]);
