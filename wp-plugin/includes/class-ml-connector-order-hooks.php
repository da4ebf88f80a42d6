<?php
/**
 * ML_Connector_Order_Hooks: listens to every way an order or refund comes to exist or change
 * (reference sections 1.2–1.3, both storages) and records it in the outbox. Listeners only
 * record — they never read the order at woocommerce_new_order (its items are not saved yet) and
 * never save anything (no recursion). Stock hooks are not listened to at all: stock is the
 * agent's to write, and its own REST stock writes must not echo back.
 *
 * | path                     | hooks that record the order                                               |
 * |--------------------------|---------------------------------------------------------------------------|
 * | classic checkout         | new_order, checkout_order_processed, update_order, order_status_changed, payment_complete |
 * | block checkout           | update_order (draft, ignored), store_api_checkout_order_processed, new_order, order_status_changed, payment_complete |
 * | admin create / edit      | update_order (auto-draft, ignored), new_order, order_status_changed, process_shop_order_meta |
 * | REST create / update     | new_order, update_order, order_status_changed, rest_insert_shop_order_object |
 * | refunds                  | refund_created, order_partially_refunded / order_fully_refunded, order_refunded, delete_order_refund |
 * | trash / untrash / delete | before_trash_order, trash_order, wp_trash_post, untrash_order, untrashed_post, before_delete_order, delete_order, before_delete_post |
 *
 * @package ML_Connector
 */

defined( 'ABSPATH' ) || exit;

final class ML_Connector_Order_Hooks {

	/** @var ML_Connector_Outbox */
	private $outbox;

	/** @var ML_Connector_Order_Representation */
	private $representation;

	public function __construct( ML_Connector_Outbox $outbox, ML_Connector_Order_Representation $representation ) {
		$this->outbox         = $outbox;
		$this->representation = $representation;
	}

	public function register() {
		add_action( 'woocommerce_new_order', array( $this, 'created' ), 10, 1 );
		foreach ( array( 'woocommerce_update_order', 'woocommerce_checkout_order_processed', 'woocommerce_process_shop_order_meta', 'woocommerce_payment_complete' ) as $hook ) {
			add_action( $hook, array( $this, 'changed' ), 10, 1 );
		}
		add_action( 'woocommerce_store_api_checkout_order_processed', array( $this, 'changed_object' ), 10, 1 );
		add_action( 'woocommerce_rest_insert_shop_order_object', array( $this, 'changed_object' ), 10, 1 );
		add_action( 'woocommerce_order_status_changed', array( $this, 'status_changed' ), 10, 3 );

		add_action( 'woocommerce_refund_created', array( $this, 'refund_created' ), 10, 2 );
		foreach ( array( 'woocommerce_order_partially_refunded', 'woocommerce_order_fully_refunded', 'woocommerce_order_refunded' ) as $hook ) {
			add_action( $hook, array( $this, 'refunded' ), 10, 2 );
		}
		add_action( 'woocommerce_delete_order_refund', array( $this, 'refund_deleted' ), 10, 2 );

		add_action( 'woocommerce_before_trash_order', array( $this, 'trashed' ), 10, 1 );
		add_action( 'woocommerce_trash_order', array( $this, 'trashed' ), 10, 1 );
		add_action( 'woocommerce_untrash_order', array( $this, 'untrashed' ), 10, 1 );
		add_action( 'woocommerce_before_delete_order', array( $this, 'deleting' ), 10, 2 );
		add_action( 'woocommerce_delete_order', array( $this, 'trashed' ), 10, 1 );
		// Legacy (posts) screens trash, restore and delete through WordPress's post functions.
		add_action( 'wp_trash_post', array( $this, 'post_trashed' ), 10, 1 );
		add_action( 'untrashed_post', array( $this, 'post_untrashed' ), 10, 1 );
		add_action( 'before_delete_post', array( $this, 'post_deleting' ), 10, 1 );
	}

