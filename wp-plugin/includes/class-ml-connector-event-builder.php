<?php
/**
 * ML_Connector_Event_Builder: turns one object's change during a request into its one event —
 * decides the kind, reads the object as saved now, and leaves out what the agent must never see:
 * draft orders (checkout-draft, auto-draft, draft), users that are not customers, and the agent's
 * own WordPress user.
 *
 * Kinds: a deleted object (trashed or deleted) → *.deleted; an order untrashed → order.restored;
 * created in this request (or leaving a draft status) → *.created; otherwise *.updated.
 *
 * @package ML_Connector
 */

defined( 'ABSPATH' ) || exit;

final class ML_Connector_Event_Builder {

	/** @var ML_Connector_Request_Origin */
	private $origin;

	/** @var ML_Connector_Order_Representation */
	private $orders;

	/** @var ML_Connector_Customer_Representation */
	private $customers;

	/** @var ML_Connector_Agent_Access */
	private $agent_access;

	public function __construct( ML_Connector_Request_Origin $origin, ML_Connector_Order_Representation $orders, ML_Connector_Customer_Representation $customers, ML_Connector_Agent_Access $agent_access ) {
		$this->origin       = $origin;
		$this->orders       = $orders;
		$this->customers    = $customers;
		$this->agent_access = $agent_access;
	}

	/** @return array|null the event, or null when this change makes none */
	public function build( ML_Connector_Change $change ) {
		switch ( $change->type() ) {
			case ML_Connector_Change::ORDER:
				return $this->order_event( $change );
			case ML_Connector_Change::REFUND:
				return $this->refund_event( $change );
			default:
				return $this->customer_event( $change );
		}
	}

	private function order_event( ML_Connector_Change $change ) {
		$order = wc_get_order( $change->id() );
		$order = $order instanceof WC_Order ? $order : null;
		if ( $change->deleted() ) {
			$payload = $order ? $this->orders->order( $order ) : $change->snapshot();
			$payload = $payload ? $payload : array( 'id' => $change->id() );
			if ( isset( $payload['status'] ) && $this->is_draft( $payload['status'] ) ) {
				return null; // e.g. the daily clean-up of abandoned block-checkout drafts
			}
			$created_via = isset( $payload['created_via'] ) ? $payload['created_via'] : '';
			return $this->event( 'order.deleted', $change, $created_via, $payload, isset( $payload['date_modified_gmt'] ) ? $payload['date_modified_gmt'] : null );
		}
		if ( ! $order ) {
			ML_Connector_Log::error( 'order ' . $change->id() . ' vanished before the end of the request; reconciliation will look at it' );
			return null;
		}
		if ( $this->is_draft( $order->get_status() ) ) {
			return null;
		}
		if ( $change->restored() ) {
			$kind = 'order.restored';
		} else {
			$kind = $change->created() ? 'order.created' : 'order.updated';
		}
		return $this->event( $kind, $change, $order->get_created_via(), $this->orders->order( $order ), ML_Connector_Rest_Format::modified_gmt( $order ) );
	}

	private function refund_event( ML_Connector_Change $change ) {
		if ( $change->deleted() ) {
			return $this->event( 'refund.deleted', $change, '', array( 'id' => $change->id() ), null );
		}
		$refund = wc_get_order( $change->id() );
		if ( ! $refund instanceof WC_Order_Refund ) {
			ML_Connector_Log::error( 'refund ' . $change->id() . ' vanished before the end of the request; reconciliation will look at it' );
			return null;
		}
		$change->set_parent( (int) $refund->get_parent_id() );
		return $this->event( 'refund.created', $change, '', $this->orders->refund( $refund ), ML_Connector_Rest_Format::modified_gmt( $refund ) );
	}

	private function customer_event( ML_Connector_Change $change ) {
		if ( $change->id() === $this->agent_access->user_id() ) {
			return null;
		}
		if ( $change->deleted() ) {
			$payload = $change->snapshot() ? $change->snapshot() : array( 'id' => $change->id() );
			if ( isset( $payload['role'] ) && ! $this->is_customer_role( $payload['role'] ) ) {
				return null;
			}
			return $this->event( 'customer.deleted', $change, '', $payload, null );
		}
		try {
			$customer = new WC_Customer( $change->id() );
		} catch ( Exception $e ) {
			ML_Connector_Log::error( 'customer ' . $change->id() . ' could not be read (' . $e->getMessage() . '); reconciliation will look at it' );
			return null;
		}
		if ( ! $this->is_customer_role( $customer->get_role() ) ) {
			return null;
		}
		$kind = $change->created() ? 'customer.created' : 'customer.updated';
		return $this->event( $kind, $change, '', $this->customers->customer( $customer ), ML_Connector_Rest_Format::modified_gmt( $customer ) );
	}

	private function event( $kind, ML_Connector_Change $change, $created_via, array $payload, $modified_gmt ) {
		return ML_Connector_Event::make( $kind, $change->id(), $this->origin->resolve( $created_via ), $payload, $change->hooks(), $change->parent_id(), $modified_gmt );
	}

	private function is_draft( $status ) {
		return in_array( $status, ML_Connector_Config::draft_statuses(), true );
	}

	private function is_customer_role( $role ) {
		return in_array( $role, ML_Connector_Config::customer_roles(), true );
	}
}
