<?php
/**
 * Test-only endpoints: each runs one request of a checkout path of the reference's section 1.3
 * through the stand-in's flow drivers, in a real PHP-FPM request, so ml-connector's hooks, its
 * shutdown hand-off and the extension run exactly as on a shop.
 *
 * | path          | requests                                                                        | who            |
 * |---------------|---------------------------------------------------------------------------------|----------------|
 * | classic       | POST /?wc-ajax=checkout (WooCommerce's own URL; template_redirect, priority 0)   | any shopper    |
 * | block         | POST ?rest_route=/wc-stand-in/v1/block-checkout/draft, then …/place            | any shopper    |
 * | REST          | POST ?rest_route=/wc-stand-in/v1/rest-orders                                   | edit_shop_orders (cookie + X-WP-Nonce) |
 * | admin-created | admin-ajax.php wc_stand_in_add_order, …_add_order_items, …_create_order        | edit_shop_orders + nonce `wc-stand-in-orders` (from the orders screen) |
 *
 * The drivers fire WooCommerce's hooks in the reference's order, including `rest_pre_dispatch` for
 * the route WooCommerce would serve (/wc/store/v1/checkout, /wc/v3/orders). An order is a JSON body:
 * `{"lines": [{"sku": "1900-S", "quantity": 2}], "billing": {…}, "shipping": {"total": "4.90"},
 * "account": {"email": "…"} (classic/block: create an account), "payment": "paid"|"on-hold"|"none"}`;
 * the answer is `{"order_id": N}`.
 *
 * @package WC_Stand_In_E2E
 */

defined( 'ABSPATH' ) || exit;

const WC_STAND_IN_E2E_NONCE = 'wc-stand-in-orders';

add_action( 'template_redirect', 'wc_stand_in_e2e_classic_checkout', 0 );
add_action( 'rest_api_init', 'wc_stand_in_e2e_routes' );
add_action( 'wp_ajax_wc_stand_in_add_order', 'wc_stand_in_e2e_admin_add_order' );
add_action( 'wp_ajax_wc_stand_in_add_order_items', 'wc_stand_in_e2e_admin_add_items' );
add_action( 'wp_ajax_wc_stand_in_create_order', 'wc_stand_in_e2e_admin_create_order' );

/** Classic checkout: WooCommerce posts the checkout form to /?wc-ajax=checkout. */
function wc_stand_in_e2e_classic_checkout() {
	if ( ! isset( $_GET['wc-ajax'] ) || 'checkout' !== $_GET['wc-ajax'] ) { // phpcs:ignore WordPress.Security.NonceVerification -- test-only endpoint
		return;
	}
	$body = wc_stand_in_e2e_body();
	wc_stand_in_e2e_answer(
		function () use ( $body ) {
			return WC_Stand_In_Order_Flows::classic_checkout( wc_stand_in_e2e_order_args( $body ), $body['payment'] ?? 'paid', $body['account'] ?? null );
		}
	);
}

function wc_stand_in_e2e_routes() {
	$route = function ( $path, callable $handler, $permission ) {
		register_rest_route(
			'wc-stand-in/v1',
			$path,
			array(
				'methods'             => 'POST',
				'permission_callback' => $permission,
				'callback'            => function ( WP_REST_Request $request ) use ( $handler ) {
					$body = (array) $request->get_json_params();
					try {
						return array( 'order_id' => WC_Stand_In_E2E_Store::write( function () use ( $handler, $body ) { return $handler( $body ); } ) );
					} catch ( Exception $e ) {
						return new WP_Error( 'wc_stand_in_failed', $e->getMessage(), array( 'status' => 400 ) );
					}
				},
			)
		);
	};
	// The Store API needs no login: shoppers are guests or customers.
	$route(
		'/block-checkout/draft',
		function ( array $body ) {
			return WC_Stand_In_Order_Flows::block_checkout_draft( wc_stand_in_e2e_order_args( $body ) );
		},
		'__return_true'
	);
	$route(
		'/block-checkout/place',
		function ( array $body ) {
			return WC_Stand_In_Order_Flows::block_checkout_place_order( (int) ( $body['order_id'] ?? 0 ), $body['payment'] ?? 'paid', $body['account'] ?? null );
		},
		'__return_true'
	);
	$route(
		'/rest-orders',
		function ( array $body ) {
			return WC_Stand_In_Order_Flows::rest_create_order( wc_stand_in_e2e_order_args( $body ), $body['status'] ?? 'processing', (bool) ( $body['set_paid'] ?? true ) );
		},
		function () {
			return current_user_can( 'edit_shop_orders' );
		}
	);
}

