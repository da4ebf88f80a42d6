<?php
/**
 * ML_Connector_Log: writes to PHP's error log with the prefix `ml_connector:` (the prefix the
 * extension uses too, so one grep finds both). Callers never pass secrets.
 *
 * @package ML_Connector
 */

defined( 'ABSPATH' ) || exit;

final class ML_Connector_Log {

	public static function error( $message ) {
		error_log( 'ml_connector: ' . $message ); // phpcs:ignore WordPress.PHP.DevelopmentFunctions.error_log_error_log
	}
}
