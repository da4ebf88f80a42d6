<?php
/**
 * ML_Connector_Customer_Hooks: listens to customers created, updated and deleted on every path
 * (reference section 1.2, "Customer flows") and records them in the outbox. Each path fires a
 * different subset of these hooks and most fire two or four of them; the outbox makes one event.
 *
 * | path                           | hooks                                                                    |
 * |--------------------------------|--------------------------------------------------------------------------|
 * | REST POST /customers           | user_register, woocommerce_created_customer, profile_update, woocommerce_new_customer |
 * | REST PUT /customers/{id}       | profile_update, woocommerce_update_customer                              |
 * | checkout with a new account    | user_register, woocommerce_created_customer, profile_update, woocommerce_update_customer |
 * | My Account registration        | user_register, woocommerce_created_customer                              |
 * | My Account details / addresses | profile_update, woocommerce_update_customer                              |
 * | wp-admin Users → Add New       | user_register                                                            |
 * | wp-admin profile save          | profile_update                                                           |
 * | deletion                       | delete_user (still readable: snapshot), woocommerce_delete_customer      |
 *
 * @package ML_Connector
 */

defined( 'ABSPATH' ) || exit;

final class ML_Connector_Customer_Hooks {

	/** @var ML_Connector_Outbox */
	private $outbox;

	/** @var ML_Connector_Customer_Representation */
	private $representation;

	public function __construct( ML_Connector_Outbox $outbox, ML_Connector_Customer_Representation $representation ) {
		$this->outbox         = $outbox;
		$this->representation = $representation;
	}

	public function register() {
		foreach ( array( 'user_register', 'woocommerce_created_customer', 'woocommerce_new_customer' ) as $hook ) {
			add_action( $hook, array( $this, 'created' ), 10, 1 );
		}
		foreach ( array( 'profile_update', 'woocommerce_update_customer' ) as $hook ) {
			add_action( $hook, array( $this, 'changed' ), 10, 1 );
		}
		add_action( 'delete_user', array( $this, 'deleting' ), 10, 1 );
		add_action( 'woocommerce_delete_customer', array( $this, 'deleted' ), 10, 1 );
	}

	public function created( $customer_id ) {
		$change = $this->outbox->note( ML_Connector_Change::CUSTOMER, $customer_id, current_action() );
		if ( $change ) {
			$change->mark_created();
		}
	}

	public function changed( $customer_id ) {
		$this->outbox->note( ML_Connector_Change::CUSTOMER, $customer_id, current_action() );
	}

	/** delete_user: the user still exists; keep its representation for the event. */
	public function deleting( $customer_id ) {
		$change = $this->outbox->note( ML_Connector_Change::CUSTOMER, $customer_id, current_action() );
		if ( ! $change ) {
			return;
		}
		try {
			$change->mark_deleted( $this->representation->customer( new WC_Customer( (int) $customer_id ) ) );
		} catch ( Exception $e ) {
			$change->mark_deleted();
		}
	}

	public function deleted( $customer_id ) {
		$change = $this->outbox->note( ML_Connector_Change::CUSTOMER, $customer_id, current_action() );
		if ( $change ) {
			$change->mark_deleted();
		}
	}
}
