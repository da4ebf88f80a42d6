<?php
/**
 * WC_Order: the order save sequence of the reference, section 1.1 — before_order_object_save, the
 * data store's create()/update() firing woocommerce_new_order or woocommerce_update_order (drafts
 * skip new_order; the first save leaving a draft fires it instead of update_order), save_items(),
 * after_order_object_save, then the status transition hooks. Core's stock listeners on the status
 * hooks and payment_complete(), trash/untrash/delete with the hooks of either storage.
 */
class WC_Order extends WC_Abstract_Order {

	const DRAFT_STATUSES = array( 'new', 'auto-draft', 'draft', 'checkout-draft' );

	/** @var array|false the transition recorded by set_status(), fired after the save */
	protected $status_transition = false;

	protected function default_props() {
		$address = array(
			'first_name' => '',
			'last_name'  => '',
			'company'    => '',
			'address_1'  => '',
			'address_2'  => '',
			'city'       => '',
			'state'      => '',
			'postcode'   => '',
			'country'    => '',
		);
		return array_merge(
			parent::default_props(),
			array(
				'customer_id'          => 0,
				'order_key'            => '',
				'billing'              => $address + array( 'email' => '', 'phone' => '' ),
				'shipping'             => $address + array( 'phone' => '' ),
				'payment_method'       => '',
				'payment_method_title' => '',
				'transaction_id'       => '',
				'customer_ip_address'  => '',
				'customer_user_agent'  => '',
				'created_via'          => '',
				'customer_note'        => '',
				'date_completed'       => null,
				'date_paid'            => null,
				'cart_hash'            => '',
				'order_stock_reduced'  => false,
			)
		);
	}

	public function get_customer_id( $context = 'view' ) {
		return $this->get_prop( 'customer_id' );
	}

	public function get_order_key( $context = 'view' ) {
		return $this->get_prop( 'order_key' );
	}

	public function get_address( $address_type = 'billing' ) {
		return $this->get_prop( $address_type );
	}

	public function get_payment_method( $context = 'view' ) {
		return $this->get_prop( 'payment_method' );
	}

	public function get_payment_method_title( $context = 'view' ) {
		return $this->get_prop( 'payment_method_title' );
	}

	public function get_transaction_id( $context = 'view' ) {
		return $this->get_prop( 'transaction_id' );
	}

	public function get_customer_ip_address( $context = 'view' ) {
		return $this->get_prop( 'customer_ip_address' );
	}

	public function get_customer_user_agent( $context = 'view' ) {
		return $this->get_prop( 'customer_user_agent' );
	}

	public function get_created_via( $context = 'view' ) {
		return $this->get_prop( 'created_via' );
	}

	public function get_customer_note( $context = 'view' ) {
		return $this->get_prop( 'customer_note' );
	}

	public function get_date_completed( $context = 'view' ) {
		return $this->get_prop( 'date_completed' );
	}

	public function get_date_paid( $context = 'view' ) {
		return $this->get_prop( 'date_paid' );
	}

	public function get_cart_hash( $context = 'view' ) {
		return $this->get_prop( 'cart_hash' );
	}

	public function get_order_number() {
		return (string) apply_filters( 'woocommerce_order_number', $this->get_id(), $this );
	}

	public function get_checkout_payment_url( $on_checkout = false ) {
		return WC_Stand_In_Store::$site_url . '/checkout/order-pay/' . $this->get_id() . '/?pay_for_order=true&key=' . $this->get_order_key();
	}

	/** The order screen: HPOS admin.php?page=wc-orders, else the post editor. */
	public function get_edit_order_url() {
		return WC_Stand_In_Store::$hpos
			? admin_url( 'admin.php?page=wc-orders&action=edit&id=' . $this->get_id() )
			: admin_url( 'post.php?post=' . $this->get_id() . '&action=edit' );
	}

	public function has_status( $status ) {
		return in_array( $this->get_status(), (array) $status, true );
	}

	public function is_editable() {
		return $this->has_status( array( 'pending', 'on-hold', 'auto-draft' ) );
	}

	public function needs_payment() {
		return $this->has_status( array( 'pending', 'failed' ) ) && (float) $this->get_total() > 0;
	}

	public function needs_processing() {
		return count( $this->get_items() ) > 0;
	}

	/** @return WC_Order_Refund[] newest first */
	public function get_refunds() {
		$refunds = array();
		foreach ( WC_Stand_In_Store::$orders as $id => $row ) {
			if ( 'WC_Order_Refund' === $row['class'] && (int) $row['props']['parent_id'] === $this->get_id() ) {
				$refunds[] = new WC_Order_Refund( $id );
			}
		}
		return array_reverse( $refunds );
	}

