<?php
/**
 * WooCommerce functions the plugin calls (wc_get_order, wc_format_decimal,
 * wc_rest_prepare_date_response, wc_api_hash...) and the core routines the flows run
 * (wc_create_refund, wc_create_new_customer, the stock listeners).
 */

/** @return WC_Order|WC_Order_Refund|false */
function wc_get_order( $the_order = false ) {
	if ( $the_order instanceof WC_Abstract_Order ) {
		$the_order = $the_order->get_id();
	} elseif ( is_object( $the_order ) && isset( $the_order->ID ) ) {
		$the_order = $the_order->ID;
	}
	$id = absint( $the_order );
	if ( ! $id || ! isset( WC_Stand_In_Store::$orders[ $id ] ) ) {
		return false;
	}
	$class = WC_Stand_In_Store::$orders[ $id ]['class'];
	return new $class( $id );
}

/** @return WC_Product|false */
function wc_get_product( $the_product = false ) {
	$id = absint( $the_product );
	return ( $id && isset( WC_Stand_In_Store::$products[ $id ] ) ) ? new WC_Product( $id ) : false;
}

function wc_get_order_statuses() {
	return array(
		'wc-pending'        => 'Pending payment',
		'wc-processing'     => 'Processing',
		'wc-on-hold'        => 'On hold',
		'wc-completed'      => 'Completed',
		'wc-cancelled'      => 'Cancelled',
		'wc-refunded'       => 'Refunded',
		'wc-failed'         => 'Failed',
		'wc-checkout-draft' => 'Draft',
	);
}

function wc_get_price_decimals() {
	return 2;
}

function wc_format_decimal( $number, $dp = false, $trim_zeros = false ) {
	$number = null === $number ? '' : $number;
	if ( ! is_float( $number ) ) {
		$number = preg_replace( '/[^0-9\.,-]/', '', (string) $number );
	}
	if ( false !== $dp ) {
		$dp     = intval( '' === $dp ? wc_get_price_decimals() : $dp );
		$number = number_format( floatval( $number ), $dp, '.', '' );
	} elseif ( is_float( $number ) ) {
		$number     = sprintf( '%.6f', $number );
		$trim_zeros = true;
	}
	if ( $trim_zeros && false !== strpos( $number, '.' ) ) {
		$number = rtrim( rtrim( $number, '0' ), '.' );
	}
	return $number;
}

function wc_rest_prepare_date_response( $date, $utc = true ) {
	if ( ! $date instanceof WC_DateTime ) {
		return null;
	}
	return gmdate( 'Y-m-d\TH:i:s', $utc ? $date->getTimestamp() : $date->getOffsetTimestamp() );
}

function wc_clean( $value ) {
	return is_array( $value ) ? array_map( 'wc_clean', $value ) : ( is_scalar( $value ) ? sanitize_text_field( (string) $value ) : $value );
}

function wc_rand_hash() {
	return bin2hex( random_bytes( 20 ) );
}

function wc_api_hash( $data ) {
	return hash_hmac( 'sha256', $data, 'wc-api' );
}

function wc_get_page_screen_id( $for ) {
	if ( 'shop-order' === $for ) {
		return WC_Stand_In_Store::$hpos ? 'woocommerce_page_wc-orders' : 'shop_order';
	}
	return $for;
}

/** Account creation at checkout and My Account (and inside a new WC_Customer's save). */
function wc_create_new_customer( $email, $username = '', $password = '', $args = array() ) {
	$username = '' !== $username ? $username : strstr( $email, '@', true );
	do_action( 'woocommerce_register_post', $username, $email, new WP_Error() );
	$data = array_merge(
		array(
			'email'    => $email,
			'username' => $username,
			'role'     => 'customer',
		),
		$args
	);
	$id   = WC_Stand_In_Users::insert( $data );
	do_action( 'woocommerce_created_customer', $id, $data, '' === $password );
	return $id;
}

/**
 * wc_create_refund(), in the reference's firing order: create_refund, refund saved, restock,
 * partially/fully refunded (+ status refunded), parent save, refund_created, order_refunded.
 *
 * @param array $args amount, reason, order_id, line_items (order item id => qty, refund_total,
 *                    refund_tax), refund_payment, restock_items.
 */
