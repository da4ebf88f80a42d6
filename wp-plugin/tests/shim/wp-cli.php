<?php
/**
 * WP_CLI stand-in: records commands and output; error() ends the command (thrown, as WP-CLI exits).
 */

class WP_CLI_Shim_Error extends RuntimeException {
}

class WP_CLI { // phpcs:ignore
	public static $commands = array();
	public static $output   = array();

	public static function add_command( $name, $callable ) {
		self::$commands[ $name ] = $callable;
	}

	public static function line( $message = '' ) {
		self::$output[] = $message;
	}

	public static function success( $message ) {
		self::$output[] = 'Success: ' . $message;
	}

	public static function error( $message ) {
		self::$output[] = 'Error: ' . $message;
		throw new WP_CLI_Shim_Error( $message );
	}
}
