<?php
/**
 * Order items: WC_Order_Item and its product, shipping, fee, coupon and tax kinds, with the getters
 * WooCommerce's REST controller reads. Items are saved by the order's save_items(), after the data
 * store's create()/update() — which is why they are missing at woocommerce_new_order.
 */
abstract class WC_Order_Item extends WC_Data {

	public function __construct() {
		$this->data        = array_merge( array( 'order_id' => 0, 'name' => '' ), $this->extra_data() );
		$this->object_read = true;
	}

	/** @return array the props of this kind of item with their defaults. */
	abstract protected function extra_data();

	abstract public function get_type();

	public function get_order_id() {
		return $this->get_prop( 'order_id' );
	}

	public function set_order_id( $id ) {
		$this->set_prop( 'order_id', (int) $id );
	}

	public function get_name( $context = 'view' ) {
		return $this->get_prop( 'name' );
	}

	public function set_name( $name ) {
		$this->set_prop( 'name', $name );
	}

	public function load( $id, array $row ) {
		$this->id          = $id;
		$this->object_read = false;
		$this->data        = array_replace( $this->data, $row['props'] );
		$this->import_meta( $row['meta'] );
		$this->object_read = true;
	}

	public function save() {
		if ( ! $this->id ) {
			$this->id = WC_Stand_In_Store::next_id( 'item' );
		}
		$this->apply_changes();
		$this->assign_meta_ids();
		WC_Stand_In_Store::$items[ $this->id ] = array(
			'class'    => get_class( $this ),
			'order_id' => $this->get_order_id(),
			'props'    => $this->data,
			'meta'     => $this->export_meta(),
		);
		return $this->id;
	}

	/**
	 * Meta for display: keyed by meta id; skips empty and non-scalar values and, when given, keys
	 * starting with $hideprefix.
	 */
	public function get_formatted_meta_data( $hideprefix = '_', $include_all = false ) {
		$formatted = array();
		foreach ( $this->meta_data as $meta ) {
			if ( empty( $meta->id ) || '' === $meta->value || ! is_scalar( $meta->value ) ) {
				continue;
			}
			if ( '' !== (string) $hideprefix && 0 === strpos( $meta->key, $hideprefix ) ) {
				continue;
			}
			$formatted[ $meta->id ] = (object) array(
				'key'           => $meta->key,
				'value'         => $meta->value,
				'display_key'   => $meta->key,
				'display_value' => (string) $meta->value,
			);
		}
		return $formatted;
	}

	protected function money( $value ) {
		return wc_format_decimal( $value );
	}
}

class WC_Order_Item_Product extends WC_Order_Item {

	protected function extra_data() {
		return array(
			'product_id'   => 0,
			'variation_id' => 0,
			'quantity'     => 1,
			'tax_class'    => '',
			'subtotal'     => 0,
			'subtotal_tax' => 0,
			'total'        => 0,
			'total_tax'    => 0,
			'taxes'        => array( 'subtotal' => array(), 'total' => array() ),
		);
	}

	public function get_type() {
		return 'line_item';
	}

	public function get_product_id( $context = 'view' ) {
		return $this->get_prop( 'product_id' );
	}

	public function get_variation_id( $context = 'view' ) {
		return $this->get_prop( 'variation_id' );
	}

	public function get_quantity( $context = 'view' ) {
		return $this->get_prop( 'quantity' );
	}

	public function get_tax_class( $context = 'view' ) {
		return $this->get_prop( 'tax_class' );
	}

	public function get_subtotal( $context = 'view' ) {
		return $this->get_prop( 'subtotal' );
	}

	public function get_subtotal_tax( $context = 'view' ) {
		return $this->get_prop( 'subtotal_tax' );
	}

	public function get_total( $context = 'view' ) {
		return $this->get_prop( 'total' );
	}

	public function get_total_tax( $context = 'view' ) {
		return $this->get_prop( 'total_tax' );
	}

	public function get_taxes( $context = 'view' ) {
		return $this->get_prop( 'taxes' );
	}

	/** @return WC_Product|false */
	public function get_product() {
		return wc_get_product( $this->get_variation_id() ? $this->get_variation_id() : $this->get_product_id() );
	}

	public function set_product_id( $id ) {
		$this->set_prop( 'product_id', (int) $id );
	}

	public function set_variation_id( $id ) {
		$this->set_prop( 'variation_id', (int) $id );
	}

	public function set_quantity( $quantity ) {
		$this->set_prop( 'quantity', (int) $quantity );
	}

	public function set_subtotal( $value ) {
		$this->set_prop( 'subtotal', $this->money( $value ) );
	}

	public function set_total( $value ) {
		$this->set_prop( 'total', $this->money( $value ) );
	}

	/** @param array $taxes ['subtotal' => [rate id => amount], 'total' => [rate id => amount]] */
	public function set_taxes( $taxes ) {
		$this->set_prop( 'taxes', $taxes );
		$this->set_prop( 'subtotal_tax', $this->money( array_sum( $taxes['subtotal'] ) ) );
		$this->set_prop( 'total_tax', $this->money( array_sum( $taxes['total'] ) ) );
	}
}

class WC_Order_Item_Shipping extends WC_Order_Item {

