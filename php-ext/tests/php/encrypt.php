<?php
// Encrypts argv[2] for purpose argv[1]; with argv[3], waits for that file and encrypts again
// (the test rotates the key in between).
require __DIR__ . '/event.inc.php';

report(['envelope' => ml_connector_encrypt($argv[1], $argv[2]), 'error' => ml_connector_last_error()]);
if (isset($argv[3])) {
    wait_for_file($argv[3]);
    report(['envelope' => ml_connector_encrypt($argv[1], $argv[2]), 'error' => ml_connector_last_error()]);
}
