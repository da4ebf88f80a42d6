<?php
/**
 * ML_Connector_Connection_Check: the "Test connection" button. Starting it queues `command.check`
 * with a random request id (AJAX, nonce + manage_woocommerce); the page then polls for the agent's
 * answer `check:<id>` in agent_status and shows, in plain words, the companies found, how long each
 * check took and every failure — or says clearly that the agent is not running (no heartbeat).
 *
 * @package ML_Connector
 */

defined( 'ABSPATH' ) || exit;

final class ML_Connector_Connection_Check {

	const NONCE = 'ml_connector_check';

	/** @var ML_Connector_Commands */
	private $commands;

	/** @var ML_Connector_Agent_Reports */
	private $reports;

	public function __construct( ML_Connector_Commands $commands, ML_Connector_Agent_Reports $reports ) {
		$this->commands = $commands;
		$this->reports  = $reports;
	}

	public function register() {
		add_action( 'wp_ajax_ml_connector_check_start', array( $this, 'start' ) );
		add_action( 'wp_ajax_ml_connector_check_result', array( $this, 'result' ) );
	}

	/** AJAX: queue the check. */
	public function start() {
		ML_Connector_Admin_Guard::require_ajax( self::NONCE );
		$request_id = $this->commands->check( 'admin' );
		if ( null === $request_id ) {
			wp_send_json_error( array( 'message' => __( 'The check could not be handed to the agent: the spool is not writable. The PHP error log has the details (lines starting with ml_connector:).', 'ml-connector' ) ) );
		}
		$running = $this->reports->agent_running();
		wp_send_json_success(
			array(
				'request_id'    => $request_id,
				'agent_running' => $running,
				'wait_seconds'  => ML_Connector_Config::check_wait(),
				'message'       => $running
					? __( 'Checking… the agent is testing the connections.', 'ml-connector' )
					: self::agent_not_running_message( $this->reports->heartbeat() ),
			)
		);
	}

	/** AJAX: the answer, if the agent has written it. */
	public function result() {
		ML_Connector_Admin_Guard::require_ajax( self::NONCE );
		$request_id = isset( $_POST['request_id'] ) ? sanitize_text_field( wp_unslash( $_POST['request_id'] ) ) : ''; // phpcs:ignore WordPress.Security.NonceVerification -- verified by the guard
		if ( ! preg_match( '/^[0-9a-f]{32}$/', $request_id ) ) {
			wp_send_json_error( array( 'message' => __( 'Unknown check.', 'ml-connector' ) ), 400 );
		}
		$answer = $this->reports->check_answer( $request_id );
		if ( null === $answer ) {
			$running = $this->reports->agent_running();
			wp_send_json_success(
				array(
					'done'          => false,
					'agent_running' => $running,
					'message'       => $running ? __( 'Checking…', 'ml-connector' ) : self::agent_not_running_message( $this->reports->heartbeat() ),
				)
			);
		}
		wp_send_json_success( array( 'done' => true ) + self::describe( $answer ) );
	}

	/**
	 * The agent's answer in plain words: {ok, summary, companies[], total_ms, checks[{ok, name, millis, detail}]}.
	 */
	public static function describe( array $answer ) {
		$checks   = array();
		$total_ms = 0;
		foreach ( isset( $answer['checks'] ) && is_array( $answer['checks'] ) ? $answer['checks'] : array() as $check ) {
			$name      = isset( $check['name'] ) ? (string) $check['name'] : '';
			$millis    = isset( $check['millis'] ) ? (int) $check['millis'] : 0;
			$total_ms += $millis;
			$checks[]  = array(
				'ok'     => ! empty( $check['ok'] ),
				'name'   => self::check_label( $name ),
				'millis' => $millis,
				'detail' => isset( $check['detail'] ) ? (string) $check['detail'] : '',
			);
		}
		$failed    = count(
			array_filter(
				$checks,
				function ( $check ) {
					return ! $check['ok'];
				}
			)
		);
		$companies = isset( $answer['companies'] ) && is_array( $answer['companies'] ) ? array_values( array_map( 'strval', $answer['companies'] ) ) : array();
		$ok        = ! empty( $answer['ok'] ) && 0 === $failed;
		return array(
			'ok'        => $ok,
			'summary'   => $ok
				/* translators: %d: milliseconds */
				? sprintf( __( 'Everything works (%d ms).', 'ml-connector' ), $total_ms )
				/* translators: %d: number of failed checks */
				: sprintf( _n( '%d check failed.', '%d checks failed.', max( 1, $failed ), 'ml-connector' ), max( 1, $failed ) ),
			'companies' => $companies,
			'total_ms'  => $total_ms,
			'checks'    => $checks,
		);
	}

	/**
	 * What the agent's check names (agent/src/check.rs) mean, for people; names of a newer agent
	 * are shown as they are.
	 */
	private static function check_label( $name ) {
		$labels = array(
			'nav.configured' => __( 'Business Central / NAV settings', 'ml-connector' ),
			'nav.auth'       => __( 'Sign-in to Business Central / NAV', 'ml-connector' ),
			'nav.company'    => __( 'Company', 'ml-connector' ),
			'nav.items'      => __( 'Items readable', 'ml-connector' ),
			'nav.ship_to_page' => __( 'Ship-to Address page', 'ml-connector' ),
			'nav.latency'    => __( 'Business Central / NAV round trip', 'ml-connector' ),
			'woo.configured' => __( 'WooCommerce access settings', 'ml-connector' ),
			'woo.auth'       => __( 'WooCommerce REST API key', 'ml-connector' ),
			'woo.latency'    => __( 'WooCommerce round trip', 'ml-connector' ),
		);
		return isset( $labels[ $name ] ) ? $labels[ $name ] : $name;
	}

	public static function agent_not_running_message( array $heartbeat ) {
		if ( ML_Connector_Agent_Reports::ABSENT === $heartbeat['state'] ) {
			return __( 'The agent is not running: it has never reported a heartbeat. Start it (systemctl start ml-connector-agent); the check waits in the queue and runs when it starts.', 'ml-connector' );
		}
		/* translators: %s: time of the last heartbeat */
		return sprintf( __( 'The agent is not running: its last heartbeat was at %s. Start it (systemctl start ml-connector-agent); the check waits in the queue and runs when it starts.', 'ml-connector' ), $heartbeat['at'] );
	}
}
