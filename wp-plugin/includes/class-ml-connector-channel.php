<?php
/**
 * ML_Connector_Channel: the one way the plugin talks to the agent — the `ml_connector` extension
 * when it is loaded, else the pure-PHP fallback (PDO spool + datagram wake). Nothing here throws:
 * every failure is logged (`ml_connector: ...`) and answered with null/false/empty, so a broken
 * spool never breaks a checkout; the agent's reconciliation recovers what was not handed over.
 *
 * @package ML_Connector
 */

defined( 'ABSPATH' ) || exit;

final class ML_Connector_Channel {

	/** @var bool */
	private $extension;

	/** @var ML_Connector_Fallback_Spool|null */
	private $fallback;

	/** @var bool the "agent not listening" line is logged once per request, not once per event */
	private $reported_agent_down = false;

	/** @param bool $use_extension false forces the fallback (its benchmark entry point). */
	public function __construct( $use_extension = true ) {
		$this->extension = $use_extension && function_exists( 'ml_connector_enqueue' );
	}

	public function uses_extension() {
		return $this->extension;
	}

	/**
	 * Hands one event to the agent.
	 *
	 * @return int|null the spool sequence number, or null (logged)
	 */
	public function enqueue( $event_json ) {
		try {
			if ( $this->extension ) {
				// The extension validates, writes, wakes, and logs its own failures.
				$seq = ml_connector_enqueue( $event_json );
				return null === $seq ? null : (int) $seq;
			}
			$seq = $this->fallback()->enqueue( $event_json );
			$this->wake( $seq );
			return $seq;
		} catch ( Throwable $e ) {
			ML_Connector_Log::error( 'event not handed over (the agent\'s reconciliation will pick it up): ' . $e->getMessage() );
			return null;
		}
	}

	/** Stores a settings document (spool table `settings`). */
	public function put_setting( $name, $json ) {
		try {
			if ( $this->extension ) {
				return (bool) ml_connector_put_setting( $name, $json );
			}
			$this->fallback()->put_setting( $name, $json );
			return true;
		} catch ( Throwable $e ) {
			ML_Connector_Log::error( "settings document $name not stored: " . $e->getMessage() );
			return false;
		}
	}

	/**
	 * A document the agent wrote (heartbeat, snapshot, check:<id>).
	 *
	 * @return array{value: string, updated_at: string}|null
	 */
	public function agent_status( $name ) {
		try {
			$row = $this->extension ? ml_connector_agent_status( $name ) : $this->fallback()->agent_status( $name );
			return is_array( $row ) ? $row : null;
		} catch ( Throwable $e ) {
			ML_Connector_Log::error( "agent status $name not readable: " . $e->getMessage() );
			return null;
		}
	}

	/**
	 * Sync state per order, for the orders list and the order screen.
	 *
	 * @param int[] $order_ids
	 * @return array<int, array{state: string, nav_number: ?string, reason: ?string, updated_at: string}>
	 */
	public function order_sync( array $order_ids ) {
		try {
			$rows = $this->extension ? ml_connector_order_sync( array_map( 'intval', $order_ids ) ) : $this->fallback()->order_sync( $order_ids );
			return is_array( $rows ) ? $rows : array();
		} catch ( Throwable $e ) {
			ML_Connector_Log::error( 'order sync state not readable: ' . $e->getMessage() );
			return array();
		}
	}

	/**
	 * The hand-off's health, in the keys of the extension's ml_connector_status() plus `mode`.
	 *
	 * @return array
	 */
	public function state() {
		if ( $this->extension ) {
			try {
				return array( 'mode' => 'extension' ) + (array) ml_connector_status();
			} catch ( Throwable $e ) {
				return array(
					'mode'        => 'extension',
					'spool_ok'    => false,
					'spool_error' => $e->getMessage(),
				);
			}
		}
		$state = array(
			'mode'              => 'fallback',
			'extension_version' => null,
			'spool_path'        => ML_Connector_Config::spool_path(),
			'spool_ok'          => false,
			'spool_error'       => null,
			'queue_depth'       => null,
			'key_path'          => ML_Connector_Config::key_path(),
			'key_ok'            => false,
			'key_id'            => null,
			'wake_socket'       => ML_Connector_Config::wake_socket(),
			'agent_listening'   => file_exists( ML_Connector_Config::wake_socket() ),
		);
		try {
			$state['queue_depth'] = $this->fallback()->depth();
			$state['spool_ok']    = null !== $state['queue_depth'];
			if ( ! $state['spool_ok'] ) {
				$state['spool_error'] = __( 'The spool does not exist yet; it is created with the first event.', 'ml-connector' );
			}
		} catch ( Throwable $e ) {
			$state['spool_error'] = $e->getMessage();
		}
		try {
			$state['key_id'] = ML_Connector_Envelope::from_key_file( $state['key_path'] )->active_key_id();
			$state['key_ok'] = true;
		} catch ( ML_Connector_Error $e ) {
			$state['key_error'] = $e->getMessage();
		}
		return $state;
	}

	private function fallback() {
		$path = ML_Connector_Config::spool_path();
		if ( ! $this->fallback || $this->fallback->path() !== $path ) {
			$this->fallback = new ML_Connector_Fallback_Spool( $path );
		}
		return $this->fallback;
	}

	private function wake( $seq ) {
		$socket  = ML_Connector_Config::wake_socket();
		$outcome = ML_Connector_Wake::send( $socket, $seq );
		if ( ML_Connector_Wake::AGENT_DOWN === $outcome && ! $this->reported_agent_down ) {
			$this->reported_agent_down = true;
			ML_Connector_Log::error( "agent is not listening on $socket; event $seq waits in the spool until it starts" );
		} elseif ( ML_Connector_Wake::FAILED === $outcome ) {
			ML_Connector_Log::error( "could not wake the agent on $socket; it finds event $seq at its next poll" );
		}
	}
}
