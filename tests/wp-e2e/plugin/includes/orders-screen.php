<?php
/**
 * WooCommerce's menu and its HPOS orders screen (admin.php?page=wc-orders), reduced to what
 * ml-connector hooks into: the list fires `manage_woocommerce_page_wc-orders_columns` and
 * `…_custom_column` per cell, and the order page (`&action=edit&id=N`) fires `add_meta_boxes` with
 * the screen id and draws the side meta boxes — as WooCommerce's ListTable and Edit classes do.
 * The list also carries the nonce the admin-created path's requests need (checkout-paths.php).
 *
 * @package WC_Stand_In_E2E
 */

defined( 'ABSPATH' ) || exit;

// WooCommerce registers its menu at priority 9, before other plugins add their submenus.
add_action( 'admin_menu', 'wc_stand_in_e2e_menu', 9 );
add_action( 'admin_menu', 'wc_stand_in_e2e_menu_without_home', PHP_INT_MAX );

function wc_stand_in_e2e_menu() {
	add_menu_page( 'WooCommerce', 'WooCommerce', 'edit_others_shop_orders', 'woocommerce', '', 'dashicons-cart', '55.5' );
	add_submenu_page( 'woocommerce', 'Orders', 'Orders', 'edit_shop_orders', 'wc-orders', 'wc_stand_in_e2e_orders_screen' );
}

/** WordPress repeats the top-level item as the first submenu entry; WooCommerce's Home is not here. */
function wc_stand_in_e2e_menu_without_home() {
	remove_submenu_page( 'woocommerce', 'woocommerce' );
}

function wc_stand_in_e2e_orders_screen() {
	$screen_id = wc_get_page_screen_id( 'shop-order' );
	if ( isset( $_GET['action'], $_GET['id'] ) && 'edit' === $_GET['action'] ) { // phpcs:ignore WordPress.Security.NonceVerification -- display only
		wc_stand_in_e2e_order_page( $screen_id, wc_get_order( absint( $_GET['id'] ) ) ); // phpcs:ignore WordPress.Security.NonceVerification -- display only
		return;
	}
	$columns = apply_filters(
		'manage_' . $screen_id . '_columns',
		array(
			'order_number'    => 'Order',
			'order_date'      => 'Date',
			'order_status'    => 'Status',
			'billing_address' => 'Billing',
			'order_total'     => 'Total',
		)
	);
	echo '<div class="wrap"><h1 class="wp-heading-inline">Orders</h1><hr class="wp-header-end" />';
	echo '<div id="wc-stand-in-orders" data-nonce="' . esc_attr( wp_create_nonce( WC_STAND_IN_E2E_NONCE ) ) . '"></div>';
	echo '<table class="wp-list-table widefat fixed striped table-view-list orders"><thead><tr>';
	foreach ( $columns as $key => $label ) {
		echo '<th scope="col" id="' . esc_attr( $key ) . '" class="manage-column column-' . esc_attr( $key ) . '">' . esc_html( $label ) . '</th>';
	}
	echo '</tr></thead><tbody>';
	foreach ( array_reverse( array_keys( WC_Stand_In_Store::$orders ) ) as $id ) {
		$order = wc_get_order( $id );
		if ( ! $order instanceof WC_Order || $order->has_status( array( 'auto-draft', 'checkout-draft', 'trash' ) ) ) {
			continue;
		}
		echo '<tr id="order-' . esc_attr( (string) $id ) . '">';
		foreach ( array_keys( $columns ) as $column ) {
			echo '<td class="column-' . esc_attr( $column ) . '">';
			wc_stand_in_e2e_cell( $screen_id, $column, $order );
			echo '</td>';
		}
		echo '</tr>';
	}
	echo '</tbody></table></div>';
}

function wc_stand_in_e2e_cell( $screen_id, $column, WC_Order $order ) {
	$billing = $order->get_address( 'billing' );
	switch ( $column ) {
		case 'order_number':
			echo '<a href="' . esc_url( $order->get_edit_order_url() ) . '"><strong>#' . esc_html( $order->get_order_number() . ' ' . $billing['first_name'] . ' ' . $billing['last_name'] ) . '</strong></a>';
			break;
		case 'order_date':
			echo esc_html( $order->get_date_created() ? $order->get_date_created()->format( 'Y-m-d H:i' ) : '' );
			break;
		case 'order_status':
			echo '<mark class="order-status status-' . esc_attr( $order->get_status() ) . '"><span>' . esc_html( wc_get_order_statuses()[ 'wc-' . $order->get_status() ] ?? $order->get_status() ) . '</span></mark>';
			break;
		case 'billing_address':
			echo esc_html( $billing['email'] . ', ' . $billing['city'] );
			break;
		case 'order_total':
			echo esc_html( $order->get_total() . ' ' . $order->get_currency() . ' (' . $order->get_created_via() . ')' );
			break;
		default:
			do_action( 'manage_' . $screen_id . '_custom_column', $column, $order );
	}
}

/** The order page: its lines and totals, and the side meta boxes other plugins add. */
function wc_stand_in_e2e_order_page( $screen_id, $order ) {
	if ( ! $order instanceof WC_Order ) {
		wp_die( 'Invalid order.', '', array( 'response' => 404 ) );
	}
	do_action( 'add_meta_boxes', $screen_id, $order );
	do_action( 'add_meta_boxes_' . $screen_id, $order );
	echo '<div class="wrap"><h1>Order #' . esc_html( $order->get_order_number() ) . ' details</h1>';
	echo '<div id="poststuff"><div id="post-body" class="metabox-holder columns-2"><div id="post-body-content">';
	echo '<p>Status: <strong>' . esc_html( $order->get_status() ) . '</strong> — created via ' . esc_html( $order->get_created_via() ) . ', ' . esc_html( $order->get_address( 'billing' )['email'] ) . '</p>';
	echo '<table class="widefat striped"><thead><tr><th>Item</th><th>SKU</th><th>Qty</th><th>Total</th></tr></thead><tbody>';
	foreach ( $order->get_items() as $item ) {
		$product = $item->get_product();
		echo '<tr><td>' . esc_html( $item->get_name() ) . '</td><td>' . esc_html( $product ? $product->get_sku() : '' ) . '</td><td>' . esc_html( (string) $item->get_quantity() ) . '</td><td>' . esc_html( (string) $item->get_total() ) . '</td></tr>';
	}
	echo '</tbody></table><p>Total: <strong>' . esc_html( $order->get_total() . ' ' . $order->get_currency() ) . '</strong></p>';
	echo '</div><div id="postbox-container-1" class="postbox-container">';
	do_meta_boxes( $screen_id, 'side', $order );
	echo '</div></div></div></div>';
}
