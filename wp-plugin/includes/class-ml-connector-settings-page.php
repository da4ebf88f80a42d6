<?php
/**
 * ML_Connector_Settings_Page: WooCommerce → ML Connector. Registers the option with the Settings
 * API (saved through options.php with its nonce; capability manage_woocommerce via the
 * option_page_capability filter), publishes the settings document to the agent after every save,
 * provisions the agent's WooCommerce access on first save, and draws the page: the form, the
 * agent's access with a re-provision button, and the Test connection box.
 *
 * @package ML_Connector
 */

defined( 'ABSPATH' ) || exit;

final class ML_Connector_Settings_Page {

	const GROUP         = 'ml_connector';
	const REPROVISION   = 'ml_connector_reprovision';
	const SCRIPT_HANDLE = 'ml-connector-admin';

	/** @var ML_Connector_Settings */
	private $settings;

	/** @var ML_Connector_Settings_Form */
	private $form;

	/** @var ML_Connector_Settings_Document */
	private $document;

	/** @var ML_Connector_Agent_Access */
	private $agent_access;

	/** @var string the page's hook suffix, known once the menu is built */
	private $hook_suffix = '';

	public function __construct( ML_Connector_Settings $settings, ML_Connector_Settings_Form $form, ML_Connector_Settings_Document $document, ML_Connector_Agent_Access $agent_access ) {
		$this->settings     = $settings;
		$this->form         = $form;
		$this->document     = $document;
		$this->agent_access = $agent_access;
	}

	public function register() {
		add_action( 'admin_menu', array( $this, 'add_page' ) );
		add_action( 'admin_init', array( $this, 'register_setting' ) );
		add_filter( 'option_page_capability_' . self::GROUP, array( $this, 'capability' ) );
		add_action( 'update_option_' . ML_Connector_Settings::OPTION, array( $this, 'saved' ) );
		add_action( 'add_option_' . ML_Connector_Settings::OPTION, array( $this, 'saved' ) );
		add_action( 'admin_post_' . self::REPROVISION, array( $this, 'reprovision' ) );
		add_action( 'admin_enqueue_scripts', array( $this, 'enqueue_script' ) );
	}

	public function add_page() {
		$this->hook_suffix = (string) add_submenu_page( 'woocommerce', __( 'ML Connector', 'ml-connector' ), __( 'ML Connector', 'ml-connector' ), ML_Connector_Admin_Guard::CAPABILITY, ML_Connector_Settings_Form::PAGE, array( $this, 'render' ) );
	}

	public function register_setting() {
		register_setting(
			self::GROUP,
			ML_Connector_Settings::OPTION,
			array(
				'type'              => 'array',
				'sanitize_callback' => array( $this->settings, 'sanitize' ),
				'default'           => ML_Connector_Settings::defaults(),
				'show_in_rest'      => false,
			)
		);
		$this->form->register();
	}

	/** Shop managers (manage_woocommerce) may save, not only administrators (manage_options). */
	public function capability() {
		return ML_Connector_Admin_Guard::CAPABILITY;
	}

	/** After a save: give the agent its WooCommerce access if it has none yet, then the document. */
	public function saved() {
		if ( ! $this->agent_access->credentials() ) {
			$problem = $this->agent_access->provision();
			if ( null !== $problem ) {
				add_settings_error( ML_Connector_Settings::OPTION, 'ml_connector_provision', esc_html( $problem ), 'error' );
			}
		}
		$this->publish();
	}

	/** admin-post: a new REST key for the agent (the old one stops working). */
	public function reprovision() {
		ML_Connector_Admin_Guard::require_form( self::REPROVISION );
		$problem = $this->agent_access->provision();
		if ( null === $problem ) {
			add_settings_error( ML_Connector_Settings::OPTION, 'ml_connector_provisioned', esc_html__( 'The agent has a new WooCommerce key; the old one no longer works.', 'ml-connector' ), 'success' );
			$this->publish();
		} else {
			add_settings_error( ML_Connector_Settings::OPTION, 'ml_connector_provision', esc_html( $problem ), 'error' );
		}
		set_transient( 'settings_errors', get_settings_errors(), 30 );
		wp_safe_redirect( add_query_arg( array( 'page' => ML_Connector_Settings_Form::PAGE, 'settings-updated' => 'true' ), admin_url( 'admin.php' ) ) );
		exit;
	}

