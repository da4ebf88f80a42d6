<?php
/**
 * ML_Connector_Admin_Guard: the check every state-changing admin request passes first — the user
 * holds manage_woocommerce and the request carries a valid nonce for exactly this action. A
 * failure ends the request (wp_die for forms, a JSON error for AJAX) before anything is done.
 *
 * @package ML_Connector
 */

defined( 'ABSPATH' ) || exit;

final class ML_Connector_Admin_Guard {

	const CAPABILITY = 'manage_woocommerce';

	/** For admin-post.php forms (nonce field `_wpnonce`). */
	public static function require_form( $action ) {
		if ( ! current_user_can( self::CAPABILITY ) ) {
			wp_die( esc_html__( 'Sorry, you are not allowed to do this.', 'ml-connector' ), '', array( 'response' => 403 ) );
		}
		check_admin_referer( $action );
	}

	/** For admin-ajax.php (nonce in `nonce`). */
	public static function require_ajax( $action ) {
		if ( ! current_user_can( self::CAPABILITY ) ) {
			wp_send_json_error( array( 'message' => __( 'Sorry, you are not allowed to do this.', 'ml-connector' ) ), 403 );
		}
		if ( ! check_ajax_referer( $action, 'nonce', false ) ) {
			wp_send_json_error( array( 'message' => __( 'This page has expired. Reload it and try again.', 'ml-connector' ) ), 403 );
		}
	}
}
