<?php
/**
 * ML_Connector_Agent_Reports: reads what the agent writes back into the spool (docs/php-api.md) —
 * its heartbeat (judged fresh, stale or absent), its status snapshot (queue, recent syncs, parked
 * work), answers to live checks, and the sync state of orders with their NAV document numbers.
 *
 * @package ML_Connector
 */

defined( 'ABSPATH' ) || exit;

final class ML_Connector_Agent_Reports {

	const FRESH  = 'fresh';
	const STALE  = 'stale';
	const ABSENT = 'absent';

	/** Order meta the agent writes through the REST API once NAV has a document number. */
	const NAV_NUMBER_META = 'ml_connector_nav_number';

	/** @var ML_Connector_Channel */
	private $channel;

	public function __construct( ML_Connector_Channel $channel ) {
		$this->channel = $channel;
	}

	/**
	 * @return array{state: string, at: ?string, age: ?int, version: ?string}
	 */
	public function heartbeat() {
		$beat = $this->document( 'heartbeat' );
		if ( ! $beat ) {
			return array( 'state' => self::ABSENT, 'at' => null, 'age' => null, 'version' => null );
		}
		$at  = isset( $beat['at'] ) ? (string) $beat['at'] : '';
		$age = self::age( $at );
		return array(
			'state'   => ( null !== $age && $age <= ML_Connector_Config::heartbeat_stale_after() ) ? self::FRESH : self::STALE,
			'at'      => $at,
			'age'     => $age,
			'version' => isset( $beat['version'] ) ? (string) $beat['version'] : null,
		);
	}

	public function agent_running() {
		return self::FRESH === $this->heartbeat()['state'];
	}

	/** @return array|null the decoded snapshot */
	public function snapshot() {
		return $this->document( 'snapshot' );
	}

	/**
	 * The settings the agent's file pins (they win over what is saved here), as dotted paths.
	 *
	 * @return array{file: string, paths: string[]}
	 */
	public function pinned_settings() {
		$pinned = $this->document( 'settings_pinned' );
		$paths  = isset( $pinned['paths'] ) && is_array( $pinned['paths'] ) ? array_values( array_filter( $pinned['paths'], 'is_string' ) ) : array();
		return array(
			'file'  => isset( $pinned['file'] ) && is_string( $pinned['file'] ) ? $pinned['file'] : '',
			'paths' => $paths,
		);
	}

	/** @return array|null the agent's answer to command.check <request id>, decoded */
	public function check_answer( $request_id ) {
		return $this->document( 'check:' . $request_id );
	}

	/**
	 * Sync state of one order for the admin screens: the spool's order_sync row, with the NAV number
	 * from the order's meta when the row has none (or there is no row).
	 *
	 * @param WC_Order $order
	 * @return array{state: string, nav_number: string, reason: string, updated_at: string}
	 */
	public function order_state( $order ) {
		$rows = $this->channel->order_sync( array( $order->get_id() ) );
		$row  = isset( $rows[ $order->get_id() ] ) ? $rows[ $order->get_id() ] : array();
		$nav  = ! empty( $row['nav_number'] ) ? (string) $row['nav_number'] : (string) $order->get_meta( self::NAV_NUMBER_META );
		return array(
			'state'      => ! empty( $row['state'] ) ? (string) $row['state'] : ( '' !== $nav ? 'synced' : '' ),
			'nav_number' => $nav,
			'reason'     => ! empty( $row['reason'] ) ? (string) $row['reason'] : '',
			'updated_at' => ! empty( $row['updated_at'] ) ? (string) $row['updated_at'] : '',
		);
	}

	/** Seconds since an RFC 3339 instant, or null when it cannot be read. */
	public static function age( $instant ) {
		if ( '' === (string) $instant ) {
			return null;
		}
		try {
			return max( 0, time() - ( new DateTimeImmutable( $instant ) )->getTimestamp() );
		} catch ( Exception $e ) {
			return null;
		}
	}

	private function document( $name ) {
		$row = $this->channel->agent_status( $name );
		if ( ! $row || ! isset( $row['value'] ) ) {
			return null;
		}
		$value = json_decode( (string) $row['value'], true );
		return is_array( $value ) ? $value : null;
	}
}