	public function enqueue_script( $hook_suffix ) {
		if ( '' === $this->hook_suffix || $hook_suffix !== $this->hook_suffix ) {
			return;
		}
		wp_enqueue_script( self::SCRIPT_HANDLE, plugins_url( 'assets/admin.js', ML_CONNECTOR_FILE ), array(), ML_CONNECTOR_VERSION, true );
		wp_localize_script(
			self::SCRIPT_HANDLE,
			'mlConnectorCheck',
			array(
				'ajaxUrl'   => admin_url( 'admin-ajax.php' ),
				'nonce'     => wp_create_nonce( ML_Connector_Connection_Check::NONCE ),
				'companies' => __( 'Companies found:', 'ml-connector' ),
				'timedOut'  => __( 'No answer from the agent yet. It may be busy or stopped; see WooCommerce → ML Connector status.', 'ml-connector' ),
				'failed'    => __( 'The check could not be started.', 'ml-connector' ),
			)
		);
	}

	public function render() {
		if ( ! current_user_can( ML_Connector_Admin_Guard::CAPABILITY ) ) {
			wp_die( esc_html__( 'Sorry, you are not allowed to do this.', 'ml-connector' ), '', array( 'response' => 403 ) );
		}
		echo '<div class="wrap"><h1>' . esc_html__( 'ML Connector', 'ml-connector' ) . '</h1>';
		// All of them: options.php files "Settings saved." under `general`, and WordPress prints
		// settings errors by itself only on pages under the Settings menu, not under WooCommerce.
		settings_errors();
		echo '<form method="post" action="' . esc_url( admin_url( 'options.php' ) ) . '">';
		settings_fields( self::GROUP );
		do_settings_sections( ML_Connector_Settings_Form::PAGE );
		submit_button();
		echo '</form>';
		$this->render_access();
		$this->render_check();
		echo '</div>';
	}

	private function render_access() {
		$credentials = $this->agent_access->credentials();
		echo '<h2>' . esc_html__( 'Agent\'s WooCommerce key', 'ml-connector' ) . '</h2><p>';
		if ( $credentials ) {
			/* translators: 1: last characters of the consumer key, 2: creation time */
			echo esc_html( sprintf( __( 'Read/write key …%1$s for the user "ml-connector-agent", created %2$s. Its secret is handed to the agent encrypted.', 'ml-connector' ), $credentials['truncated_key'], $credentials['created_at'] ) );
		} else {
			echo esc_html__( 'Not created yet: it is created when the settings are first saved.', 'ml-connector' );
		}
		echo '</p><form method="post" action="' . esc_url( admin_url( 'admin-post.php' ) ) . '">';
		echo '<input type="hidden" name="action" value="' . esc_attr( self::REPROVISION ) . '" />';
		wp_nonce_field( self::REPROVISION );
		submit_button( $credentials ? __( 'Create a new key', 'ml-connector' ) : __( 'Create the key', 'ml-connector' ), 'secondary', 'submit', false );
		echo '</form>';
	}

	private function render_check() {
		echo '<h2>' . esc_html__( 'Test connection', 'ml-connector' ) . '</h2>';
		echo '<p>' . esc_html__( 'Asks the agent to sign in to Business Central / NAV and to this shop with the saved settings.', 'ml-connector' ) . '</p>';
		echo '<p><button type="button" class="button" id="ml-connector-check">' . esc_html__( 'Test connection', 'ml-connector' ) . '</button></p>';
		echo '<div id="ml-connector-check-result" aria-live="polite"></div>';
	}

	private function publish() {
		if ( ! $this->document->publish( 'admin' ) ) {
			add_settings_error( ML_Connector_Settings::OPTION, 'ml_connector_publish', esc_html__( 'The settings were saved in WordPress but could not be handed to the agent (the spool is not writable). The PHP error log has the details (lines starting with ml_connector:); save again once it is fixed.', 'ml-connector' ), 'error' );
		}
	}
}
