<?php
/**
 * Order flow drivers: each public method is one HTTP request of the reference's section 1.3 and
 * fires the actions in that order. Between two methods the caller ends the request (WordPress fires
 * `shutdown`). Orders are described as arrays:
 *
 *     lines    => [['product_id' => 11, 'quantity' => 2, 'total' => '30.00' (optional, default price × qty),
 *                   'subtotal' => '40.00' (optional, before discounts)]]
 *     shipping => ['method_id' => 'flat_rate', 'title' => 'Flat rate', 'total' => '4.90'] (optional)
 *     fees     => [['name' => 'Gift wrap', 'total' => '2.00']] (optional)
 *     coupons  => [['code' => 'SPRING', 'discount' => '10.00']] (optional)
 *     billing, shipping_address, customer_id, customer_note, payment_method, payment_method_title
 */
final class WC_Stand_In_Order_Flows {

	/**
	 * Classic (shortcode) checkout, one request: validation, customer (optional account), order
	 * built in memory, one save (new_order before items are saved), checkout hooks, payment.
	 *
	 * @param string $payment 'paid' (gateway calls payment_complete), 'on-hold' (offline gateway), 'none'
	 * @param array|null $account ['email', 'username'] to create an account during checkout
	 */
	public static function classic_checkout( array $order_args, $payment = 'paid', $account = null ) {
		$posted = array( 'payment_method' => $order_args['payment_method'] ?? 'bacs' );
		do_action( 'woocommerce_before_checkout_process' );
		do_action( 'woocommerce_checkout_process' );

		$customer_id = $order_args['customer_id'] ?? 0;
		if ( $account ) {
			$customer_id = wc_create_new_customer( $account['email'], $account['username'] ?? '' );
		}
		if ( $customer_id ) {
			$customer = new WC_Customer( $customer_id );
			$customer->set_billing( $order_args['billing'] ?? self::address( true ) );
			do_action( 'woocommerce_checkout_update_customer', $customer, $posted );
			$customer->save();
			do_action( 'woocommerce_checkout_update_user_meta', $customer_id, $posted );
		}

		$order = self::build_order( $order_args, 'checkout' );
		$order->set_customer_id( $customer_id );
		do_action( 'woocommerce_checkout_create_order', $order, $posted );
		foreach ( $order->get_items() as $key => $item ) {
			do_action( 'woocommerce_checkout_create_order_line_item', $item, 'cart-' . $key, array(), $order );
		}
		$order_id = $order->save();
		do_action( 'woocommerce_checkout_update_order_meta', $order_id, $posted );
		do_action( 'woocommerce_checkout_order_created', $order );
		do_action( 'woocommerce_checkout_order_processed', $order_id, $posted, $order );
		self::pay( $order, $payment );
		return $order_id;
	}

	/**
	 * Block checkout, first request (checkout page / Store API cart): the checkout-draft order.
	 * Since ≈9.1 no woocommerce_new_order here (see WC_Stand_In_Store::$draft_new_order).
	 */
	public static function block_checkout_draft( array $order_args ) {
		return WC_Stand_In_Request::rest(
			'GET',
			'/wc/store/v1/checkout',
			function () use ( $order_args ) {
				$order = self::build_order( $order_args, 'store-api' );
				$order->set_status( 'checkout-draft' );
				$order->save();
				do_action( 'woocommerce_store_api_checkout_update_order_meta', $order );
				return $order->get_id();
			}
		);
	}

