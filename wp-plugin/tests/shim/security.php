<?php
/**
 * Nonces (bound to action and user, like wp_create_nonce), referer checks that end the request
 * like core, wp_die, JSON responses and redirects (all thrown: they end the request).
 */

function wp_create_nonce( $action = -1 ) {
	return substr( hash_hmac( 'sha256', $action . '|' . get_current_user_id(), 'shim-nonce-salt' ), 0, 10 );
}

function wp_verify_nonce( $nonce, $action = -1 ) {
	return is_string( $nonce ) && hash_equals( wp_create_nonce( $action ), $nonce ) ? 1 : false;
}

function wp_nonce_field( $action = -1, $name = '_wpnonce', $referer = true, $display = true ) {
	$field = '<input type="hidden" id="' . esc_attr( $name ) . '" name="' . esc_attr( $name ) . '" value="' . wp_create_nonce( $action ) . '" />';
	if ( $display ) {
		echo $field; // phpcs:ignore
	}
	return $field;
}

function wp_nonce_url( $url, $action = -1, $name = '_wpnonce' ) {
	return add_query_arg( $name, wp_create_nonce( $action ), $url );
}

function check_admin_referer( $action = -1, $query_arg = '_wpnonce' ) {
	$nonce  = isset( $_REQUEST[ $query_arg ] ) ? $_REQUEST[ $query_arg ] : '';
	$result = wp_verify_nonce( $nonce, $action );
	if ( ! $result ) {
		wp_die( 'The link you followed has expired.', '', array( 'response' => 403 ) );
	}
	return $result;
}

function check_ajax_referer( $action = -1, $query_arg = false, $stop = true ) {
	$nonce  = $query_arg && isset( $_REQUEST[ $query_arg ] ) ? $_REQUEST[ $query_arg ] : '';
	$result = wp_verify_nonce( $nonce, $action );
	if ( $stop && false === $result ) {
		wp_die( '-1', '', array( 'response' => 403 ) );
	}
	return $result;
}

function wp_die( $message = '', $title = '', $args = array() ) {
	throw new WP_Shim_Die( $message, isset( $args['response'] ) ? $args['response'] : 500 );
}

function wp_send_json_success( $data = null, $status_code = null ) {
	throw new WP_Shim_Json( array( 'success' => true, 'data' => $data ), $status_code ? $status_code : 200 );
}

function wp_send_json_error( $data = null, $status_code = null ) {
	throw new WP_Shim_Json( array( 'success' => false, 'data' => $data ), $status_code ? $status_code : 200 );
}

function wp_safe_redirect( $location, $status = 302 ) {
	throw new WP_Shim_Redirect( $location );
}

function wp_get_referer() {
	return WP_Shim::$referer;
}

function wp_doing_cron() {
	return WP_Shim::$doing_cron;
}

function is_admin() {
	return WP_Shim::$is_admin;
}
