<?php
/**
 * Uninstall: removes the plugin's options and the agent's WooCommerce key, user and role
 * (ML_Connector_Lifecycle::uninstall). The spool belongs to the agent and is left alone.
 *
 * @package ML_Connector
 */

if ( ! defined( 'WP_UNINSTALL_PLUGIN' ) ) {
	exit;
}

require_once __DIR__ . '/includes/autoload.php';
ML_Connector_Lifecycle::uninstall();
