<?php
/**
 * Class loading: ML_Connector_Foo_Bar lives in includes/class-ml-connector-foo-bar.php.
 *
 * @package ML_Connector
 */

defined( 'ABSPATH' ) || exit;

spl_autoload_register(
	function ( $class_name ) {
		if ( 0 !== strpos( $class_name, 'ML_Connector_' ) ) {
			return;
		}
		$file = __DIR__ . '/class-' . str_replace( '_', '-', strtolower( $class_name ) ) . '.php';
		if ( is_readable( $file ) ) {
			require_once $file;
		}
	}
);