	public function get_total_refunded() {
		$total = 0.0;
		foreach ( $this->get_refunds() as $refund ) {
			$total += (float) $refund->get_amount();
		}
		return $total;
	}

	public function get_remaining_refund_amount() {
		return wc_format_decimal( (float) $this->get_total() - $this->get_total_refunded() );
	}

	public function set_customer_id( $id ) {
		$this->set_prop( 'customer_id', (int) $id );
	}

	public function set_address( $address, $type = 'billing' ) {
		$this->set_prop( $type, array_merge( $this->get_prop( $type ), $address ) );
	}

	public function set_payment_method( $method, $title = '' ) {
		$this->set_prop( 'payment_method', $method );
		$this->set_prop( 'payment_method_title', $title );
	}

	public function set_transaction_id( $id ) {
		$this->set_prop( 'transaction_id', $id );
	}

	public function set_customer_ip_address( $ip ) {
		$this->set_prop( 'customer_ip_address', $ip );
	}

	public function set_created_via( $via ) {
		$this->set_prop( 'created_via', $via );
	}

	public function set_customer_note( $note ) {
		$this->set_prop( 'customer_note', $note );
	}

	public function set_cart_hash( $hash ) {
		$this->set_prop( 'cart_hash', $hash );
	}

	public function set_date_paid( $date ) {
		$this->set_date_prop( 'date_paid', $date );
	}

	public function set_date_completed( $date ) {
		$this->set_date_prop( 'date_completed', $date );
	}

	/** Records the transition (fired after the next save); manual edits fire order_edit_status now. */
	public function set_status( $new_status, $note = '', $manual_update = false ) {
		$result = parent::set_status( $new_status );
		if ( $this->object_read && '' !== $result['from'] && $result['from'] !== $result['to'] ) {
			$this->status_transition = array(
				'from'   => ! empty( $this->status_transition['from'] ) ? $this->status_transition['from'] : $result['from'],
				'to'     => $result['to'],
				'note'   => $note,
				'manual' => (bool) $manual_update,
			);
			if ( $manual_update ) {
				do_action( 'woocommerce_order_edit_status', $this->get_id(), $result['to'] );
			}
			if ( in_array( $result['to'], array( 'processing', 'completed' ), true ) && ! $this->get_date_paid() ) {
				$this->set_date_paid( WC_Stand_In_Store::$now );
			}
			if ( 'completed' === $result['to'] ) {
				$this->set_date_completed( WC_Stand_In_Store::$now );
			}
		}
		return $result;
	}

	public function update_status( $new_status, $note = '', $manual = false ) {
		$this->set_status( $new_status, $note, $manual );
		$this->save();
		return true;
	}

	public function payment_complete( $transaction_id = '' ) {
		do_action( 'woocommerce_pre_payment_complete', $this->get_id(), $transaction_id );
		if ( ! $this->has_status( array( 'on-hold', 'pending', 'failed', 'cancelled' ) ) ) {
			do_action( 'woocommerce_payment_complete_order_status_' . $this->get_status(), $this->get_id(), $transaction_id );
			return true;
		}
		if ( $transaction_id ) {
			$this->set_transaction_id( $transaction_id );
		}
		$this->set_status( $this->needs_processing() ? 'processing' : 'completed' );
		$this->save();
		do_action( 'woocommerce_payment_complete', $this->get_id(), $transaction_id );
		return true;
	}

	public function save() {
		do_action( 'woocommerce_before_order_object_save', $this, null );
		if ( $this->id ) {
			$this->update_row();
		} else {
			$this->create_row();
		}
		$this->save_items();
		do_action( 'woocommerce_after_order_object_save', $this, null );
		$this->status_transition();
		return $this->id;
	}

	/** Data store create(): the row only — items are saved afterwards by save_items(). */
	private function create_row() {
		$this->id = WC_Stand_In_Store::next_id( 'post' );
		if ( '' === $this->get_prop( 'status' ) ) {
			$this->set_prop( 'status', 'pending' );
		}
		if ( ! $this->get_date_created() ) {
			$this->set_date_created( WC_Stand_In_Store::tick() );
		}
		$this->set_date_modified( WC_Stand_In_Store::tick() );
		$this->set_prop( 'order_key', 'wc_order_' . substr( md5( 'key' . $this->id ), 0, 13 ) );
		$this->write_row();
		$status = $this->get_status();
		$fires  = ! in_array( $status, self::DRAFT_STATUSES, true )
			|| ( WC_Stand_In_Store::$draft_new_order && 'checkout-draft' === $status );
		if ( $fires ) {
			do_action( 'woocommerce_new_order', $this->id, $this );
		}
	}

