<?php
/**
 * URLs, admin menu pages, screens, scripts, meta boxes, plugin file helpers and textdomains.
 */

function home_url( $path = '' ) {
	return 'https://shop.example' . ( $path ? '/' . ltrim( $path, '/' ) : '' );
}

function admin_url( $path = '' ) {
	return 'https://shop.example/wp-admin/' . ltrim( $path, '/' );
}

function plugins_url( $path = '', $plugin = '' ) {
	return 'https://shop.example/wp-content/plugins/' . basename( dirname( $plugin ) ) . '/' . ltrim( $path, '/' );
}

function plugin_basename( $file ) {
	return basename( dirname( $file ) ) . '/' . basename( $file );
}

function register_activation_hook( $file, $callback ) {
	WP_Shim::$activation_hooks['activate'] = $callback;
}

function register_deactivation_hook( $file, $callback ) {
	WP_Shim::$activation_hooks['deactivate'] = $callback;
}

function load_plugin_textdomain( $domain, $deprecated = false, $path = false ) {
	return true;
}

function add_query_arg( ...$args ) {
	if ( is_array( $args[0] ) ) {
		$params = $args[0];
		$url    = isset( $args[1] ) ? $args[1] : '';
	} else {
		$params = array( $args[0] => $args[1] );
		$url    = isset( $args[2] ) ? $args[2] : '';
	}
	$parts = explode( '?', $url, 2 );
	$query = array();
	if ( isset( $parts[1] ) ) {
		parse_str( $parts[1], $query );
	}
	return $parts[0] . '?' . http_build_query( array_merge( $query, $params ) );
}

function add_submenu_page( $parent, $page_title, $menu_title, $capability, $slug, $callback = '' ) {
	WP_Shim::$menu[ $slug ] = compact( 'parent', 'page_title', 'capability', 'callback' );
	return $parent . '_page_' . $slug;
}

function add_meta_box( $id, $title, $callback, $screen = null, $context = 'advanced', $priority = 'default' ) {
	WP_Shim::$meta_boxes[ $id ] = compact( 'title', 'callback', 'screen', 'context' );
}

function get_current_screen() {
	return WP_Shim::$screen ? (object) array( 'id' => WP_Shim::$screen ) : null;
}

function wp_enqueue_script( $handle, $src = '', $deps = array(), $ver = false, $in_footer = false ) {
	WP_Shim::$scripts[ $handle ]['src'] = $src;
}

function wp_localize_script( $handle, $object_name, $l10n ) {
	WP_Shim::$scripts[ $handle ]['data'][ $object_name ] = $l10n;
	return true;
}

function wp_get_attachment_image_url( $attachment_id, $size = 'thumbnail' ) {
	return $attachment_id ? 'https://shop.example/wp-content/uploads/' . (int) $attachment_id . '.jpg' : false;
}