	/** woocommerce_new_order: an id now exists. The order is read at shutdown, not here. */
	public function created( $order_id ) {
		$change = $this->outbox->note( ML_Connector_Change::ORDER, $order_id, current_action() );
		if ( $change ) {
			$change->mark_created();
		}
	}

	public function changed( $order_id ) {
		$this->outbox->note( ML_Connector_Change::ORDER, $order_id, current_action() );
	}

	/** Hooks passing the order object first. */
	public function changed_object( $order ) {
		if ( $order instanceof WC_Order ) {
			$this->outbox->note( ML_Connector_Change::ORDER, $order->get_id(), current_action() );
		}
	}

	/**
	 * Leaving a draft status is the order's creation for the agent — also on stores older than
	 * ≈9.1, which fire woocommerce_update_order (not new_order) when a block-checkout draft becomes
	 * pending.
	 */
	public function status_changed( $order_id, $from, $to ) {
		$change = $this->outbox->note( ML_Connector_Change::ORDER, $order_id, current_action() );
		$drafts = ML_Connector_Config::draft_statuses();
		if ( $change && in_array( $from, $drafts, true ) && ! in_array( $to, $drafts, true ) ) {
			$change->mark_created();
		}
	}

	public function refund_created( $refund_id, $args ) {
		$change = $this->outbox->note( ML_Connector_Change::REFUND, $refund_id, current_action() );
		if ( $change ) {
			$change->mark_created()->set_parent( isset( $args['order_id'] ) ? (int) $args['order_id'] : 0 );
		}
	}

	/**
	 * The refund hooks on the parent order: a refund exists, and the order changed (its refunds,
	 * maybe its status). The refund is noted first so its event precedes the order's.
	 */
	public function refunded( $order_id, $refund_id ) {
		$refund = $this->outbox->note( ML_Connector_Change::REFUND, $refund_id, current_action() );
		if ( $refund ) {
			$refund->mark_created()->set_parent( $order_id );
		}
		$this->outbox->note( ML_Connector_Change::ORDER, $order_id, current_action() );
	}

	public function refund_deleted( $refund_id, $order_id = 0 ) {
		$refund = $this->outbox->note( ML_Connector_Change::REFUND, $refund_id, current_action() );
		if ( $refund ) {
			$refund->mark_deleted()->set_parent( (int) $order_id );
		}
		$this->outbox->note( ML_Connector_Change::ORDER, (int) $order_id, current_action() );
	}

	public function trashed( $order_id ) {
		$change = $this->outbox->note( ML_Connector_Change::ORDER, $order_id, current_action() );
		if ( $change ) {
			$change->mark_deleted();
		}
	}

	public function untrashed( $order_id ) {
		$change = $this->outbox->note( ML_Connector_Change::ORDER, $order_id, current_action() );
		if ( $change ) {
			$change->mark_restored();
		}
	}

	/** woocommerce_before_delete_order: the last moment the order can be represented. */
	public function deleting( $order_id, $order = null ) {
		if ( ! $order instanceof WC_Order ) {
			$order = wc_get_order( $order_id );
		}
		if ( ! $order instanceof WC_Order ) {
			return;
		}
		$change = $this->outbox->note( ML_Connector_Change::ORDER, $order_id, current_action() );
		if ( $change ) {
			$change->mark_deleted( $this->representation->order( $order ) );
		}
	}

	public function post_trashed( $post_id ) {
		if ( wc_get_order( $post_id ) instanceof WC_Order ) {
			$this->trashed( $post_id );
		}
	}

	public function post_untrashed( $post_id ) {
		if ( wc_get_order( $post_id ) instanceof WC_Order ) {
			$this->untrashed( $post_id );
		}
	}

	public function post_deleting( $post_id ) {
		$order = wc_get_order( $post_id );
		if ( $order instanceof WC_Order ) {
			$this->deleting( $post_id, $order );
		}
	}
}
