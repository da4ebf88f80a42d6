<?php
/**
 * The plugin's small procedural API.
 *
 * - ml_connector_start(): boots the plugin (on plugins_loaded).
 * - ml_connector_load_textdomain(): the `ml-connector` translations (on init).
 * - ml_connector(): the running plugin, or null before start-up / without WooCommerce.
 * - ml_connector_fallback_enqueue(): the pure-PHP fallback's entry point (a benchmark calls it).
 * - ml_connector_resync_order(): asks the agent to send an order again as it is now.
 *
 * @package ML_Connector
 */

defined( 'ABSPATH' ) || exit;

/**
 * Starts the plugin once WooCommerce is loaded; without WooCommerce only says so in wp-admin.
 */
function ml_connector_start() {
	if ( ! class_exists( 'WooCommerce' ) ) {
		add_action( 'admin_notices', array( 'ML_Connector_Admin_Notices', 'woocommerce_missing' ) );
		return null;
	}
	return ML_Connector_Plugin::start();
}

/** Loads the `ml-connector` translations from languages/ (on init, as WordPress 6.7+ expects). */
function ml_connector_load_textdomain() {
	load_plugin_textdomain( 'ml-connector', false, dirname( plugin_basename( ML_CONNECTOR_FILE ) ) . '/languages' );
}

/**
 * @return ML_Connector_Plugin|null
 */
function ml_connector() {
	return ML_Connector_Plugin::current();
}

/**
 * Validates an event (event schema 1), makes it durable in the spool with producer
 * `php-fallback` and wakes the agent without blocking. Never throws: a failure is logged
 * (`ml_connector: ...`) and null returned; reconciliation recovers the event later.
 *
 * @param string $json One event as JSON.
 * @return int|null The spool sequence number, or null.
 */
function ml_connector_fallback_enqueue( $json ) {
	static $channel = null;
	if ( null === $channel ) {
		// One connection per process, as one PHP-FPM request would keep it.
		$channel = new ML_Connector_Channel( false );
	}
	return $channel->enqueue( (string) $json );
}

/**
 * Asks the agent to send an order to NAV again as it is now (event command.resync).
 *
 * @param int $order_id WooCommerce order id.
 * @return bool Whether the command was queued.
 */
function ml_connector_resync_order( $order_id ) {
	$plugin = ml_connector();
	return $plugin ? $plugin->commands()->resync( (int) $order_id, 'admin' ) : false;
}
