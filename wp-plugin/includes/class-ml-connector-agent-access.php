<?php
/**
 * ML_Connector_Agent_Access: the agent's own way into the WooCommerce REST API, provisioned by the
 * plugin — a dedicated WordPress user (role `ml_connector_agent`, the shop manager's capabilities,
 * manage_woocommerce included) and a read_write REST key created the way WC_Auth::create_keys()
 * does (reference 4.3): the consumer key stored only as wc_api_hash(), its last 7 characters as
 * truncated_key. The plain consumer key and the encrypted consumer secret are kept for the
 * settings document (`woo.consumer_key`, `woo.consumer_secret`); the secret is never stored in
 * clear by this plugin, and provisioning is refused when it cannot be encrypted.
 *
 * @package ML_Connector
 */

defined( 'ABSPATH' ) || exit;

final class ML_Connector_Agent_Access {

	const OPTION     = 'ml_connector_agent_access';
	const ROLE       = 'ml_connector_agent';
	const USER_LOGIN = 'ml-connector-agent';
	const PURPOSE    = 'woo.consumer_secret';

	/** @var ML_Connector_Vault */
	private $vault;

	public function __construct( ML_Connector_Vault $vault ) {
		$this->vault = $vault;
	}

	/** The agent's WordPress user id, 0 before provisioning. */
	public function user_id() {
		$access = $this->stored();
		return isset( $access['user_id'] ) ? (int) $access['user_id'] : 0;
	}

	/** @return array{consumer_key: string, consumer_secret: string, truncated_key: string, created_at: string}|null */
	public function credentials() {
		$access = $this->stored();
		return isset( $access['consumer_key'], $access['consumer_secret'] ) ? $access : null;
	}

	/**
	 * Creates (or replaces) the agent's REST key, creating its role and user when missing.
	 *
	 * @return string|null null on success, else what went wrong in plain words
	 */
	public function provision() {
		global $wpdb;
		$consumer_key    = 'ck_' . wc_rand_hash();
		$consumer_secret = 'cs_' . wc_rand_hash();
		$envelope        = $this->vault->encrypt( self::PURPOSE, $consumer_secret );
		if ( null === $envelope ) {
			/* translators: %s: why encryption failed */
			return sprintf( __( 'The agent\'s WooCommerce key was not created because its secret cannot be encrypted: %s. Install the ml_connector extension or make the key file readable by the web server.', 'ml-connector' ), $this->vault->last_error() );
		}
		$user_id = $this->ensure_user();
		if ( is_wp_error( $user_id ) ) {
			/* translators: %s: WordPress's error message */
			return sprintf( __( 'The agent\'s WordPress user could not be created: %s', 'ml-connector' ), $user_id->get_error_message() );
		}
		$this->delete_key();
		$inserted = $wpdb->insert(
			$wpdb->prefix . 'woocommerce_api_keys',
			array(
				'user_id'         => $user_id,
				'description'     => 'ML Connector agent',
				'permissions'     => 'read_write',
				'consumer_key'    => wc_api_hash( $consumer_key ),
				'consumer_secret' => $consumer_secret,
				'truncated_key'   => substr( $consumer_key, -7 ),
			),
			array( '%d', '%s', '%s', '%s', '%s', '%s' )
		);
		if ( ! $inserted ) {
			/* translators: %s: database error */
			return sprintf( __( 'The agent\'s WooCommerce key could not be stored: %s', 'ml-connector' ), $wpdb->last_error );
		}
		update_option(
			self::OPTION,
			array(
				'user_id'         => $user_id,
				'key_id'          => (int) $wpdb->insert_id,
				'consumer_key'    => $consumer_key,
				'consumer_secret' => $envelope,
				'truncated_key'   => substr( $consumer_key, -7 ),
				'created_at'      => gmdate( 'Y-m-d\TH:i:s\Z' ),
			),
			false
		);
		return null;
	}

	/** Deletes the REST key (deactivation): the agent can no longer touch the shop. The user stays. */
	public function withdraw() {
		$this->delete_key();
		$user_id = $this->user_id();
		delete_option( self::OPTION );
		if ( $user_id > 0 ) {
			update_option( self::OPTION, array( 'user_id' => $user_id ), false );
		}
	}

	/** Removes the key, the user and the role (uninstall): nothing of the agent's access remains. */
	public function revoke() {
		$user_id = $this->user_id();
		$this->delete_key();
		if ( $user_id > 0 ) {
			if ( ! function_exists( 'wp_delete_user' ) ) {
				require_once ABSPATH . 'wp-admin/includes/user.php';
			}
			wp_delete_user( $user_id );
		}
		remove_role( self::ROLE );
		delete_option( self::OPTION );
	}

	private function stored() {
		$access = get_option( self::OPTION, array() );
		return is_array( $access ) ? $access : array();
	}

	private function delete_key() {
		global $wpdb;
		$access = $this->stored();
		if ( ! empty( $access['key_id'] ) ) {
			$wpdb->delete( $wpdb->prefix . 'woocommerce_api_keys', array( 'key_id' => (int) $access['key_id'] ), array( '%d' ) );
		}
	}

	/** @return int|WP_Error */
	private function ensure_user() {
		if ( ! get_role( self::ROLE ) ) {
			$manager      = get_role( 'shop_manager' );
			$capabilities = $manager ? $manager->capabilities : array( 'read' => true );
			add_role( self::ROLE, __( 'ML Connector agent', 'ml-connector' ), array_merge( $capabilities, array( 'manage_woocommerce' => true ) ) );
		}
		$user = $this->user_id() ? get_user_by( 'id', $this->user_id() ) : false;
		$user = $user ? $user : get_user_by( 'login', self::USER_LOGIN );
		if ( $user ) {
			$user->set_role( self::ROLE );
			return (int) $user->ID;
		}
		return wp_insert_user(
			array(
				'user_login'   => self::USER_LOGIN,
				'user_pass'    => wp_generate_password( 64, true, true ),
				'display_name' => __( 'ML Connector agent', 'ml-connector' ),
				'description'  => __( 'Used by the ml-connector agent for the WooCommerce REST API. Do not delete: deleting it revokes the agent\'s key.', 'ml-connector' ),
				'role'         => self::ROLE,
			)
		);
	}
}
