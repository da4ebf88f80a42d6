<?php
// Enqueues in a parent, then in a forked child (which must not reuse the parent's SQLite
// connection), then in the parent again; each process reports its sequence numbers.
require __DIR__ . '/event.inc.php';

$parent_first = ml_connector_enqueue(order_event(1));
$pid = pcntl_fork();
if ($pid === 0) {
    report(['child' => [ml_connector_enqueue(order_event(2)), ml_connector_enqueue(order_event(3))], 'error' => ml_connector_last_error()]);
    exit(0);
}
pcntl_waitpid($pid, $status);
report(['parent' => [$parent_first, ml_connector_enqueue(order_event(4))], 'child_exit' => pcntl_wexitstatus($status), 'error' => ml_connector_last_error()]);
