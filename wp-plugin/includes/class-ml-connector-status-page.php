<?php
/**
 * ML_Connector_Status_Page: WooCommerce → ML Connector status. Shows whether the agent is alive
 * (heartbeat fresh / stale / absent), how events reach it (extension or pure-PHP fallback, spool,
 * key, wake socket), the queue, reachability of both systems, recent syncs, and the parked work
 * with its reason and a Replay button per item and for all (command.replay; nonce + capability).
 *
 * @package ML_Connector
 */

defined( 'ABSPATH' ) || exit;

final class ML_Connector_Status_Page {

	const PAGE   = 'ml-connector-status';
	const REPLAY = 'ml_connector_replay';

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

	public function register() {
		add_action( 'admin_menu', array( $this, 'add_page' ) );
		add_action( 'admin_post_' . self::REPLAY, array( $this, 'replay' ) );
	}

	public function add_page() {
		add_submenu_page( 'woocommerce', __( 'ML Connector status', 'ml-connector' ), __( 'ML Connector status', 'ml-connector' ), ML_Connector_Admin_Guard::CAPABILITY, self::PAGE, array( $this, 'render' ) );
	}

	/** admin-post: replay one parked job or everything parked. */
	public function replay() {
		ML_Connector_Admin_Guard::require_form( self::REPLAY );
		$target = isset( $_POST['target'] ) ? sanitize_text_field( wp_unslash( $_POST['target'] ) ) : ''; // phpcs:ignore WordPress.Security.NonceVerification -- verified by the guard
		$queued = ML_Connector_Commands::is_replay_target( $target ) && $this->commands->replay( $target, 'admin' );
		wp_safe_redirect( add_query_arg( array( 'page' => self::PAGE, 'ml_connector_notice' => $queued ? 'replay_queued' : 'replay_failed' ), admin_url( 'admin.php' ) ) );
		exit;
	}

	public function render() {
		if ( ! current_user_can( ML_Connector_Admin_Guard::CAPABILITY ) ) {
			wp_die( esc_html__( 'Sorry, you are not allowed to do this.', 'ml-connector' ), '', array( 'response' => 403 ) );
		}
		$snapshot = $this->reports->snapshot();
		echo '<div class="wrap"><h1>' . esc_html__( 'ML Connector status', 'ml-connector' ) . '</h1>';
		$this->render_notice();
		$this->render_agent( $this->reports->heartbeat(), $snapshot );
		$this->render_hand_off( $this->channel->state() );
		$this->render_recent( isset( $snapshot['recent'] ) && is_array( $snapshot['recent'] ) ? $snapshot['recent'] : array() );
		$this->render_parked( isset( $snapshot['parked'] ) && is_array( $snapshot['parked'] ) ? $snapshot['parked'] : array() );
		echo '</div>';
	}

	private function render_notice() {
		$notice = isset( $_GET['ml_connector_notice'] ) ? sanitize_key( wp_unslash( $_GET['ml_connector_notice'] ) ) : ''; // phpcs:ignore WordPress.Security.NonceVerification -- display only
		if ( 'replay_queued' === $notice ) {
			echo '<div class="notice notice-success"><p>' . esc_html__( 'Replay queued; the agent picks it up within seconds.', 'ml-connector' ) . '</p></div>';
		} elseif ( 'replay_failed' === $notice ) {
			echo '<div class="notice notice-error"><p>' . esc_html__( 'The replay could not be queued. The PHP error log has the details (lines starting with ml_connector:).', 'ml-connector' ) . '</p></div>';
		}
	}

