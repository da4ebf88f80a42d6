<?php
/**
 * WP_Shim: the state of the shimmed WordPress (hooks, options, users, screens...) and the few
 * things tests do that a browser would (post the Settings API form through options.php, call
 * admin-post.php and admin-ajax.php actions).
 */

/** wp_die() ends the request: thrown so a test sees it. */
class WP_Shim_Die extends RuntimeException {
	public $status;

	public function __construct( $message, $status ) {
		parent::__construct( (string) $message );
		$this->status = (int) $status;
	}
}

/** wp_send_json_*() ends the request with a JSON body. */
class WP_Shim_Json extends RuntimeException {
	public $body;
	public $status;

	public function __construct( array $body, $status ) {
		parent::__construct( 'json response' );
		$this->body   = $body;
		$this->status = (int) $status;
	}
}

/** wp_safe_redirect() + exit. */
class WP_Shim_Redirect extends RuntimeException {
	public $location;

	public function __construct( $location ) {
		parent::__construct( 'redirect to ' . $location );
		$this->location = $location;
	}
}

final class WP_Shim {

	/** @var array<string, array<int, array>> hook => priority => callbacks */
	public static $hooks = array();
	public static $actions_done = array();
	public static $current_hooks = array();
	public static $options = array();
	public static $transients = array();
	public static $registered_settings = array();
	public static $allowed_options = array();
	public static $settings_sections = array();
	public static $settings_fields = array();
	public static $settings_errors = array();
	public static $users = array();
	public static $roles = array();
	public static $current_user = 0;
	public static $is_admin = false;
	public static $doing_cron = false;
	public static $screen = null;
	public static $menu = array();
	public static $meta_boxes = array();
	public static $scripts = array();
	public static $referer = false;
	public static $next_user_id = 1000;
	public static $activation_hooks = array();

	public static function reset() {
		foreach ( get_class_vars( __CLASS__ ) as $name => $unused ) {
			self::$$name = array();
		}
		self::$current_user = 0;
		self::$is_admin     = false;
		self::$doing_cron   = false;
		self::$screen       = null;
		self::$referer      = false;
		self::$next_user_id = 1000;
		$_POST              = array();
		$_GET               = array();
		$_REQUEST           = array();
		unset( $_SERVER['HTTP_X_ML_CONNECTOR_ORIGIN'] );
		$GLOBALS['wpdb']  = new wpdb();
		WP_CLI::$commands = array();
		WP_CLI::$output   = array();
		self::seed_roles();
	}

	private static function seed_roles() {
		$shop_manager = array(
			'read'               => true,
			'manage_woocommerce' => true,
			'view_woocommerce_reports' => true,
			'edit_shop_orders'   => true,
			'read_shop_orders'   => true,
			'edit_products'      => true,
			'list_users'         => true,
			'edit_users'         => true,
		);
		add_role( 'administrator', 'Administrator', $shop_manager + array( 'manage_options' => true, 'activate_plugins' => true ) );
		add_role( 'shop_manager', 'Shop manager', $shop_manager );
		add_role( 'customer', 'Customer', array( 'read' => true ) );
		add_role( 'subscriber', 'Subscriber', array( 'read' => true ) );
	}

	/** A user of this role, made current. */
	public static function log_in_as( $role ) {
		$id = wp_insert_user( array( 'user_login' => $role . self::$next_user_id, 'role' => $role, 'user_pass' => 'x' ) );
		wp_set_current_user( $id );
		return $id;
	}

	/**
	 * wp-admin/options.php for action=update: capability (filterable per option page), nonce
	 * `{option_page}-options`, update_option() for each registered option of the page, a general
	 * "Settings saved." when nothing else was said, settings errors kept for the redirect.
	 */
	public static function post_options_form( array $post ) {
		$_POST       = $post;
		$_REQUEST    = $post;
		$option_page = isset( $post['option_page'] ) ? $post['option_page'] : '';
		$capability  = apply_filters( "option_page_capability_{$option_page}", 'manage_options' );
		if ( ! current_user_can( $capability ) ) {
			wp_die( 'Sorry, you are not allowed to manage options for this site.', '', array( 'response' => 403 ) );
		}
		check_admin_referer( $option_page . '-options' );
		foreach ( isset( self::$allowed_options[ $option_page ] ) ? self::$allowed_options[ $option_page ] : array() as $option ) {
			update_option( $option, isset( $post[ $option ] ) ? wp_unslash( $post[ $option ] ) : null );
		}
		if ( ! count( get_settings_errors() ) ) {
			add_settings_error( 'general', 'settings_updated', 'Settings saved.', 'success' );
		}
		set_transient( 'settings_errors', get_settings_errors(), 30 );
		wp_safe_redirect( add_query_arg( 'settings-updated', 'true', self::$referer ? self::$referer : admin_url( 'options-general.php' ) ) );
	}

	/** admin-post.php / admin-ajax.php: runs the action's handlers with this request. */
	public static function admin_request( $hook, array $post = array(), array $get = array() ) {
		self::$is_admin = true;
		$_POST          = $post;
		$_GET           = $get;
		$_REQUEST       = array_merge( $get, $post );
		do_action( $hook );
	}
}
