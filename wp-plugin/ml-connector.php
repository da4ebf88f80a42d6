<?php
/**
 * Plugin Name:          ML Connector for Microsoft Dynamics NAV / Business Central
 * Plugin URI:           https://github.com/ml-connector/ml-connector
 * Description:          Hands every WooCommerce order, refund and customer change to the ml-connector agent, which syncs them with Microsoft Dynamics NAV or Business Central and writes stock back — without slowing or breaking checkout.
 * Version:              0.1.0
 * Requires at least:    6.1
 * Requires PHP:         7.4
 * Requires Plugins:     woocommerce
 * Author:               ml-connector
 * License:              GPL-2.0-or-later
 * License URI:          https://www.gnu.org/licenses/gpl-2.0.html
 * Text Domain:          ml-connector
 * Domain Path:          /languages
 * WC requires at least: 8.2
 * WC tested up to:      10.4
 *
 * The main file: constants, class loading, lifecycle hooks, feature declarations and start-up.
 * Everything else lives in one class per role under includes/.
 *
 * @package ML_Connector
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

define( 'ML_CONNECTOR_VERSION', '0.1.0' );
define( 'ML_CONNECTOR_FILE', __FILE__ );
define( 'ML_CONNECTOR_DIR', __DIR__ . '/' );

require_once ML_CONNECTOR_DIR . 'includes/autoload.php';
require_once ML_CONNECTOR_DIR . 'includes/functions.php';

register_activation_hook( __FILE__, array( 'ML_Connector_Lifecycle', 'activate' ) );
register_deactivation_hook( __FILE__, array( 'ML_Connector_Lifecycle', 'deactivate' ) );

add_action( 'before_woocommerce_init', array( 'ML_Connector_Plugin', 'declare_compatibility' ) );
add_action( 'plugins_loaded', 'ml_connector_start' );
add_action( 'init', 'ml_connector_load_textdomain' );