	private function render_agent( array $heartbeat, $snapshot ) {
		echo '<h2>' . esc_html__( 'Agent', 'ml-connector' ) . '</h2><table class="widefat striped"><tbody>';
		if ( ML_Connector_Agent_Reports::FRESH === $heartbeat['state'] ) {
			/* translators: %d: seconds */
			$state = sprintf( __( 'Running — last heartbeat %d s ago.', 'ml-connector' ), $heartbeat['age'] );
		} elseif ( ML_Connector_Agent_Reports::STALE === $heartbeat['state'] ) {
			/* translators: %s: time of the last heartbeat */
			$state = sprintf( __( 'Not responding — last heartbeat at %s. Events wait in the spool until it runs again.', 'ml-connector' ), $heartbeat['at'] );
		} else {
			$state = __( 'Not running — it has never reported a heartbeat. Events wait in the spool until it starts.', 'ml-connector' );
		}
		$this->row( __( 'State', 'ml-connector' ), $state );
		if ( $heartbeat['version'] ) {
			$this->row( __( 'Version', 'ml-connector' ), $heartbeat['version'] );
		}
		if ( is_array( $snapshot ) ) {
			$queue = isset( $snapshot['queue'] ) && is_array( $snapshot['queue'] ) ? $snapshot['queue'] : array();
			$labels = array(
				'pending' => __( 'Jobs waiting', 'ml-connector' ),
				'running' => __( 'Jobs running', 'ml-connector' ),
				'parked'  => __( 'Jobs parked', 'ml-connector' ),
				'held'    => __( 'Orders held', 'ml-connector' ),
			);
			foreach ( $labels as $name => $label ) {
				$this->row( $label, isset( $queue[ $name ] ) ? (string) (int) $queue[ $name ] : '—' );
			}
			$this->row( __( 'Last success', 'ml-connector' ), isset( $snapshot['last_success_at'] ) ? (string) $snapshot['last_success_at'] : '—' );
			foreach ( array( 'nav' => __( 'Business Central / NAV', 'ml-connector' ), 'woo' => __( 'WooCommerce REST API', 'ml-connector' ) ) as $system => $label ) {
				$reach = isset( $snapshot['reachability'][ $system ] ) ? $snapshot['reachability'][ $system ] : null;
				if ( is_array( $reach ) ) {
					$text = ( ! empty( $reach['ok'] ) ? __( 'reachable', 'ml-connector' ) : __( 'NOT reachable', 'ml-connector' ) ) . ( ! empty( $reach['detail'] ) ? ' — ' . $reach['detail'] : '' );
					$this->row( $label, $text );
				}
			}
			// Webhook mode only (the agent receives WooCommerce webhooks instead of the hand-off).
			$webhooks = isset( $snapshot['webhooks'] ) && is_array( $snapshot['webhooks'] ) ? $snapshot['webhooks'] : null;
			if ( $webhooks ) {
				$url  = isset( $webhooks['public_url'] ) ? (string) $webhooks['public_url'] : '';
				$text = ( ! empty( $webhooks['endpoint_ok'] ) ? __( 'working', 'ml-connector' ) : __( 'FAILING', 'ml-connector' ) ) . ' — ' . $url . ( ! empty( $webhooks['detail'] ) ? ': ' . $webhooks['detail'] : '' );
				$this->row( __( 'WooCommerce webhooks', 'ml-connector' ), $text );
			}
		}
		echo '</tbody></table>';
	}

	private function render_hand_off( array $state ) {
		echo '<h2>' . esc_html__( 'Hand-off from WordPress', 'ml-connector' ) . '</h2><table class="widefat striped"><tbody>';
		if ( 'extension' === $state['mode'] ) {
			/* translators: %s: extension version */
			$this->row( __( 'Mode', 'ml-connector' ), sprintf( __( 'ml_connector PHP extension %s', 'ml-connector' ), isset( $state['extension_version'] ) ? $state['extension_version'] : '' ) );
		} else {
			$this->row( __( 'Mode', 'ml-connector' ), __( 'Pure-PHP fallback (install the ml_connector PHP extension for a faster, validated hand-off)', 'ml-connector' ) );
		}
		$this->row( __( 'Spool', 'ml-connector' ), (string) ( isset( $state['spool_path'] ) ? $state['spool_path'] : '' ) . ' — ' . ( ! empty( $state['spool_ok'] ) ? __( 'OK', 'ml-connector' ) : (string) $state['spool_error'] ) );
		$this->row( __( 'Events waiting in the spool', 'ml-connector' ), isset( $state['queue_depth'] ) && null !== $state['queue_depth'] ? (string) (int) $state['queue_depth'] : '—' );
		$key_state = ! empty( $state['key_ok'] ) ? __( 'readable', 'ml-connector' ) : ( isset( $state['key_error'] ) ? $state['key_error'] : __( 'not readable — secrets cannot be saved', 'ml-connector' ) );
		$this->row( __( 'Key file', 'ml-connector' ), (string) ( isset( $state['key_path'] ) ? $state['key_path'] : '' ) . ' — ' . $key_state );
		$this->row( __( 'Wake socket', 'ml-connector' ), (string) ( isset( $state['wake_socket'] ) ? $state['wake_socket'] : '' ) . ' — ' . ( ! empty( $state['agent_listening'] ) ? __( 'present', 'ml-connector' ) : __( 'absent', 'ml-connector' ) ) );
		echo '</tbody></table>';
	}

