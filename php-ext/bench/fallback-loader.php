<?php
/**
 * Loads the plugin's pure-PHP fallback (PDO SQLite spool) outside WordPress for the hook-cost
 * benchmark: `ML_CONNECTOR_FALLBACK_FILE=$PWD/php-ext/bench/fallback-loader.php php-ext/bench/run.sh`.
 * The fallback reads the same php.ini directives as the extension, so both write the same spool.
 */
define( 'ABSPATH', __DIR__ . '/' );
require_once __DIR__ . '/../../wp-plugin/includes/autoload.php';
require_once __DIR__ . '/../../wp-plugin/includes/functions.php';
