<?php
/**
 * ML_Connector_Admin_Notices: what a shop manager must know without opening the status page —
 * the ml_connector extension is missing (the slower pure-PHP fallback is in use), secrets cannot be
 * saved because the key file is unreadable, or WooCommerce is not active.
 *
 * @package ML_Connector
 */

defined( 'ABSPATH' ) || exit;

final class ML_Connector_Admin_Notices {

	/** Screens where the notices show: the plugins list, the dashboard and the plugin's pages. */
	const SCREENS = array( 'plugins', 'dashboard', 'woocommerce_page_ml-connector', 'woocommerce_page_ml-connector-status' );

	/** @var ML_Connector_Channel */
	private $channel;

	public function __construct( ML_Connector_Channel $channel ) {
		$this->channel = $channel;
	}

	public function register() {
		add_action( 'admin_notices', array( $this, 'render' ) );
	}

	public function render() {
		if ( ! current_user_can( ML_Connector_Admin_Guard::CAPABILITY ) ) {
			return;
		}
		$screen = function_exists( 'get_current_screen' ) ? get_current_screen() : null;
		if ( ! $screen || ! in_array( $screen->id, self::SCREENS, true ) ) {
			return;
		}
		if ( $this->channel->uses_extension() ) {
			return;
		}
		echo '<div class="notice notice-warning"><p>' . esc_html__( 'ML Connector is handing events to the agent with its pure-PHP fallback. Install the ml_connector PHP extension (see the plugin\'s readme) for a faster hand-off that validates every event.', 'ml-connector' ) . '</p></div>';
		$state = $this->channel->state();
		if ( empty( $state['key_ok'] ) ) {
			/* translators: %s: key file path */
			echo '<div class="notice notice-error"><p>' . esc_html( sprintf( __( 'ML Connector cannot encrypt secrets: the key file %s is not readable by the web server. Passwords and keys cannot be saved until it is (or the extension is installed).', 'ml-connector' ), $state['key_path'] ) ) . '</p></div>';
		}
	}

	/** Shown instead of everything else when WooCommerce is not active. */
	public static function woocommerce_missing() {
		if ( current_user_can( 'activate_plugins' ) ) {
			echo '<div class="notice notice-error"><p>' . esc_html__( 'ML Connector needs WooCommerce. Activate WooCommerce to hand orders to the agent.', 'ml-connector' ) . '</p></div>';
		}
	}
}