function wc_create_refund( $args = array() ) {
	$args   = array_merge(
		array(
			'amount'         => 0,
			'reason'         => '',
			'order_id'       => 0,
			'line_items'     => array(),
			'refund_payment' => false,
			'restock_items'  => false,
		),
		$args
	);
	$order  = wc_get_order( $args['order_id'] );
	$refund = new WC_Order_Refund();
	$refund->set_currency( $order->get_currency() );
	$refund->set_amount( $args['amount'] );
	$refund->set_parent_id( $order->get_id() );
	$refund->set_reason( $args['reason'] );
	$refund->set_refunded_by( function_exists( 'get_current_user_id' ) ? get_current_user_id() : 1 );
	$refund->set_refunded_payment( (bool) $args['refund_payment'] );
	$order_items = $order->get_items( array( 'line_item', 'shipping', 'fee' ) );
	foreach ( $args['line_items'] as $item_id => $line ) {
		$original = $order_items[ $item_id ];
		$item     = clone $original;
		$item->set_id( 0 );
		$item->delete_meta_data( '_reduced_stock' );
		if ( $item instanceof WC_Order_Item_Product ) {
			$item->set_quantity( -1 * (int) $line['qty'] );
			$item->set_subtotal( -1 * (float) $line['refund_total'] );
			$item->set_total( -1 * (float) $line['refund_total'] );
			$item->set_taxes(
				array(
					'subtotal' => array_map( 'wc_stand_in_negate', $line['refund_tax'] ?? array() ),
					'total'    => array_map( 'wc_stand_in_negate', $line['refund_tax'] ?? array() ),
				)
			);
		}
		$item->add_meta_data( '_refunded_item_id', $item_id, true );
		$refund->add_item( $item );
	}
	do_action( 'woocommerce_create_refund', $refund, $args );
	$refund->save();
	if ( $args['restock_items'] ) {
		foreach ( $args['line_items'] as $item_id => $line ) {
			$product = $order_items[ $item_id ]->get_product();
			if ( $product && null !== $product->get_stock_quantity() ) {
				$old = $product->get_stock_quantity();
				wc_update_product_stock( $product, (int) $line['qty'], 'increase' );
				do_action( 'woocommerce_restock_refunded_item', $product->get_id(), $old, $old + (int) $line['qty'], $order, $product );
			}
		}
	}
	$order = wc_get_order( $order->get_id() );
	if ( (float) $order->get_remaining_refund_amount() > 0 ) {
		do_action( 'woocommerce_order_partially_refunded', $order->get_id(), $refund->get_id() );
	} else {
		do_action( 'woocommerce_order_fully_refunded', $order->get_id(), $refund->get_id() );
		if ( ! $order->has_status( 'refunded' ) ) {
			$order->update_status( 'refunded' );
		}
	}
	$order->set_date_modified( WC_Stand_In_Store::$now );
	$order->save();
	do_action( 'woocommerce_refund_created', $refund->get_id(), $args );
	do_action( 'woocommerce_order_refunded', $order->get_id(), $refund->get_id() );
	return $refund;
}

function wc_stand_in_negate( $amount ) {
	return (string) ( -1 * (float) $amount );
}

/** The atomic stock update of an order path, then the set_stock hook (never an order save). */
function wc_update_product_stock( $product, $stock_quantity = null, $operation = 'set' ) {
	$product = $product instanceof WC_Product ? $product : wc_get_product( $product );
	$current = (int) $product->get_stock_quantity();
	$new     = 'set' === $operation ? (int) $stock_quantity : ( 'increase' === $operation ? $current + $stock_quantity : $current - $stock_quantity );
	WC_Stand_In_Store::$products[ $product->get_id() ]['props']['stock_quantity'] = $new;
	$product = wc_get_product( $product->get_id() );
	do_action( $product->get_parent_id() ? 'woocommerce_variation_set_stock' : 'woocommerce_product_set_stock', $product );
	do_action( 'woocommerce_updated_product_stock', $product->get_id() );
	return $new;
}

/** Core's listener on payment_complete / processing / completed / on-hold: reduce once. */
function wc_maybe_reduce_stock_levels( $order_id ) {
	$row = WC_Stand_In_Store::$orders[ $order_id ];
	if ( ! empty( $row['props']['order_stock_reduced'] ) ) {
		return;
	}
	$order = wc_get_order( $order_id );
	foreach ( $order->get_items() as $item ) {
		$product = $item->get_product();
		if ( $product && null !== $product->get_stock_quantity() ) {
			$from = $product->get_stock_quantity();
			$to   = wc_update_product_stock( $product, $item->get_quantity(), 'decrease' );
			do_action( 'woocommerce_reduce_order_item_stock', $item, array( 'product' => $product, 'from' => $from, 'to' => $to ), $order );
		}
	}
	// An internal data-store prop: written without an order save, so no woocommerce_update_order.
	WC_Stand_In_Store::$orders[ $order_id ]['props']['order_stock_reduced'] = true;
	do_action( 'woocommerce_reduce_order_stock', $order );
}

/** Core's listener on cancelled / pending: restore what was reduced. */
function wc_maybe_increase_stock_levels( $order_id ) {
	$row = WC_Stand_In_Store::$orders[ $order_id ];
	if ( empty( $row['props']['order_stock_reduced'] ) ) {
		return;
	}
	$order = wc_get_order( $order_id );
	foreach ( $order->get_items() as $item ) {
		$product = $item->get_product();
		if ( $product && null !== $product->get_stock_quantity() ) {
			$new = wc_update_product_stock( $product, $item->get_quantity(), 'increase' );
			do_action( 'woocommerce_restore_order_item_stock', $item, $new, $new - $item->get_quantity(), $order );
		}
	}
	WC_Stand_In_Store::$orders[ $order_id ]['props']['order_stock_reduced'] = false;
	do_action( 'woocommerce_restore_order_stock', $order );
}
