<?php
/**
 * ML_Connector_Order_Representation: orders and refunds in the WooCommerce REST v3 representation
 * (WC_REST_Orders_Controller / WC_REST_Order_Refunds_Controller response data, context view), so
 * the agent reads hook events and its own REST reads with one set of types. Built from the CRUD
 * getters only (wc_get_order and $order->get_meta_data()), so it works the same on HPOS and posts.
 *
 * @package ML_Connector
 */

defined( 'ABSPATH' ) || exit;

final class ML_Connector_Order_Representation {

	/** @var ML_Connector_Order_Item_Representation */
	private $items;

	public function __construct( ML_Connector_Order_Item_Representation $items ) {
		$this->items = $items;
	}

	/** @param WC_Order $order */
	public function order( $order ) {
		$status = $order->get_status();
		return array_merge(
			array(
				'id'          => $order->get_id(),
				'parent_id'   => (int) $order->get_parent_id(),
				'number'      => (string) $order->get_order_number(),
				'order_key'   => $order->get_order_key(),
				'created_via' => $order->get_created_via(),
				'version'     => $order->get_version(),
				'status'      => 0 === strpos( $status, 'wc-' ) ? substr( $status, 3 ) : $status,
				'currency'    => $order->get_currency(),
			),
			ML_Connector_Rest_Format::dates( array( 'date_created' => $order->get_date_created(), 'date_modified' => $order->get_date_modified() ) ),
			array(
				'discount_total'       => ML_Connector_Rest_Format::money( $order->get_discount_total() ),
				'discount_tax'         => ML_Connector_Rest_Format::money( $order->get_discount_tax() ),
				'shipping_total'       => ML_Connector_Rest_Format::money( $order->get_shipping_total() ),
				'shipping_tax'         => ML_Connector_Rest_Format::money( $order->get_shipping_tax() ),
				'cart_tax'             => ML_Connector_Rest_Format::money( $order->get_cart_tax() ),
				'total'                => ML_Connector_Rest_Format::money( $order->get_total() ),
				'total_tax'            => ML_Connector_Rest_Format::money( $order->get_total_tax() ),
				'prices_include_tax'   => (bool) $order->get_prices_include_tax(),
				'customer_id'          => (int) $order->get_customer_id(),
				'customer_ip_address'  => $order->get_customer_ip_address(),
				'customer_user_agent'  => $order->get_customer_user_agent(),
				'customer_note'        => $order->get_customer_note(),
				'billing'              => ML_Connector_Rest_Format::address( $order->get_address( 'billing' ), ML_Connector_Rest_Format::BILLING_FIELDS ),
				'shipping'             => ML_Connector_Rest_Format::address( $order->get_address( 'shipping' ), ML_Connector_Rest_Format::SHIPPING_FIELDS ),
				'payment_method'       => $order->get_payment_method(),
				'payment_method_title' => $order->get_payment_method_title(),
				'transaction_id'       => $order->get_transaction_id(),
			),
			ML_Connector_Rest_Format::dates( array( 'date_paid' => $order->get_date_paid(), 'date_completed' => $order->get_date_completed() ) ),
			array(
				'cart_hash'        => $order->get_cart_hash(),
				'meta_data'        => ML_Connector_Rest_Format::meta_rows( $order ),
				'line_items'       => $this->lines( $order, 'line_item', 'line_item' ),
				'tax_lines'        => $this->lines( $order, 'tax', 'tax_line' ),
				'shipping_lines'   => $this->lines( $order, 'shipping', 'shipping_line' ),
				'fee_lines'        => $this->lines( $order, 'fee', 'fee_line' ),
				'coupon_lines'     => $this->lines( $order, 'coupon', 'coupon_line' ),
				'refunds'          => $this->refund_list( $order ),
				'payment_url'      => $order->get_checkout_payment_url(),
				'is_editable'      => (bool) $order->is_editable(),
				'needs_payment'    => (bool) $order->needs_payment(),
				'needs_processing' => (bool) $order->needs_processing(),
			)
		);
	}

	/** @param WC_Order_Refund $refund */
	public function refund( $refund ) {
		return array_merge(
			array( 'id' => $refund->get_id() ),
			ML_Connector_Rest_Format::dates( array( 'date_created' => $refund->get_date_created() ) ),
			array(
				'amount'           => ML_Connector_Rest_Format::money( $refund->get_amount() ),
				'reason'           => $refund->get_reason(),
				'refunded_by'      => (int) $refund->get_refunded_by(),
				'refunded_payment' => (bool) $refund->get_refunded_payment(),
				'meta_data'        => ML_Connector_Rest_Format::meta_rows( $refund ),
				'line_items'       => $this->lines( $refund, 'line_item', 'line_item' ),
				'shipping_lines'   => $this->lines( $refund, 'shipping', 'shipping_line' ),
				'tax_lines'        => $this->lines( $refund, 'tax', 'tax_line' ),
				'fee_lines'        => $this->lines( $refund, 'fee', 'fee_line' ),
			)
		);
	}

	private function lines( $order, $type, $shape ) {
		return array_values( array_map( array( $this->items, $shape ), $order->get_items( $type ) ) );
	}

	private function refund_list( $order ) {
		$refunds = array();
		foreach ( $order->get_refunds() as $refund ) {
			$refunds[] = array(
				'id'     => $refund->get_id(),
				'reason' => $refund->get_reason() ? $refund->get_reason() : '',
				'total'  => '-' . ML_Connector_Rest_Format::money( $refund->get_amount() ),
			);
		}
		return $refunds;
	}
}
