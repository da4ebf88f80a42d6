<?php
// Reports the directives and whether a script may change them (it must not: PHP_INI_SYSTEM).
require __DIR__ . '/event.inc.php';

$names = ['spool_path', 'key_path', 'wake_socket', 'busy_timeout_ms', 'durability'];
$values = [];
foreach ($names as $name) {
    $values[$name] = ini_get("ml_connector.$name");
}
report(['values' => $values, 'ini_set' => ini_set('ml_connector.spool_path', '/tmp/elsewhere.db')]);
