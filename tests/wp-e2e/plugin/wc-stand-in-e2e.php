<?php
/**
 * Plugin Name: WooCommerce stand-in (ml-connector end-to-end tests only)
 * Description: Loads tests/wc-stand-in into a real WordPress so ml-connector runs as on a shop. Test scaffolding: never install it on a real site.
 * Version:     0.1.0
 * License:     GPL-2.0-or-later
 *
 * WooCommerce itself cannot be installed here (no network), so this plugin gives WordPress the
 * parts of it ml-connector touches — and nothing of ml-connector: that plugin runs unchanged.
 *
 * - The stand-in's classes and functions (WC_Order, wc_get_order() ...), so ml-connector starts.
 * - The stand-in's store, kept between requests in one option (WC_Stand_In_E2E_Store).
 * - What WooCommerce's installer creates and ml-connector relies on: the roles `customer` and
 *   `shop_manager`, WooCommerce's capabilities on administrators, and the table
 *   `woocommerce_api_keys` (the agent's REST key is provisioned into it).
 * - The catalogue: the demo shop's products (tests/seed/demo-shop.json, copied next to this file
 *   by up.sh), so bc-sim knows every SKU but GIFT-WRAP.
 * - The WooCommerce menu with its orders screen, where ml-connector draws its column and box
 *   (includes/orders-screen.php).
 * - Test-only endpoints that run each checkout path of the reference's section 1.3 in real
 *   PHP-FPM requests (includes/checkout-paths.php).
 * - No emoji script: the test browser has no internet to load WordPress's emoji images from.
 *
 * @package WC_Stand_In_E2E
 */

defined( 'ABSPATH' ) || exit;

require_once __DIR__ . '/wc-stand-in/bootstrap.php';
require_once __DIR__ . '/includes/class-wc-stand-in-e2e-store.php';
require_once __DIR__ . '/includes/orders-screen.php';
require_once __DIR__ . '/includes/checkout-paths.php';

WC_Stand_In_E2E_Store::load();

// Not WooCommerce, the test browser: it has no internet, and WordPress's emoji script would swap
// characters such as ✔ for images from s.w.org that cannot load here.
remove_action( 'wp_head', 'print_emoji_detection_script', 7 );
add_action(
	'admin_init',
	function () {
		remove_action( 'admin_print_scripts', 'print_emoji_detection_script' ); // added by wp-admin after plugins load
	}
);

register_activation_hook( __FILE__, 'wc_stand_in_e2e_install' );

/** What WC_Install does on activation, as far as ml-connector depends on it; then the catalogue. */
function wc_stand_in_e2e_install() {
	global $wpdb;
	$capabilities = array(
		'manage_woocommerce',
		'view_woocommerce_reports',
		'edit_shop_order',
		'read_shop_order',
		'edit_shop_orders',
		'edit_others_shop_orders',
		'publish_shop_orders',
		'delete_shop_orders',
	);
	add_role( 'customer', 'Customer', array( 'read' => true ) );
	add_role( 'shop_manager', 'Shop manager', array( 'read' => true, 'view_admin_dashboard' => true ) );
	foreach ( array( 'administrator', 'shop_manager' ) as $role_name ) {
		$role = get_role( $role_name );
		foreach ( $capabilities as $capability ) {
			$role->add_cap( $capability );
		}
	}
	require_once ABSPATH . 'wp-admin/includes/upgrade.php';
	// WooCommerce's schema of the REST keys table (WC_Install::get_schema()).
	dbDelta(
		"CREATE TABLE {$wpdb->prefix}woocommerce_api_keys (
  key_id BIGINT UNSIGNED NOT NULL auto_increment,
  user_id BIGINT UNSIGNED NOT NULL,
  description varchar(200) NULL,
  permissions varchar(10) NOT NULL,
  consumer_key char(64) NOT NULL,
  consumer_secret char(43) NOT NULL,
  nonces longtext NULL,
  truncated_key char(7) NOT NULL,
  last_access datetime NULL default null,
  PRIMARY KEY  (key_id),
  KEY consumer_key (consumer_key),
  KEY consumer_secret (consumer_secret)
) {$wpdb->get_charset_collate()};"
	);
	WC_Stand_In_E2E_Store::write(
		function () {
			if ( ! WC_Stand_In_Store::$products ) {
				wc_stand_in_e2e_add_catalogue( __DIR__ . '/demo-shop.json' );
			}
		}
	);
}

/**
 * The demo shop's products: every NAV item under its shop SKU (`woo_sku` or the item number), its
 * variants as variations `<sku>-<code>`, and the shop-only products. All pay the stand-in's one
 * tax rate (20 %, NAV's STANDARD): orders in the suite use STANDARD items only.
 */
function wc_stand_in_e2e_add_catalogue( $seed_file ) {
	$seed = json_decode( (string) file_get_contents( $seed_file ), true );
	if ( ! is_array( $seed ) ) {
		throw new RuntimeException( "the demo shop $seed_file is not readable JSON" );
	}
	foreach ( $seed['items'] as $item ) {
		$sku       = ! empty( $item['woo_sku'] ) ? $item['woo_sku'] : $item['number'];
		$parent_id = WC_Stand_In_Order_Flows::create_product(
			array( 'name' => $item['name'], 'sku' => $sku, 'price' => (string) $item['price'] ) + ( isset( $item['stock'] ) ? array( 'stock' => (int) $item['stock'] ) : array() )
		);
		foreach ( $item['variants'] ?? array() as $variant ) {
			WC_Stand_In_Order_Flows::create_product(
				array(
					'name'      => $item['name'] . ' - ' . $variant['name'],
					'sku'       => $sku . '-' . $variant['code'],
					'price'     => (string) $item['price'],
					'parent_id' => $parent_id,
				) + ( isset( $variant['stock'] ) ? array( 'stock' => (int) $variant['stock'] ) : array() )
			);
		}
	}
	foreach ( $seed['woo_only_products'] ?? array() as $product ) {
		WC_Stand_In_Order_Flows::create_product( array( 'name' => $product['name'], 'sku' => $product['sku'], 'price' => (string) $product['price'] ) );
	}
}
