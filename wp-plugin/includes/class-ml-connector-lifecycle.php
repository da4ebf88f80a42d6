<?php
/**
 * ML_Connector_Lifecycle: activation, deactivation and uninstall.
 *
 * - Activation stores the default settings (so the first save takes WordPress's update path),
 *   gives the agent its WooCommerce access when a secret can be encrypted already, and hands the
 *   settings document to the agent.
 * - Deactivation switches the connector off: the agent's REST key is deleted (it stops writing
 *   stock into the shop) and the agent is told; settings and the agent's user stay, and
 *   re-activating creates a new key.
 * - Uninstall removes everything the plugin stored: options, the agent's REST key, user and role.
 *   Nothing secret stays behind in WordPress.
 *
 * @package ML_Connector
 */

defined( 'ABSPATH' ) || exit;

final class ML_Connector_Lifecycle {

	public static function activate() {
		add_option( ML_Connector_Settings::OPTION, ML_Connector_Settings::defaults(), '', false );
		if ( ! class_exists( 'WooCommerce' ) ) {
			return;
		}
		$plugin = new ML_Connector_Plugin();
		if ( ! $plugin->agent_access()->credentials() ) {
			$problem = $plugin->agent_access()->provision();
			if ( null !== $problem ) {
				ML_Connector_Log::error( 'activation: ' . $problem );
			}
		}
		$plugin->settings_document()->publish( 'admin' );
	}

	public static function deactivate() {
		$plugin = new ML_Connector_Plugin();
		$plugin->agent_access()->withdraw();
		$plugin->settings_document()->publish( 'admin' );
	}

	public static function uninstall() {
		( new ML_Connector_Agent_Access( new ML_Connector_Vault() ) )->revoke();
		delete_option( ML_Connector_Settings::OPTION );
	}
}
