<?php
/**
 * Test bootstrap: the WordPress shim, the WooCommerce stand-in (tests/wc-stand-in, kept out of the
 * shipped plugin), then the plugin's main file as WordPress would include it.
 */

define( 'ABSPATH', sys_get_temp_dir() . '/ml-connector-wordpress/' );

require_once __DIR__ . '/shim/bootstrap.php';
require_once dirname( __DIR__, 2 ) . '/tests/wc-stand-in/bootstrap.php';
require_once dirname( __DIR__ ) . '/ml-connector.php';
require_once __DIR__ . '/support/class-ml-connector-test-case.php';
require_once __DIR__ . '/support/class-event-schema-check.php';
