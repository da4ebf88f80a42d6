<?php
/**
 * Users, roles and capabilities: the current user, current_user_can through the user's roles,
 * wp_insert_user (fires user_register) and wp_delete_user (delete_user / deleted_user).
 */

function add_role( $role, $display_name, $capabilities = array() ) {
	if ( isset( WP_Shim::$roles[ $role ] ) ) {
		return null;
	}
	WP_Shim::$roles[ $role ] = new WP_Role( $role, $capabilities );
	return WP_Shim::$roles[ $role ];
}

function get_role( $role ) {
	return isset( WP_Shim::$roles[ $role ] ) ? WP_Shim::$roles[ $role ] : null;
}

function remove_role( $role ) {
	unset( WP_Shim::$roles[ $role ] );
}

function wp_set_current_user( $id ) {
	WP_Shim::$current_user = (int) $id;
	return get_user_by( 'id', $id );
}

function get_current_user_id() {
	return WP_Shim::$current_user;
}

function user_can( $user_id, $capability ) {
	$user = get_user_by( 'id', $user_id );
	return $user ? $user->has_cap( $capability ) : false;
}

function current_user_can( $capability ) {
	return user_can( WP_Shim::$current_user, $capability );
}

/** @return WP_User|false */
function get_user_by( $field, $value ) {
	foreach ( WP_Shim::$users as $user ) {
		if ( ( 'id' === $field && $user->ID === (int) $value ) || ( 'login' === $field && $user->user_login === $value ) ) {
			return $user;
		}
	}
	return false;
}

/** @return int|WP_Error */
function wp_insert_user( $userdata ) {
	if ( empty( $userdata['user_login'] ) ) {
		return new WP_Error( 'empty_user_login', 'Cannot create a user with an empty login name.' );
	}
	if ( get_user_by( 'login', $userdata['user_login'] ) ) {
		return new WP_Error( 'existing_user_login', 'Sorry, that username already exists!' );
	}
	$id                     = WP_Shim::$next_user_id++;
	WP_Shim::$users[ $id ] = new WP_User( $id, $userdata['user_login'], isset( $userdata['role'] ) ? array( $userdata['role'] ) : array( 'subscriber' ) );
	do_action( 'user_register', $id, $userdata );
	return $id;
}

function wp_delete_user( $id, $reassign = null ) {
	$user = get_user_by( 'id', $id );
	if ( ! $user ) {
		return false;
	}
	do_action( 'delete_user', $id, $reassign, $user );
	unset( WP_Shim::$users[ $id ] );
	do_action( 'deleted_user', $id, $reassign, $user );
	return true;
}

function wp_generate_password( $length = 12, $special_chars = true, $extra_special_chars = false ) {
	return substr( bin2hex( random_bytes( $length ) ), 0, $length );
}
