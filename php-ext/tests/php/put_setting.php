<?php
// Stores one valid settings document and tries an invalid one.
require __DIR__ . '/event.inc.php';

$stored = ml_connector_put_setting('connection', json_encode(['nav_base_url' => 'https://nav.example', 'company' => 'CRONUS']));
$refused = ml_connector_put_setting('broken', '{"nav_base_url":');
report(['stored' => $stored, 'refused' => $refused, 'error' => ml_connector_last_error()]);