	/** Data store update(): new_order when leaving a draft status, else update_order. */
	private function update_row() {
		$stored_status = WC_Stand_In_Store::$orders[ $this->id ]['props']['status'];
		$this->set_date_modified( WC_Stand_In_Store::tick() );
		$this->write_row();
		$leaves_draft = in_array( $stored_status, self::DRAFT_STATUSES, true )
			&& ! in_array( $this->get_status(), self::DRAFT_STATUSES, true );
		if ( $leaves_draft && ! WC_Stand_In_Store::$draft_new_order ) {
			do_action( 'woocommerce_new_order', $this->id, $this );
		} else {
			do_action( 'woocommerce_update_order', $this->id, $this );
		}
	}

	/**
	 * Writes meta only. Under HPOS a saved order with no other pending change is then saved in full
	 * to bump date_modified — one more woocommerce_update_order.
	 */
	public function save_meta_data() {
		$this->assign_meta_ids();
		WC_Stand_In_Store::$orders[ $this->id ]['meta'] = $this->export_meta();
		if ( WC_Stand_In_Store::$hpos && ! $this->changes ) {
			$this->save();
		}
	}

	protected function status_transition() {
		$transition              = $this->status_transition;
		$this->status_transition = false;
		if ( ! $transition ) {
			return;
		}
		$id = $this->get_id();
		do_action( 'woocommerce_order_status_' . $transition['to'], $id, $this, $transition );
		$this->run_core_status_listeners( $transition['to'] );
		do_action( 'woocommerce_order_status_' . $transition['from'] . '_to_' . $transition['to'], $id, $this );
		do_action( 'woocommerce_order_status_changed', $id, $transition['from'], $transition['to'], $this );
		if ( in_array( $transition['from'], array( 'pending', 'failed' ), true ) && in_array( $transition['to'], array( 'processing', 'completed' ), true ) ) {
			do_action( 'woocommerce_order_payment_status_changed', $id, $this );
		}
	}

	/** What core hooks onto woocommerce_order_status_{to}: stock and the item-less refund. */
	private function run_core_status_listeners( $to ) {
		if ( in_array( $to, array( 'processing', 'completed', 'on-hold' ), true ) ) {
			wc_maybe_reduce_stock_levels( $this->get_id() );
		} elseif ( in_array( $to, array( 'cancelled', 'pending' ), true ) ) {
			wc_maybe_increase_stock_levels( $this->get_id() );
		} elseif ( 'refunded' === $to && (float) $this->get_remaining_refund_amount() > 0 ) {
			// wc_order_fully_refunded(): a manual move to refunded records the rest as a refund.
			wc_create_refund(
				array(
					'order_id' => $this->get_id(),
					'amount'   => $this->get_remaining_refund_amount(),
					'reason'   => 'Order status set to refunded.',
				)
			);
		}
	}

	/** Trash (default) or delete for good, with the hooks of the active storage. */
	public function delete( $force_delete = false ) {
		$id = $this->get_id();
		if ( ! $force_delete ) {
			do_action( 'woocommerce_before_trash_order', $id, $this );
			$previous = $this->get_status();
			if ( ! WC_Stand_In_Store::$hpos ) {
				do_action( 'wp_trash_post', $id, $previous );
			}
			WC_Stand_In_Store::$orders[ $id ]['props']['status']         = 'trash';
			WC_Stand_In_Store::$orders[ $id ]['trash_previous'] = $previous;
			if ( ! WC_Stand_In_Store::$hpos ) {
				do_action( 'trashed_post', $id, $previous );
			}
			do_action( 'woocommerce_trash_order', $id );
			return true;
		}
		do_action( 'woocommerce_before_delete_order', $id, $this );
		if ( ! WC_Stand_In_Store::$hpos ) {
			do_action( 'before_delete_post', $id, null );
		}
		foreach ( array_keys( WC_Stand_In_Store::items_of( $id ) ) as $item_id ) {
			unset( WC_Stand_In_Store::$items[ $item_id ] );
		}
		unset( WC_Stand_In_Store::$orders[ $id ] );
		if ( ! WC_Stand_In_Store::$hpos ) {
			do_action( 'delete_post', $id, null );
		}
		do_action( 'woocommerce_delete_order', $id );
		return true;
	}

	/** Restores a trashed order to its previous status. */
	public function untrash() {
		$id       = $this->get_id();
		$previous = WC_Stand_In_Store::$orders[ $id ]['trash_previous'];
		if ( ! WC_Stand_In_Store::$hpos ) {
			do_action( 'untrash_post', $id, $previous );
		}
		WC_Stand_In_Store::$orders[ $id ]['props']['status'] = $previous;
		unset( WC_Stand_In_Store::$orders[ $id ]['trash_previous'] );
		if ( ! WC_Stand_In_Store::$hpos ) {
			do_action( 'untrashed_post', $id, $previous );
		}
		do_action( 'woocommerce_untrash_order', $id, $previous );
		return true;
	}
}