	/**
	 * Block checkout, the POST /wc/store/v1/checkout request: draft updated and saved, optional
	 * account, checkout_order_processed while still checkout-draft, then pending (new_order) and
	 * payment.
	 */
	public static function block_checkout_place_order( $order_id, $payment = 'paid', $account = null ) {
		return WC_Stand_In_Request::rest(
			'POST',
			'/wc/store/v1/checkout',
			function ( $request ) use ( $order_id, $payment, $account ) {
				$order = wc_get_order( $order_id );
				do_action( 'woocommerce_store_api_checkout_update_order_meta', $order );
				do_action( 'woocommerce_store_api_checkout_update_order_from_request', $order, $request );
				$order->save();
				if ( $account ) {
					$customer_id = wc_create_new_customer( $account['email'], $account['username'] ?? '' );
					$customer    = new WC_Customer( $customer_id );
					$customer->set_billing( $order->get_address( 'billing' ) );
					$customer->save();
					$order->set_customer_id( $customer_id );
					$order->save();
				}
				do_action( 'woocommerce_store_api_checkout_order_processed', $order );
				$order->update_status( 'pending' );
				self::pay( $order, $payment );
				return $order_id;
			}
		);
	}

	/** Admin "Add order" (request 1): an auto-draft, which fires no order hook. */
	public static function admin_add_order() {
		$order = new WC_Order();
		$order->set_object_read( false );
		$order->set_status( 'auto-draft' );
		$order->set_created_via( 'admin' );
		$order->set_object_read( true );
		return $order->save();
	}

	/** Admin adds items / recalculates over AJAX (request 2): saves while still auto-draft. */
	public static function admin_add_items( $order_id, array $lines ) {
		$order = wc_get_order( $order_id );
		self::add_lines( $order, $lines );
		$order->calculate_totals();
	}

	/**
	 * Admin "Create" (request 3): manual status, one save leaving auto-draft (new_order, items
	 * already saved), status hooks, then woocommerce_process_shop_order_meta.
	 */
	public static function admin_create_order( $order_id, $status = 'processing', array $billing = array() ) {
		$order = wc_get_order( $order_id );
		$order->set_address( $billing ? $billing : self::address( true ), 'billing' );
		$order->set_status( $status, '', true );
		$order->save();
		do_action( 'woocommerce_process_shop_order_meta', $order_id, $order );
	}

	/** Admin "Update" on the order screen: three saves (items box, data box, recalculation). */
	public static function admin_update_order( $order_id, $status = null, $customer_note = null ) {
		$order = wc_get_order( $order_id );
		do_action( 'woocommerce_process_shop_order_meta', $order_id, $order );
		$order->save();
		if ( null !== $customer_note ) {
			$order->set_customer_note( $customer_note );
		}
		if ( null !== $status ) {
			$order->set_status( $status, '', true );
		}
		$order->save();
		$order->save();
	}

	/** A status change from the orders list (bulk action) or the order screen. */
	public static function admin_change_status( $order_id, $status ) {
		wc_get_order( $order_id )->update_status( $status, '', true );
	}

	/**
	 * REST POST /wc/v3/orders: save (new_order, status pending, items unsaved), calculate_totals
	 * (two saves), requested status (save + transition), set_paid, rest_insert_shop_order_object.
	 */
	public static function rest_create_order( array $order_args, $status = 'processing', $set_paid = false ) {
		return WC_Stand_In_Request::rest(
			'POST',
			'/wc/v3/orders',
			function ( $request ) use ( $order_args, $status, $set_paid ) {
				$order = self::build_order( $order_args, $order_args['created_via'] ?? 'rest-api' );
				$order->set_customer_id( $order_args['customer_id'] ?? 0 );
				$order->save();
				$order->calculate_totals();
				$order->set_status( $status );
				$order->save();
				if ( $set_paid ) {
					$order->payment_complete( 'rest-txn' );
				}
				do_action( 'woocommerce_rest_insert_shop_order_object', $order, $request, true );
				return $order->get_id();
			}
		);
	}

