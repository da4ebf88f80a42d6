<?php
// Reads back what the agent (the Rust test) wrote into the spool.
require __DIR__ . '/event.inc.php';

report([
    'status' => ml_connector_status(),
    'check' => ml_connector_agent_status('check:r1'),
    'missing_check' => ml_connector_agent_status('check:none'),
    'orders' => ml_connector_order_sync([5, '6', 7, 'not an id']),
    'orders_of_nothing' => ml_connector_order_sync('5'),
]);
