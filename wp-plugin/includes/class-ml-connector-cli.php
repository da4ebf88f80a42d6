<?php
/**
 * ML_Connector_CLI: `wp ml-connector status | replay | resync`, registered only under WP-CLI.
 *
 * @package ML_Connector
 */

defined( 'ABSPATH' ) || exit;

/**
 * Inspect and steer the ml-connector agent.
 */
final class ML_Connector_CLI {

	/** @var ML_Connector_Agent_Reports */
	private $reports;

	/** @var ML_Connector_Channel */
	private $channel;

	/** @var ML_Connector_Commands */
	private $commands;

	public function __construct( ML_Connector_Agent_Reports $reports, ML_Connector_Channel $channel, ML_Connector_Commands $commands ) {
		$this->reports  = $reports;
		$this->channel  = $channel;
		$this->commands = $commands;
	}

	public static function register( ML_Connector_Agent_Reports $reports, ML_Connector_Channel $channel, ML_Connector_Commands $commands ) {
		WP_CLI::add_command( 'ml-connector', new self( $reports, $channel, $commands ) );
	}

	/**
	 * Shows whether the agent runs, how events reach it, the queue and parked work.
	 *
	 * ## EXAMPLES
	 *
	 *     wp ml-connector status
	 */
	public function status( $args, $assoc_args ) {
		$heartbeat = $this->reports->heartbeat();
		$state     = $this->channel->state();
		WP_CLI::line( 'Agent:       ' . $this->describe_heartbeat( $heartbeat ) );
		WP_CLI::line( 'Hand-off:    ' . ( 'extension' === $state['mode'] ? 'ml_connector extension' : 'pure-PHP fallback' ) );
		WP_CLI::line( 'Spool:       ' . ( isset( $state['spool_path'] ) ? $state['spool_path'] : '' ) . ( ! empty( $state['spool_ok'] ) ? ' (ok)' : ' (' . $state['spool_error'] . ')' ) );
		WP_CLI::line( 'In spool:    ' . ( isset( $state['queue_depth'] ) ? (string) $state['queue_depth'] : '-' ) );
		$snapshot = $this->reports->snapshot();
		if ( ! is_array( $snapshot ) ) {
			WP_CLI::line( 'No status snapshot from the agent yet.' );
			return;
		}
		$queue = isset( $snapshot['queue'] ) ? (array) $snapshot['queue'] : array();
		foreach ( array( 'pending', 'running', 'parked', 'held' ) as $name ) {
			WP_CLI::line( str_pad( ucfirst( $name ) . ':', 13 ) . ( isset( $queue[ $name ] ) ? (int) $queue[ $name ] : 0 ) );
		}
		foreach ( isset( $snapshot['parked'] ) ? (array) $snapshot['parked'] : array() as $item ) {
			WP_CLI::line( sprintf( '  parked job %d (order %d, %s): %s', $item['job_id'] ?? 0, $item['order_id'] ?? 0, $item['kind'] ?? '', $item['reason'] ?? '' ) );
		}
	}

	/**
	 * Replays parked work.
	 *
	 * ## OPTIONS
	 *
	 * [--parked]
	 * : Replay everything parked.
	 *
	 * [--order=<id>]
	 * : Replay the work of one order.
	 *
	 * [--job=<id>]
	 * : Replay one job.
	 *
	 * ## EXAMPLES
	 *
	 *     wp ml-connector replay --parked
	 *     wp ml-connector replay --job=7
	 */
	public function replay( $args, $assoc_args ) {
		$targets = array();
		if ( ! empty( $assoc_args['parked'] ) ) {
			$targets[] = 'parked';
		}
		foreach ( array( 'order', 'job' ) as $kind ) {
			if ( isset( $assoc_args[ $kind ] ) ) {
				$targets[] = $kind . ':' . $assoc_args[ $kind ];
			}
		}
		if ( 1 !== count( $targets ) || ! ML_Connector_Commands::is_replay_target( $targets[0] ) ) {
			WP_CLI::error( 'Give exactly one of --parked, --order=<id>, --job=<id> (ids are positive numbers).' );
		}
		if ( ! $this->commands->replay( $targets[0], 'wp-cli' ) ) {
			WP_CLI::error( 'The replay could not be queued; see the PHP error log (ml_connector: lines).' );
		}
		WP_CLI::success( "Replay of {$targets[0]} queued." . ( $this->reports->agent_running() ? '' : ' The agent is not running: it runs when the agent starts.' ) );
	}

	/**
	 * Sends an order to NAV again as it is now.
	 *
	 * ## OPTIONS
	 *
	 * <order>
	 * : The WooCommerce order id.
	 *
	 * ## EXAMPLES
	 *
	 *     wp ml-connector resync 1234
	 */
	public function resync( $args, $assoc_args ) {
		$order_id = isset( $args[0] ) ? absint( $args[0] ) : 0;
		if ( ! wc_get_order( $order_id ) instanceof WC_Order ) {
			WP_CLI::error( "There is no order $order_id." );
		}
		if ( ! $this->commands->resync( $order_id, 'wp-cli' ) ) {
			WP_CLI::error( 'The resync could not be queued; see the PHP error log (ml_connector: lines).' );
		}
		WP_CLI::success( "Order $order_id queued to be sent again." );
	}

	private function describe_heartbeat( array $heartbeat ) {
		if ( ML_Connector_Agent_Reports::FRESH === $heartbeat['state'] ) {
			return "running (heartbeat {$heartbeat['age']} s ago, version {$heartbeat['version']})";
		}
		if ( ML_Connector_Agent_Reports::STALE === $heartbeat['state'] ) {
			return "NOT responding (last heartbeat {$heartbeat['at']})";
		}
		return 'NOT running (no heartbeat ever)';
	}
}
