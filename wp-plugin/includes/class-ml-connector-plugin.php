<?php
/**
 * ML_Connector_Plugin: the composition root — builds the plugin's objects once and registers
 * their hooks. Holds no behaviour of its own beyond wiring and the WooCommerce feature
 * declarations (HPOS and the block checkout).
 *
 * @package ML_Connector
 */

defined( 'ABSPATH' ) || exit;

final class ML_Connector_Plugin {

	/** @var ML_Connector_Plugin|null */
	private static $current;

	private $channel;
	private $agent_access;
	private $origin;
	private $outbox;
	private $commands;
	private $reports;
	private $settings;
	private $settings_document;
	private $order_representation;
	private $customer_representation;

	public function __construct() {
		$vault                         = new ML_Connector_Vault();
		$this->channel                 = new ML_Connector_Channel();
		$this->agent_access            = new ML_Connector_Agent_Access( $vault );
		$this->origin                  = new ML_Connector_Request_Origin( $this->agent_access, defined( 'WP_CLI' ) && WP_CLI );
		$this->order_representation    = new ML_Connector_Order_Representation( new ML_Connector_Order_Item_Representation() );
		$this->customer_representation = new ML_Connector_Customer_Representation();
		$builder                       = new ML_Connector_Event_Builder( $this->origin, $this->order_representation, $this->customer_representation, $this->agent_access );
		$this->outbox                  = new ML_Connector_Outbox( $builder, $this->channel, $this->origin );
		$this->commands                = new ML_Connector_Commands( $this->channel );
		$this->reports                 = new ML_Connector_Agent_Reports( $this->channel );
		$this->settings                = new ML_Connector_Settings( $vault );
		$this->settings_document       = new ML_Connector_Settings_Document( $this->settings, $this->agent_access, $this->channel, $this->commands );
	}

	/** Builds the plugin, registers its hooks and makes it the running one. */
	public static function start() {
		$plugin = new self();
		$plugin->register();
		self::$current = $plugin;
		return $plugin;
	}

	/** @return ML_Connector_Plugin|null */
	public static function current() {
		return self::$current;
	}

	/** before_woocommerce_init: works with both order storages and with the block checkout. */
	public static function declare_compatibility() {
		if ( class_exists( \Automattic\WooCommerce\Utilities\FeaturesUtil::class ) ) {
			\Automattic\WooCommerce\Utilities\FeaturesUtil::declare_compatibility( 'custom_order_tables', ML_CONNECTOR_FILE, true );
			\Automattic\WooCommerce\Utilities\FeaturesUtil::declare_compatibility( 'cart_checkout_blocks', ML_CONNECTOR_FILE, true );
		}
	}

	public function register() {
		$this->origin->register();
		( new ML_Connector_Order_Hooks( $this->outbox, $this->order_representation ) )->register();
		( new ML_Connector_Customer_Hooks( $this->outbox, $this->customer_representation ) )->register();
		$this->outbox->register();

		( new ML_Connector_Settings_Page( $this->settings, new ML_Connector_Settings_Form( $this->settings, $this->reports ), $this->settings_document, $this->agent_access ) )->register();
		( new ML_Connector_Connection_Check( $this->commands, $this->reports ) )->register();
		( new ML_Connector_Status_Page( $this->reports, $this->channel, $this->commands ) )->register();
		( new ML_Connector_Order_Sync_Display( $this->reports, $this->commands ) )->register();
		( new ML_Connector_Admin_Notices( $this->channel ) )->register();
		( new ML_Connector_Bc_Notifications( $this->settings, $this->channel ) )->register();

		if ( defined( 'WP_CLI' ) && WP_CLI ) {
			ML_Connector_CLI::register( $this->reports, $this->channel, $this->commands );
		}
	}

	public function commands() {
		return $this->commands;
	}

	public function agent_access() {
		return $this->agent_access;
	}

	public function settings_document() {
		return $this->settings_document;
	}
}
