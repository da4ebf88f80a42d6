<?php
/**
 * Escaping, sanitising and translation functions, behaving like core's for the inputs the
 * plugin produces.
 */

function esc_html( $text ) {
	return htmlspecialchars( (string) $text, ENT_QUOTES, 'UTF-8' );
}

function esc_attr( $text ) {
	return htmlspecialchars( (string) $text, ENT_QUOTES, 'UTF-8' );
}

function esc_textarea( $text ) {
	return htmlspecialchars( (string) $text, ENT_QUOTES, 'UTF-8' );
}

function esc_url_raw( $url, $protocols = null ) {
	$url    = trim( (string) $url );
	$scheme = strtolower( (string) parse_url( $url, PHP_URL_SCHEME ) );
	$allow  = $protocols ? $protocols : array( 'http', 'https', 'mailto' );
	if ( '' === $url || ! in_array( $scheme, $allow, true ) || preg_match( '/[\s<>"]/', $url ) ) {
		return '';
	}
	return $url;
}

function esc_url( $url, $protocols = null ) {
	return esc_attr( esc_url_raw( $url, $protocols ) );
}

function __( $text, $domain = 'default' ) {
	return $text;
}

function _n( $single, $plural, $number, $domain = 'default' ) {
	return 1 === (int) $number ? $single : $plural;
}

function esc_html__( $text, $domain = 'default' ) {
	return esc_html( $text );
}

function wp_strip_all_tags( $text ) {
	return trim( strip_tags( preg_replace( '@<(script|style)[^>]*?>.*?</\\1>@si', '', (string) $text ) ) );
}

function sanitize_text_field( $str ) {
	if ( is_array( $str ) || is_object( $str ) ) {
		return '';
	}
	$filtered = (string) $str;
	if ( false !== strpos( $filtered, '<' ) ) {
		$filtered = wp_strip_all_tags( $filtered );
	}
	$filtered = trim( preg_replace( '/[\r\n\t ]+/', ' ', $filtered ) );
	$found    = false;
	while ( preg_match( '/%[a-f0-9]{2}/i', $filtered, $match ) ) {
		$filtered = str_replace( $match[0], '', $filtered );
		$found    = true;
	}
	return $found ? trim( preg_replace( '/ +/', ' ', $filtered ) ) : $filtered;
}

function sanitize_key( $key ) {
	return preg_replace( '/[^a-z0-9_\-]/', '', strtolower( (string) $key ) );
}

function wp_unslash( $value ) {
	return is_array( $value ) ? array_map( 'wp_unslash', $value ) : ( is_string( $value ) ? stripslashes( $value ) : $value );
}

function wp_slash( $value ) {
	return is_array( $value ) ? array_map( 'wp_slash', $value ) : ( is_string( $value ) ? addslashes( $value ) : $value );
}

function absint( $value ) {
	return abs( (int) $value );
}

function untrailingslashit( $value ) {
	return rtrim( (string) $value, '/\\' );
}

function selected( $selected, $current = true, $display = true ) {
	return wp_shim_checked_attr( $selected, $current, $display, 'selected' );
}

function checked( $checked, $current = true, $display = true ) {
	return wp_shim_checked_attr( $checked, $current, $display, 'checked' );
}

function wp_shim_checked_attr( $helper, $current, $display, $type ) {
	$result = (string) $helper === (string) $current ? " $type='$type'" : '';
	if ( $display ) {
		echo $result; // phpcs:ignore
	}
	return $result;
}

function wp_json_encode( $data, $options = 0, $depth = 512 ) {
	return json_encode( $data, $options, $depth ); // phpcs:ignore
}

function is_wp_error( $thing ) {
	return $thing instanceof WP_Error;
}
