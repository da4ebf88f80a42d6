<?php
/**
 * WC_Abstract_Order: what orders and refunds share — totals, currency, dates, items (saved by
 * save_items() after the row) and the stand-in's totals calculation (one tax rate, see
 * WC_Stand_In_Store::$tax_rate).
 */
abstract class WC_Abstract_Order extends WC_Data {

	/** @var array<string, WC_Order_Item> saved items by id and new ones by a temporary key */
	protected $items = array();

	protected $items_loaded = false;

	/** @var int[] ids of saved items removed since the last save */
	protected $items_to_delete = array();

	private static $new_item_key = 0;

	public function __construct( $order = 0 ) {
		$this->data = $this->default_props();
		if ( $order ) {
			$this->read( (int) $order );
		}
		$this->object_read = true;
	}

	protected function default_props() {
		return array(
			'parent_id'          => 0,
			'status'             => '',
			'currency'           => 'EUR',
			'version'            => WC_VERSION,
			'prices_include_tax' => false,
			'date_created'       => null,
			'date_modified'      => null,
			'discount_total'     => '0',
			'discount_tax'       => '0',
			'shipping_total'     => '0',
			'shipping_tax'       => '0',
			'cart_tax'           => '0',
			'total'              => '0',
			'total_tax'          => '0',
		);
	}

	/** Loads the row; an unknown id leaves id 0 (wc_get_order() then answers false). */
	protected function read( $id ) {
		if ( ! isset( WC_Stand_In_Store::$orders[ $id ] ) ) {
			return;
		}
		$row        = WC_Stand_In_Store::$orders[ $id ];
		$this->id   = $id;
		$this->data = array_replace( $this->data, $row['props'] );
		$this->import_meta( $row['meta'] );
	}

	protected function write_row() {
		$this->apply_changes();
		$this->assign_meta_ids();
		WC_Stand_In_Store::$orders[ $this->id ] = array(
			'class' => get_class( $this ),
			'props' => $this->data,
			'meta'  => $this->export_meta(),
		);
	}

	public function get_parent_id( $context = 'view' ) {
		return $this->get_prop( 'parent_id' );
	}

	public function get_status( $context = 'view' ) {
		$status = $this->get_prop( 'status' );
		return ( '' === $status && 'view' === $context ) ? 'pending' : $status;
	}

	public function get_currency( $context = 'view' ) {
		return $this->get_prop( 'currency' );
	}

	public function get_version( $context = 'view' ) {
		return $this->get_prop( 'version' );
	}

	public function get_prices_include_tax( $context = 'view' ) {
		return $this->get_prop( 'prices_include_tax' );
	}

	public function get_date_created( $context = 'view' ) {
		return $this->get_prop( 'date_created' );
	}

	public function get_date_modified( $context = 'view' ) {
		return $this->get_prop( 'date_modified' );
	}

	public function get_discount_total( $context = 'view' ) {
		return $this->get_prop( 'discount_total' );
	}

	public function get_discount_tax( $context = 'view' ) {
		return $this->get_prop( 'discount_tax' );
	}

	public function get_shipping_total( $context = 'view' ) {
		return $this->get_prop( 'shipping_total' );
	}

	public function get_shipping_tax( $context = 'view' ) {
		return $this->get_prop( 'shipping_tax' );
	}

	public function get_cart_tax( $context = 'view' ) {
		return $this->get_prop( 'cart_tax' );
	}

	public function get_total( $context = 'view' ) {
		return $this->get_prop( 'total' );
	}

	public function get_total_tax( $context = 'view' ) {
		return $this->get_prop( 'total_tax' );
	}

	public function set_parent_id( $id ) {
		$this->set_prop( 'parent_id', (int) $id );
	}

	public function set_currency( $currency ) {
		$this->set_prop( 'currency', $currency );
	}

	public function set_date_created( $date ) {
		$this->set_date_prop( 'date_created', $date );
	}

	public function set_date_modified( $date ) {
		$this->set_date_prop( 'date_modified', $date );
	}

	public function set_total( $value ) {
		$this->set_prop( 'total', wc_format_decimal( $value, wc_get_price_decimals() ) );
	}

	/**
	 * Sets the status (without a wc- prefix) and returns the change; WC_Order records the transition.
	 *
	 * @return array{from: string, to: string}
	 */
	public function set_status( $new_status ) {
		$old_status = $this->get_status();
		$new_status = 0 === strpos( $new_status, 'wc-' ) ? substr( $new_status, 3 ) : $new_status;
		// An unregistered old status (auto-draft, trash...) is reported as pending.
		if ( $this->object_read && '' !== $old_status && ! array_key_exists( 'wc-' . $old_status, wc_get_order_statuses() ) ) {
			$old_status = 'pending';
		}
		$this->set_prop( 'status', $new_status );
		return array(
			'from' => $old_status,
			'to'   => $new_status,
		);
	}

	/** @return WC_Order_Item[] items of the given type(s), saved and unsaved. */
	public function get_items( $types = 'line_item' ) {
		$this->load_items();
		$types = (array) $types;
		return array_filter(
			$this->items,
			function ( $item ) use ( $types ) {
				return in_array( $item->get_type(), $types, true );
			}
		);
	}

	public function add_item( WC_Order_Item $item ) {
		$this->load_items();
		$key                 = $item->get_id() ? $item->get_id() : 'new:' . ( ++self::$new_item_key );
		$this->items[ $key ] = $item;
	}