	/**
	 * REST PUT /wc/v3/orders/{id}: status and meta changes in one save, then the insert hook.
	 *
	 * @param array $meta key => value, e.g. the agent writing back the NAV number
	 */
	public static function rest_update_order( $order_id, $status = null, array $meta = array() ) {
		WC_Stand_In_Request::rest(
			'PUT',
			'/wc/v3/orders/' . $order_id,
			function ( $request ) use ( $order_id, $status, $meta ) {
				$order = wc_get_order( $order_id );
				foreach ( $meta as $key => $value ) {
					$order->update_meta_data( $key, $value );
				}
				if ( null !== $status ) {
					$order->set_status( $status, '', true );
				}
				$order->save();
				do_action( 'woocommerce_rest_insert_shop_order_object', $order, $request, false );
			}
		);
	}

	/** A plugin or gateway writes order meta only (save_meta_data: a full save under HPOS). */
	public static function meta_only_save( $order_id, $key, $value ) {
		$order = wc_get_order( $order_id );
		$order->update_meta_data( $key, $value );
		$order->save_meta_data();
	}

	/**
	 * Cancellation: 'admin' (order screen), 'customer' (My Account "Cancel"), 'timeout' (unpaid
	 * order cancelled by the scheduled job).
	 */
	public static function cancel_order( $order_id, $by = 'admin' ) {
		$order = wc_get_order( $order_id );
		if ( 'customer' === $by ) {
			$order->update_status( 'cancelled', 'Order cancelled by customer.' );
			do_action( 'woocommerce_cancelled_order', $order_id );
			return;
		}
		$order->update_status( 'cancelled', 'admin' === $by ? '' : 'Unpaid order cancelled - time limit reached.', 'admin' === $by );
	}

	/**
	 * A refund (admin "Refund manually" or REST POST /orders/{id}/refunds runs wc_create_refund()).
	 *
	 * @param array $lines order item id => quantity to refund (line total pro rata)
	 */
	public static function refund( $order_id, $amount, array $lines = array(), $restock = true, $reason = '' ) {
		$order      = wc_get_order( $order_id );
		$items      = $order->get_items();
		$line_items = array();
		foreach ( $lines as $item_id => $quantity ) {
			$item                   = $items[ $item_id ];
			$unit                   = (float) $item->get_total() / $item->get_quantity();
			$unit_tax               = (float) $item->get_total_tax() / $item->get_quantity();
			$rate_id                = WC_Stand_In_Store::$tax_rate ? WC_Stand_In_Store::$tax_rate['id'] : 0;
			$line_items[ $item_id ] = array(
				'qty'          => $quantity,
				'refund_total' => wc_format_decimal( $unit * $quantity, 2 ),
				'refund_tax'   => $rate_id ? array( $rate_id => wc_format_decimal( $unit_tax * $quantity, 2 ) ) : array(),
			);
		}
		return wc_create_refund(
			array(
				'order_id'      => $order_id,
				'amount'        => $amount,
				'reason'        => $reason,
				'line_items'    => $line_items,
				'restock_items' => $restock,
			)
		)->get_id();
	}

	/** REST DELETE /wc/v3/orders/{order}/refunds/{id}?force=true */
	public static function delete_refund( $refund_id ) {
		wc_get_order( $refund_id )->delete( true );
	}

	public static function trash_order( $order_id ) {
		wc_get_order( $order_id )->delete( false );
	}

	public static function untrash_order( $order_id ) {
		wc_get_order( $order_id )->untrash();
	}

	public static function delete_order( $order_id ) {
		wc_get_order( $order_id )->delete( true );
	}

	/** The agent's REST stock write: PUT /wc/v3/products/{id} {"manage_stock":true,"stock_quantity":N}. */
	public static function rest_set_stock( $product_id, $quantity ) {
		WC_Stand_In_Request::rest(
			'PUT',
			'/wc/v3/products/' . $product_id,
			function () use ( $product_id, $quantity ) {
				$product = wc_get_product( $product_id );
				$product->set_manage_stock( true );
				$product->set_stock_quantity( $quantity );
				$product->save();
			}
		);
	}