/** Admin "Add order": an auto-draft. */
function wc_stand_in_e2e_admin_add_order() {
	wc_stand_in_e2e_admin_guard();
	wc_stand_in_e2e_answer( array( 'WC_Stand_In_Order_Flows', 'admin_add_order' ) );
}

/** Admin adds the items (AJAX) to the auto-draft. */
function wc_stand_in_e2e_admin_add_items() {
	wc_stand_in_e2e_admin_guard();
	$body = wc_stand_in_e2e_body();
	wc_stand_in_e2e_answer(
		function () use ( $body ) {
			$order_id = (int) ( $body['order_id'] ?? 0 );
			WC_Stand_In_Order_Flows::admin_add_items( $order_id, wc_stand_in_e2e_order_args( $body )['lines'] );
			return $order_id;
		}
	);
}

/** Admin "Create": the auto-draft becomes an order in the chosen status. */
function wc_stand_in_e2e_admin_create_order() {
	wc_stand_in_e2e_admin_guard();
	$body = wc_stand_in_e2e_body();
	wc_stand_in_e2e_answer(
		function () use ( $body ) {
			$order_id = (int) ( $body['order_id'] ?? 0 );
			WC_Stand_In_Order_Flows::admin_create_order( $order_id, $body['status'] ?? 'processing', wc_stand_in_e2e_billing( $body ) );
			return $order_id;
		}
	);
}

function wc_stand_in_e2e_admin_guard() {
	if ( ! check_ajax_referer( WC_STAND_IN_E2E_NONCE, 'nonce', false ) || ! current_user_can( 'edit_shop_orders' ) ) {
		wp_send_json( array( 'error' => 'not allowed' ), 403 );
	}
}

/** Runs a driver on the stored shop and answers `{"order_id": N}` (or the error, HTTP 400). */
function wc_stand_in_e2e_answer( callable $driver ) {
	try {
		$order_id = WC_Stand_In_E2E_Store::write( $driver );
	} catch ( Exception $e ) {
		wp_send_json( array( 'error' => $e->getMessage() ), 400 );
	}
	wp_send_json( array( 'order_id' => (int) $order_id ) );
}

/** The JSON body of a form-less request. */
function wc_stand_in_e2e_body() {
	$body = json_decode( (string) file_get_contents( 'php://input' ), true );
	return is_array( $body ) ? $body : array();
}

/** The drivers' order arguments from a request body: SKUs become the catalogue's products. */
function wc_stand_in_e2e_order_args( array $body ) {
	$lines = array();
	foreach ( (array) ( $body['lines'] ?? array() ) as $line ) {
		$product_id = WC_Stand_In_E2E_Store::product_id( $line['sku'] ?? '' );
		if ( ! $product_id ) {
			throw new InvalidArgumentException( 'no product with SKU ' . ( $line['sku'] ?? '(none)' ) );
		}
		$lines[] = array( 'product_id' => $product_id, 'quantity' => max( 1, (int) ( $line['quantity'] ?? 1 ) ) );
	}
	if ( ! $lines ) {
		throw new InvalidArgumentException( 'an order needs lines' );
	}
	$args = array(
		'lines'   => $lines,
		'billing' => wc_stand_in_e2e_billing( $body ),
	);
	if ( ! empty( $body['shipping'] ) ) {
		$args['shipping'] = array( 'method_id' => 'flat_rate', 'title' => 'Flat rate', 'total' => (string) $body['shipping']['total'] );
	}
	return $args;
}

/** The stand-in's default address, with the body's billing fields over it. */
function wc_stand_in_e2e_billing( array $body ) {
	return array_merge( WC_Stand_In_Order_Flows::address( true ), array_map( 'sanitize_text_field', (array) ( $body['billing'] ?? array() ) ) );
}