	private function render_recent( array $recent ) {
		echo '<h2>' . esc_html__( 'Recent syncs', 'ml-connector' ) . '</h2>';
		if ( ! $recent ) {
			echo '<p>' . esc_html__( 'None yet.', 'ml-connector' ) . '</p>';
			return;
		}
		echo '<table class="widefat striped"><thead><tr><th>' . esc_html__( 'Order', 'ml-connector' ) . '</th><th>' . esc_html__( 'NAV no.', 'ml-connector' ) . '</th><th>' . esc_html__( 'State', 'ml-connector' ) . '</th><th>' . esc_html__( 'When', 'ml-connector' ) . '</th></tr></thead><tbody>';
		foreach ( $recent as $sync ) {
			echo '<tr><td>' . $this->order_link( isset( $sync['order_id'] ) ? (int) $sync['order_id'] : 0 ) . '</td>'; // phpcs:ignore WordPress.Security.EscapeOutput -- escaped in order_link
			foreach ( array( 'nav_number', 'state', 'at' ) as $field ) {
				echo '<td>' . esc_html( isset( $sync[ $field ] ) ? (string) $sync[ $field ] : '' ) . '</td>';
			}
			echo '</tr>';
		}
		echo '</tbody></table>';
	}

	private function render_parked( array $parked ) {
		echo '<h2>' . esc_html__( 'Parked', 'ml-connector' ) . '</h2>';
		if ( ! $parked ) {
			echo '<p>' . esc_html__( 'Nothing is parked.', 'ml-connector' ) . '</p>';
			return;
		}
		echo '<p>' . esc_html__( 'The agent stopped retrying these. Fix the reason (e.g. create the missing item in NAV), then replay.', 'ml-connector' ) . '</p>';
		echo '<table class="widefat striped"><thead><tr>';
		foreach ( array( __( 'Job', 'ml-connector' ), __( 'Order', 'ml-connector' ), __( 'Event', 'ml-connector' ), __( 'Reason', 'ml-connector' ), __( 'Attempts', 'ml-connector' ), __( 'Since', 'ml-connector' ), '' ) as $heading ) {
			echo '<th>' . esc_html( $heading ) . '</th>';
		}
		echo '</tr></thead><tbody>';
		foreach ( $parked as $item ) {
			$job_id = isset( $item['job_id'] ) ? (int) $item['job_id'] : 0;
			echo '<tr><td>' . esc_html( (string) $job_id ) . '</td><td>' . $this->order_link( isset( $item['order_id'] ) ? (int) $item['order_id'] : 0 ) . '</td>'; // phpcs:ignore WordPress.Security.EscapeOutput -- escaped in order_link
			foreach ( array( 'kind', 'reason', 'attempts', 'at' ) as $field ) {
				echo '<td>' . esc_html( isset( $item[ $field ] ) ? (string) $item[ $field ] : '' ) . '</td>';
			}
			echo '<td>';
			if ( $job_id > 0 ) {
				$this->replay_button( 'job:' . $job_id, __( 'Replay', 'ml-connector' ) );
			}
			echo '</td></tr>';
		}
		echo '</tbody></table><p>';
		$this->replay_button( 'parked', __( 'Replay all parked', 'ml-connector' ) );
		echo '</p>';
	}

	private function replay_button( $target, $label ) {
		echo '<form method="post" action="' . esc_url( admin_url( 'admin-post.php' ) ) . '" style="display:inline">';
		echo '<input type="hidden" name="action" value="' . esc_attr( self::REPLAY ) . '" />';
		echo '<input type="hidden" name="target" value="' . esc_attr( $target ) . '" />';
		wp_nonce_field( self::REPLAY );
		echo '<button type="submit" class="button">' . esc_html( $label ) . '</button></form>';
	}

	private function order_link( $order_id ) {
		if ( $order_id <= 0 ) {
			return '';
		}
		$order = wc_get_order( $order_id );
		$url   = $order ? $order->get_edit_order_url() : '';
		return $url ? '<a href="' . esc_url( $url ) . '">#' . esc_html( (string) $order_id ) . '</a>' : '#' . esc_html( (string) $order_id );
	}

	private function row( $label, $value ) {
		echo '<tr><th scope="row">' . esc_html( $label ) . '</th><td>' . esc_html( $value ) . '</td></tr>';
	}
}