	/** Removes every item of a type (core: remove_order_items()). */
	public function remove_order_items( $type ) {
		do_action( 'woocommerce_remove_order_items', $this, $type );
		foreach ( $this->get_items( $type ) as $key => $item ) {
			unset( $this->items[ $key ] );
			if ( $item->get_id() ) {
				$this->items_to_delete[] = $item->get_id();
			}
		}
		do_action( 'woocommerce_removed_order_items', $this, $type );
	}

	private function load_items() {
		if ( ! $this->items_loaded && $this->id ) {
			$this->items = WC_Stand_In_Store::items_of( $this->id ) + $this->items;
		}
		$this->items_loaded = true;
	}

	/** Writes the items after the order row, giving new ones their ids (core: save_items()). */
	protected function save_items() {
		foreach ( $this->items_to_delete as $item_id ) {
			unset( WC_Stand_In_Store::$items[ $item_id ] );
		}
		$this->items_to_delete = array();
		$saved                 = array();
		foreach ( $this->items as $item ) {
			$item->set_order_id( $this->id );
			$saved[ $item->save() ] = $item;
		}
		$this->items = $saved;
	}

	/**
	 * Computes line taxes and the order totals from the items, without saving (what the cart hands
	 * to a classic checkout order).
	 */
	public function apply_cart_totals() {
		$rate     = WC_Stand_In_Store::$tax_rate;
		$tax_of   = function ( $amount ) use ( $rate ) {
			return $rate ? round( (float) $amount * $rate['percent'] / 100, 2 ) : 0.0;
		};
		$sums     = array( 'lines' => 0.0, 'line_tax' => 0.0, 'subtotal' => 0.0, 'subtotal_tax' => 0.0, 'shipping' => 0.0, 'shipping_tax' => 0.0, 'fees' => 0.0, 'fee_tax' => 0.0 );
		$rate_ids = $rate ? array( $rate['id'] ) : array();
		foreach ( $this->get_items( 'line_item' ) as $item ) {
			$taxes = array(
				'subtotal' => array_fill_keys( $rate_ids, (string) $tax_of( $item->get_subtotal() ) ),
				'total'    => array_fill_keys( $rate_ids, (string) $tax_of( $item->get_total() ) ),
			);
			$item->set_taxes( $taxes );
			$sums['lines']        += (float) $item->get_total();
			$sums['subtotal']     += (float) $item->get_subtotal();
			$sums['line_tax']     += (float) $item->get_total_tax();
			$sums['subtotal_tax'] += (float) $item->get_subtotal_tax();
		}
		foreach ( $this->get_items( 'shipping' ) as $item ) {
			$item->set_taxes( array( 'total' => array_fill_keys( $rate_ids, (string) $tax_of( $item->get_total() ) ) ) );
			$sums['shipping']     += (float) $item->get_total();
			$sums['shipping_tax'] += (float) $item->get_total_tax();
		}
		foreach ( $this->get_items( 'fee' ) as $item ) {
			$taxable = 'taxable' === $item->get_tax_status();
			$item->set_taxes( array( 'total' => $taxable ? array_fill_keys( $rate_ids, (string) $tax_of( $item->get_total() ) ) : array() ) );
			$sums['fees']    += (float) $item->get_total();
			$sums['fee_tax'] += (float) $item->get_total_tax();
		}
		$this->apply_tax_lines( $rate, $sums['line_tax'] + $sums['fee_tax'], $sums['shipping_tax'] );
		$this->set_prop( 'discount_total', wc_format_decimal( $sums['subtotal'] - $sums['lines'] ) );
		$this->set_prop( 'discount_tax', wc_format_decimal( $sums['subtotal_tax'] - $sums['line_tax'] ) );
		$this->set_prop( 'shipping_total', wc_format_decimal( $sums['shipping'] ) );
		$this->set_prop( 'shipping_tax', wc_format_decimal( $sums['shipping_tax'] ) );
		$this->set_prop( 'cart_tax', wc_format_decimal( $sums['line_tax'] + $sums['fee_tax'] ) );
		$this->set_prop( 'total_tax', wc_format_decimal( $sums['line_tax'] + $sums['fee_tax'] + $sums['shipping_tax'] ) );
		$this->set_total( $sums['lines'] + $sums['fees'] + $sums['shipping'] + $sums['line_tax'] + $sums['fee_tax'] + $sums['shipping_tax'] );
	}

	private function apply_tax_lines( $rate, $tax_total, $shipping_tax_total ) {
		foreach ( $this->get_items( 'tax' ) as $key => $item ) {
			unset( $this->items[ $key ] );
			if ( $item->get_id() ) {
				$this->items_to_delete[] = $item->get_id();
			}
		}
		if ( ! $rate ) {
			return;
		}
		$line = new WC_Order_Item_Tax();
		$line->set_rate( $rate['id'], $rate['code'], $rate['label'], $rate['percent'] );
		$line->set_tax_total( $tax_total );
		$line->set_shipping_tax_total( $shipping_tax_total );
		$this->add_item( $line );
	}

	/** Like core: update_taxes() saves, then calculate_totals() saves again. */
	public function calculate_totals( $and_taxes = true ) {
		$this->apply_cart_totals();
		if ( $and_taxes ) {
			$this->save();
		}
		$this->save();
		return $this->get_total();
	}

	abstract public function save();
}