	protected function extra_data() {
		return array(
			'method_title' => '',
			'method_id'    => '',
			'instance_id'  => 0,
			'total'        => 0,
			'total_tax'    => 0,
			'taxes'        => array( 'total' => array() ),
		);
	}

	public function get_type() {
		return 'shipping';
	}

	public function get_method_title( $context = 'view' ) {
		return $this->get_prop( 'method_title' );
	}

	public function get_method_id( $context = 'view' ) {
		return $this->get_prop( 'method_id' );
	}

	public function get_instance_id( $context = 'view' ) {
		return $this->get_prop( 'instance_id' );
	}

	public function get_total( $context = 'view' ) {
		return $this->get_prop( 'total' );
	}

	public function get_total_tax( $context = 'view' ) {
		return $this->get_prop( 'total_tax' );
	}

	public function get_taxes( $context = 'view' ) {
		return $this->get_prop( 'taxes' );
	}

	public function set_method_title( $title ) {
		$this->set_prop( 'method_title', $title );
		$this->set_prop( 'name', $title );
	}

	public function set_method_id( $id ) {
		$this->set_prop( 'method_id', $id );
	}

	public function set_instance_id( $id ) {
		$this->set_prop( 'instance_id', (int) $id );
	}

	public function set_total( $value ) {
		$this->set_prop( 'total', $this->money( $value ) );
	}

	public function set_taxes( $taxes ) {
		$this->set_prop( 'taxes', array( 'total' => $taxes['total'] ) );
		$this->set_prop( 'total_tax', $this->money( array_sum( $taxes['total'] ) ) );
	}
}

class WC_Order_Item_Fee extends WC_Order_Item {

	protected function extra_data() {
		return array(
			'tax_class'  => '',
			'tax_status' => 'taxable',
			'amount'     => '',
			'total'      => 0,
			'total_tax'  => 0,
			'taxes'      => array( 'total' => array() ),
		);
	}

	public function get_type() {
		return 'fee';
	}

	public function get_tax_class( $context = 'view' ) {
		return $this->get_prop( 'tax_class' );
	}

	public function get_tax_status( $context = 'view' ) {
		return $this->get_prop( 'tax_status' );
	}

	public function get_total( $context = 'view' ) {
		return $this->get_prop( 'total' );
	}

	public function get_total_tax( $context = 'view' ) {
		return $this->get_prop( 'total_tax' );
	}

	public function get_taxes( $context = 'view' ) {
		return $this->get_prop( 'taxes' );
	}

	public function set_total( $value ) {
		$this->set_prop( 'total', $this->money( $value ) );
	}

	public function set_taxes( $taxes ) {
		$this->set_prop( 'taxes', array( 'total' => $taxes['total'] ) );
		$this->set_prop( 'total_tax', $this->money( array_sum( $taxes['total'] ) ) );
	}
}

class WC_Order_Item_Coupon extends WC_Order_Item {

	protected function extra_data() {
		return array(
			'code'         => '',
			'discount'     => 0,
			'discount_tax' => 0,
		);
	}

	public function get_type() {
		return 'coupon';
	}

	public function get_code( $context = 'view' ) {
		return $this->get_prop( 'code' );
	}

	public function get_discount( $context = 'view' ) {
		return $this->get_prop( 'discount' );
	}

	public function get_discount_tax( $context = 'view' ) {
		return $this->get_prop( 'discount_tax' );
	}

	public function set_code( $code ) {
		$this->set_prop( 'code', $code );
		$this->set_prop( 'name', $code );
	}

	public function set_discount( $value ) {
		$this->set_prop( 'discount', $this->money( $value ) );
	}
}

class WC_Order_Item_Tax extends WC_Order_Item {

	protected function extra_data() {
		return array(
			'rate_code'          => '',
			'rate_id'            => 0,
			'label'              => '',
			'compound'           => false,
			'tax_total'          => 0,
			'shipping_tax_total' => 0,
			'rate_percent'       => null,
		);
	}

	public function get_type() {
		return 'tax';
	}

	public function get_rate_code( $context = 'view' ) {
		return $this->get_prop( 'rate_code' );
	}

	public function get_rate_id( $context = 'view' ) {
		return $this->get_prop( 'rate_id' );
	}

	public function get_label( $context = 'view' ) {
		return $this->get_prop( 'label' );
	}

	public function is_compound() {
		return (bool) $this->get_prop( 'compound' );
	}

	public function get_tax_total( $context = 'view' ) {
		return $this->get_prop( 'tax_total' );
	}

	public function get_shipping_tax_total( $context = 'view' ) {
		return $this->get_prop( 'shipping_tax_total' );
	}

	public function get_rate_percent( $context = 'view' ) {
		return $this->get_prop( 'rate_percent' );
	}

	public function set_rate( $rate_id, $code, $label, $percent ) {
		$this->set_prop( 'rate_id', (int) $rate_id );
		$this->set_prop( 'rate_code', $code );
		$this->set_prop( 'label', $label );
		$this->set_prop( 'rate_percent', $percent );
		$this->set_prop( 'name', $code );
	}

	public function set_tax_total( $value ) {
		$this->set_prop( 'tax_total', $this->money( $value ) );
	}

	public function set_shipping_tax_total( $value ) {
		$this->set_prop( 'shipping_tax_total', $this->money( $value ) );
	}
}
