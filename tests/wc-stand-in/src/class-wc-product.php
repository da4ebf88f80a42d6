<?php
/**
 * WC_Product: the few product props the connector's order events read (SKU, name, parent, image)
 * and stock, whose REST write fires the stock hooks the plugin must ignore.
 */
class WC_Product extends WC_Data {

	protected $data = array(
		'name'           => '',
		'sku'            => '',
		'price'          => '0',
		'parent_id'      => 0,
		'image_id'       => 0,
		'manage_stock'   => false,
		'stock_quantity' => null,
	);

	public function __construct( $product = 0 ) {
		if ( $product && isset( WC_Stand_In_Store::$products[ $product ] ) ) {
			$this->id   = (int) $product;
			$this->data = array_replace( $this->data, WC_Stand_In_Store::$products[ $product ]['props'] );
		}
		$this->object_read = true;
	}

	public function get_name( $context = 'view' ) {
		return $this->get_prop( 'name' );
	}

	public function get_sku( $context = 'view' ) {
		return $this->get_prop( 'sku' );
	}

	public function get_price( $context = 'view' ) {
		return $this->get_prop( 'price' );
	}

	public function get_parent_id( $context = 'view' ) {
		return $this->get_prop( 'parent_id' );
	}

	public function get_image_id( $context = 'view' ) {
		return $this->get_prop( 'image_id' );
	}

	public function get_stock_quantity( $context = 'view' ) {
		return $this->get_prop( 'stock_quantity' );
	}

	public function set_name( $name ) {
		$this->set_prop( 'name', $name );
	}

	public function set_sku( $sku ) {
		$this->set_prop( 'sku', $sku );
	}

	public function set_price( $price ) {
		$this->set_prop( 'price', wc_format_decimal( $price ) );
	}

	public function set_parent_id( $id ) {
		$this->set_prop( 'parent_id', (int) $id );
	}

	public function set_manage_stock( $manage ) {
		$this->set_prop( 'manage_stock', (bool) $manage );
	}

	public function set_stock_quantity( $quantity ) {
		$this->set_prop( 'stock_quantity', null === $quantity ? null : (int) $quantity );
	}

	/** Saves; like handle_updated_props(), a changed stock_quantity fires the set_stock hook. */
	public function save() {
		$creating = ! $this->id;
		if ( $creating ) {
			$this->id = WC_Stand_In_Store::next_id( 'post' );
		}
		$stock_changed = array_key_exists( 'stock_quantity', $this->changes );
		$this->apply_changes();
		WC_Stand_In_Store::$products[ $this->id ] = array( 'props' => $this->data );
		if ( $creating ) {
			return $this->id;
		}
		if ( $stock_changed ) {
			do_action( $this->get_parent_id() ? 'woocommerce_variation_set_stock' : 'woocommerce_product_set_stock', $this );
		}
		do_action( $this->get_parent_id() ? 'woocommerce_update_product_variation' : 'woocommerce_update_product', $this->id, $this );
		return $this->id;
	}
}
