<?php
/**
 * WC_Order_Refund: a refund is an order-type object with a parent; saving it never fires
 * woocommerce_new_order (only woocommerce_update_order_refund on later updates), and its status is
 * always completed.
 */
class WC_Order_Refund extends WC_Abstract_Order {

	protected function default_props() {
		return array_merge(
			parent::default_props(),
			array(
				'status'           => 'completed',
				'amount'           => '',
				'reason'           => '',
				'refunded_by'      => 0,
				'refunded_payment' => false,
			)
		);
	}

	public function get_amount( $context = 'view' ) {
		return $this->get_prop( 'amount' );
	}

	public function get_reason( $context = 'view' ) {
		return $this->get_prop( 'reason' );
	}

	public function get_refunded_by( $context = 'view' ) {
		return $this->get_prop( 'refunded_by' );
	}

	public function get_refunded_payment( $context = 'view' ) {
		return $this->get_prop( 'refunded_payment' );
	}

	public function set_amount( $amount ) {
		$this->set_prop( 'amount', wc_format_decimal( $amount ) );
	}

	public function set_reason( $reason ) {
		$this->set_prop( 'reason', $reason );
	}

	public function set_refunded_by( $user_id ) {
		$this->set_prop( 'refunded_by', (int) $user_id );
	}

	public function set_refunded_payment( $done ) {
		$this->set_prop( 'refunded_payment', (bool) $done );
	}

	public function save() {
		$creating = ! $this->id;
		if ( $creating ) {
			$this->id = WC_Stand_In_Store::next_id( 'post' );
			$this->set_date_created( WC_Stand_In_Store::tick() );
		}
		$this->set_date_modified( WC_Stand_In_Store::tick() );
		$this->write_row();
		$this->save_items();
		if ( ! $creating ) {
			do_action( 'woocommerce_update_order_refund', $this->id, $this );
		}
		return $this->id;
	}

	public function delete( $force_delete = true ) {
		$id        = $this->get_id();
		$parent_id = $this->get_parent_id();
		foreach ( array_keys( WC_Stand_In_Store::items_of( $id ) ) as $item_id ) {
			unset( WC_Stand_In_Store::$items[ $item_id ] );
		}
		unset( WC_Stand_In_Store::$orders[ $id ] );
		do_action( 'woocommerce_delete_order_refund', $id, $parent_id );
		return true;
	}
}