	/** A product for the lines: ['name', 'sku', 'price', 'parent_id' (variation), 'stock']. */
	public static function create_product( array $props ) {
		$product = new WC_Product();
		$product->set_name( $props['name'] ?? 'Product' );
		$product->set_sku( $props['sku'] ?? '' );
		$product->set_price( $props['price'] ?? '10' );
		$product->set_parent_id( $props['parent_id'] ?? 0 );
		if ( isset( $props['stock'] ) ) {
			$product->set_manage_stock( true );
			$product->set_stock_quantity( $props['stock'] );
		}
		return $product->save();
	}

	public static function address( $with_email = false ) {
		$address = array(
			'first_name' => 'Erika',
			'last_name'  => 'Mustermann',
			'company'    => '',
			'address_1'  => 'Heidestraße 17',
			'address_2'  => '',
			'city'       => 'Köln',
			'state'      => '',
			'postcode'   => '51147',
			'country'    => 'DE',
			'phone'      => '+49 221 1234567',
		);
		return $with_email ? $address + array( 'email' => 'erika@example.com' ) : $address;
	}

	/** An unsaved order with items and totals, as a checkout/REST request builds it in memory. */
	private static function build_order( array $args, $created_via ) {
		$order = new WC_Order();
		$order->set_created_via( $created_via );
		$order->set_currency( $args['currency'] ?? 'EUR' );
		$order->set_address( $args['billing'] ?? self::address( true ), 'billing' );
		$order->set_address( $args['shipping_address'] ?? self::address(), 'shipping' );
		$order->set_payment_method( $args['payment_method'] ?? 'bacs', $args['payment_method_title'] ?? 'Direct bank transfer' );
		$order->set_customer_note( $args['customer_note'] ?? '' );
		$order->set_customer_ip_address( '203.0.113.7' );
		$order->set_cart_hash( md5( serialize( $args['lines'] ) ) );
		self::add_lines( $order, $args['lines'] );
		if ( ! empty( $args['shipping'] ) ) {
			$shipping = new WC_Order_Item_Shipping();
			$shipping->set_method_title( $args['shipping']['title'] ?? 'Flat rate' );
			$shipping->set_method_id( $args['shipping']['method_id'] ?? 'flat_rate' );
			$shipping->set_instance_id( 1 );
			$shipping->set_total( $args['shipping']['total'] );
			$order->add_item( $shipping );
		}
		foreach ( $args['fees'] ?? array() as $fee_args ) {
			$fee = new WC_Order_Item_Fee();
			$fee->set_name( $fee_args['name'] );
			$fee->set_total( $fee_args['total'] );
			$order->add_item( $fee );
		}
		foreach ( $args['coupons'] ?? array() as $coupon_args ) {
			$coupon = new WC_Order_Item_Coupon();
			$coupon->set_code( $coupon_args['code'] );
			$coupon->set_discount( $coupon_args['discount'] );
			$order->add_item( $coupon );
		}
		$order->apply_cart_totals();
		return $order;
	}

	private static function add_lines( WC_Order $order, array $lines ) {
		foreach ( $lines as $line ) {
			$product  = wc_get_product( $line['product_id'] );
			$quantity = $line['quantity'] ?? 1;
			$item     = new WC_Order_Item_Product();
			$item->set_name( $product->get_name() );
			if ( $product->get_parent_id() ) {
				$item->set_product_id( $product->get_parent_id() );
				$item->set_variation_id( $product->get_id() );
			} else {
				$item->set_product_id( $product->get_id() );
			}
			$item->set_quantity( $quantity );
			$total = $line['total'] ?? (float) $product->get_price() * $quantity;
			$item->set_subtotal( $line['subtotal'] ?? $total );
			$item->set_total( $total );
			$order->add_item( $item );
		}
	}

	/** What the gateway does after the order exists. */
	private static function pay( WC_Order $order, $payment ) {
		if ( 'paid' === $payment ) {
			$order->payment_complete( 'txn-' . $order->get_id() );
		} elseif ( 'on-hold' === $payment ) {
			$order->update_status( 'on-hold', 'Awaiting bank transfer.' );
		}
	}
}
