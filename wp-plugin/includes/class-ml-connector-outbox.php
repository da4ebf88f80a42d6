<?php
/**
 * ML_Connector_Outbox: collects the changes of the current request and, at `shutdown`, hands one
 * event per object to the agent — built from the object as it is saved by then, never from what a
 * hook saw mid-save (items are not in the database yet at woocommerce_new_order; one admin click
 * fires woocommerce_update_order several times).
 *
 * Hooks fired while the outbox itself reads objects (HPOS sync-on-read can save an order) are
 * ignored, so reading never re-enters. A failure of one event is logged and the others still go.
 *
 * @package ML_Connector
 */

defined( 'ABSPATH' ) || exit;

final class ML_Connector_Outbox {

	/** Late on shutdown, after other plugins' shutdown work that may still save objects. */
	const SHUTDOWN_PRIORITY = 1000;

	/** @var ML_Connector_Event_Builder */
	private $builder;

	/** @var ML_Connector_Channel */
	private $channel;

	/** @var ML_Connector_Request_Origin */
	private $origin;

	/** @var array<string, ML_Connector_Change> by "type:id", in first-seen order */
	private $changes = array();

	private $flushing = false;

	public function __construct( ML_Connector_Event_Builder $builder, ML_Connector_Channel $channel, ML_Connector_Request_Origin $origin ) {
		$this->builder = $builder;
		$this->channel = $channel;
		$this->origin  = $origin;
	}

	public function register() {
		add_action( 'shutdown', array( $this, 'flush' ), self::SHUTDOWN_PRIORITY );
	}

	/**
	 * Records that $hook fired for an object.
	 *
	 * @return ML_Connector_Change|null the change to mark further, or null when ignored
	 */
	public function note( $type, $id, $hook ) {
		$id = (int) $id;
		if ( $this->flushing || $id <= 0 ) {
			return null;
		}
		$key = $type . ':' . $id;
		if ( ! isset( $this->changes[ $key ] ) ) {
			$this->changes[ $key ] = new ML_Connector_Change( $type, $id );
		}
		return $this->changes[ $key ]->saw( $hook );
	}

	/** shutdown: one event per changed object, then a clean slate for the next request. */
	public function flush() {
		$this->flushing = true;
		try {
			foreach ( $this->changes as $change ) {
				$this->send( $change );
			}
		} finally {
			$this->changes  = array();
			$this->flushing = false;
			$this->origin->reset();
		}
	}

	private function send( ML_Connector_Change $change ) {
		try {
			$event = $this->builder->build( $change );
			if ( null !== $event ) {
				$this->channel->enqueue( ML_Connector_Event::to_json( $event ) );
			}
		} catch ( Throwable $e ) {
			ML_Connector_Log::error( sprintf( 'no event for %s %d: %s', $change->type(), $change->id(), $e->getMessage() ) );
		}
	}
}
