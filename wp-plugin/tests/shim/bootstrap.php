<?php
/**
 * A small, faithful shim of the WordPress functions the plugin (and the WooCommerce stand-in)
 * use: the plugin API with priorities and accepted args, options and the Settings API (including
 * options.php's save path), nonces, roles, capabilities and the current user, admin notices and
 * screens, wp_die / JSON responses / redirects (thrown, since they end the request), escaping and
 * sanitising, WP_Error, WP_REST_Request, the REST API's routes and serving (rest.php), an
 * in-memory $wpdb and a WP_CLI stand-in.
 * WP_Shim::reset() gives every test a fresh WordPress.
 */

require_once __DIR__ . '/class-wp-shim.php';
require_once __DIR__ . '/hooks.php';
require_once __DIR__ . '/options.php';
require_once __DIR__ . '/users.php';
require_once __DIR__ . '/security.php';
require_once __DIR__ . '/formatting.php';
require_once __DIR__ . '/admin.php';
require_once __DIR__ . '/classes.php';
require_once __DIR__ . '/rest.php';
require_once __DIR__ . '/wp-cli.php';

WP_Shim::reset();
