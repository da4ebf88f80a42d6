<?php
/**
 * Loads the WooCommerce stand-in (see README.md). Needs only the public WordPress API
 * (do_action, apply_filters, WP_REST_Request, sanitize_text_field) to be loaded first, by a real
 * WordPress or by a test shim.
 */

define( 'WC_STAND_IN_DIR', __DIR__ . '/src/' );

if ( ! defined( 'WC_VERSION' ) ) {
	define( 'WC_VERSION', '10.0.2' );
}

require_once WC_STAND_IN_DIR . 'class-wc-datetime.php';
require_once WC_STAND_IN_DIR . 'class-wc-meta-data.php';
require_once WC_STAND_IN_DIR . 'abstract-wc-data.php';
require_once WC_STAND_IN_DIR . 'class-wc-stand-in-store.php';
require_once WC_STAND_IN_DIR . 'class-wc-stand-in-users.php';
require_once WC_STAND_IN_DIR . 'class-wc-product.php';
require_once WC_STAND_IN_DIR . 'class-wc-order-items.php';
require_once WC_STAND_IN_DIR . 'abstract-wc-order.php';
require_once WC_STAND_IN_DIR . 'class-wc-order.php';
require_once WC_STAND_IN_DIR . 'class-wc-order-refund.php';
require_once WC_STAND_IN_DIR . 'class-wc-customer.php';
require_once WC_STAND_IN_DIR . 'class-woocommerce.php';
require_once WC_STAND_IN_DIR . 'utilities.php';
require_once WC_STAND_IN_DIR . 'functions.php';
require_once WC_STAND_IN_DIR . 'class-wc-stand-in-request.php';
require_once WC_STAND_IN_DIR . 'class-wc-stand-in-order-flows.php';
require_once WC_STAND_IN_DIR . 'class-wc-stand-in-customer-flows.php';
