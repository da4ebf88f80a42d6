<?php
/**
 * ML_Connector_Order_Item_Representation: order items in the WooCommerce REST v3 shape, as
 * WC_REST_Orders_Controller::get_order_item_data() builds them — money as strings with the store's
 * decimals, `taxes` as [{id, total, subtotal}], `price` a number (total / quantity), `sku` the
 * product's current SKU, meta rows with display_key/display_value.
 *
 * @package ML_Connector
 */

defined( 'ABSPATH' ) || exit;

final class ML_Connector_Order_Item_Representation {

	/** @param WC_Order_Item_Product $item */
	public function line_item( $item ) {
		$product  = $item->get_product();
		$quantity = $item->get_quantity();
		$image_id = $product ? (int) $product->get_image_id() : 0;
		return array(
			'id'           => $item->get_id(),
			'name'         => $item->get_name(),
			'product_id'   => (int) $item->get_product_id(),
			'variation_id' => (int) $item->get_variation_id(),
			'quantity'     => $quantity,
			'tax_class'    => $item->get_tax_class(),
			'subtotal'     => ML_Connector_Rest_Format::money( $item->get_subtotal() ),
			'subtotal_tax' => ML_Connector_Rest_Format::money( $item->get_subtotal_tax() ),
			'total'        => ML_Connector_Rest_Format::money( $item->get_total() ),
			'total_tax'    => ML_Connector_Rest_Format::money( $item->get_total_tax() ),
			'taxes'        => $this->taxes( $item->get_taxes() ),
			'meta_data'    => $this->meta( $item ),
			'sku'          => $product ? $product->get_sku() : null,
			'price'        => $quantity ? (float) $item->get_total() / $quantity : 0,
			'image'        => array(
				'id'  => $image_id,
				'src' => $image_id ? (string) wp_get_attachment_image_url( $image_id, 'full' ) : '',
			),
			'parent_name'  => $this->parent_name( $product ),
		);
	}

	/** @param WC_Order_Item_Tax $item */
	public function tax_line( $item ) {
		return array(
			'id'                 => $item->get_id(),
			'rate_code'          => $item->get_rate_code(),
			'rate_id'            => (int) $item->get_rate_id(),
			'label'              => $item->get_label(),
			'compound'           => $item->is_compound(),
			'tax_total'          => ML_Connector_Rest_Format::money( $item->get_tax_total() ),
			'shipping_tax_total' => ML_Connector_Rest_Format::money( $item->get_shipping_tax_total() ),
			'rate_percent'       => $item->get_rate_percent(),
			'meta_data'          => $this->meta( $item ),
		);
	}

	/** @param WC_Order_Item_Shipping $item */
	public function shipping_line( $item ) {
		return array(
			'id'           => $item->get_id(),
			'method_title' => $item->get_method_title(),
			'method_id'    => $item->get_method_id(),
			'instance_id'  => (string) $item->get_instance_id(),
			'total'        => ML_Connector_Rest_Format::money( $item->get_total() ),
			'total_tax'    => ML_Connector_Rest_Format::money( $item->get_total_tax() ),
			'taxes'        => $this->taxes( $item->get_taxes() ),
			'meta_data'    => $this->meta( $item ),
		);
	}

	/** @param WC_Order_Item_Fee $item */
	public function fee_line( $item ) {
		return array(
			'id'         => $item->get_id(),
			'name'       => $item->get_name(),
			'tax_class'  => $item->get_tax_class(),
			'tax_status' => $item->get_tax_status(),
			'total'      => ML_Connector_Rest_Format::money( $item->get_total() ),
			'total_tax'  => ML_Connector_Rest_Format::money( $item->get_total_tax() ),
			'taxes'      => $this->taxes( $item->get_taxes() ),
			'meta_data'  => $this->meta( $item ),
		);
	}

	/** @param WC_Order_Item_Coupon $item */
	public function coupon_line( $item ) {
		return array(
			'id'           => $item->get_id(),
			'code'         => $item->get_code(),
			'discount'     => ML_Connector_Rest_Format::money( $item->get_discount() ),
			'discount_tax' => ML_Connector_Rest_Format::money( $item->get_discount_tax() ),
			'meta_data'    => $this->meta( $item ),
		);
	}

	/** ['total' => [rate => amount], 'subtotal' => [...]] → [{id, total, subtotal}] */
	private function taxes( $taxes ) {
		$list = array();
		if ( empty( $taxes['total'] ) ) {
			return $list;
		}
		foreach ( $taxes['total'] as $rate_id => $total ) {
			$list[] = array(
				'id'       => (int) $rate_id,
				'total'    => (string) $total,
				'subtotal' => isset( $taxes['subtotal'][ $rate_id ] ) ? (string) $taxes['subtotal'][ $rate_id ] : '',
			);
		}
		return $list;
	}

	/** Every meta row (hidden ones too), with the display values WooCommerce formats. */
	private function meta( $item ) {
		$formatted = $item->get_formatted_meta_data( null, true );
		$rows      = array();
		foreach ( $item->get_meta_data() as $meta ) {
			$display = isset( $formatted[ $meta->id ] ) ? $formatted[ $meta->id ] : null;
			$rows[]  = array(
				'id'            => $meta->id,
				'key'           => $meta->key,
				'value'         => $meta->value,
				'display_key'   => $display ? wc_clean( $display->display_key ) : $meta->key,
				'display_value' => $display ? wc_clean( $display->display_value ) : $meta->value,
			);
		}
		return $rows;
	}

	/** For a variation, its parent product's name (REST v3 `parent_name`); else null. */
	private function parent_name( $product ) {
		if ( ! $product || ! $product->get_parent_id() ) {
			return null;
		}
		$parent = wc_get_product( $product->get_parent_id() );
		return $parent ? $parent->get_name() : null;
	}
}
