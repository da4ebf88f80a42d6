<?php
/**
 * Options (with sanitize_option and the add_/update_option_{name} actions), transients and the
 * Settings API (register_setting, sections, fields, settings errors).
 */

function get_option( $option, $default = false ) {
	if ( array_key_exists( $option, WP_Shim::$options ) ) {
		return WP_Shim::$options[ $option ];
	}
	if ( func_num_args() < 2 && isset( WP_Shim::$registered_settings[ $option ]['default'] ) ) {
		return WP_Shim::$registered_settings[ $option ]['default'];
	}
	return $default;
}

function sanitize_option( $option, $value ) {
	return apply_filters( "sanitize_option_{$option}", $value, $option, $value );
}

function add_option( $option, $value = '', $deprecated = '', $autoload = null ) {
	if ( array_key_exists( $option, WP_Shim::$options ) ) {
		return false;
	}
	$value                        = sanitize_option( $option, $value );
	WP_Shim::$options[ $option ] = $value;
	do_action( "add_option_{$option}", $option, $value );
	do_action( 'added_option', $option, $value );
	return true;
}

function update_option( $option, $value, $autoload = null ) {
	$value = sanitize_option( $option, $value );
	if ( ! array_key_exists( $option, WP_Shim::$options ) ) {
		// WordPress adds a missing option, which sanitises the value a second time.
		return add_option( $option, $value, '', $autoload );
	}
	$old = WP_Shim::$options[ $option ];
	if ( $value === $old || maybe_serialize( $value ) === maybe_serialize( $old ) ) {
		return false;
	}
	WP_Shim::$options[ $option ] = $value;
	do_action( "update_option_{$option}", $old, $value, $option );
	do_action( 'updated_option', $option, $old, $value );
	return true;
}

function delete_option( $option ) {
	if ( ! array_key_exists( $option, WP_Shim::$options ) ) {
		return false;
	}
	unset( WP_Shim::$options[ $option ] );
	do_action( "delete_option_{$option}", $option );
	return true;
}

function maybe_serialize( $data ) {
	return ( is_array( $data ) || is_object( $data ) ) ? serialize( $data ) : $data; // phpcs:ignore
}

function get_transient( $name ) {
	return isset( WP_Shim::$transients[ $name ] ) ? WP_Shim::$transients[ $name ] : false;
}

function set_transient( $name, $value, $expiration = 0 ) {
	WP_Shim::$transients[ $name ] = $value;
	return true;
}

function delete_transient( $name ) {
	unset( WP_Shim::$transients[ $name ] );
	return true;
}

function register_setting( $option_group, $option_name, $args = array() ) {
	WP_Shim::$registered_settings[ $option_name ]  = $args;
	WP_Shim::$allowed_options[ $option_group ][] = $option_name;
	if ( ! empty( $args['sanitize_callback'] ) ) {
		add_filter( "sanitize_option_{$option_name}", $args['sanitize_callback'] );
	}
}

function add_settings_section( $id, $title, $callback, $page ) {
	WP_Shim::$settings_sections[ $page ][ $id ] = compact( 'id', 'title', 'callback' );
}

function add_settings_field( $id, $title, $callback, $page, $section = 'default', $args = array() ) {
	WP_Shim::$settings_fields[ $page ][ $section ][ $id ] = compact( 'id', 'title', 'callback', 'args' );
}

function do_settings_sections( $page ) {
	foreach ( isset( WP_Shim::$settings_sections[ $page ] ) ? WP_Shim::$settings_sections[ $page ] : array() as $section ) {
		echo '<h2>' . $section['title'] . "</h2>\n"; // phpcs:ignore -- WordPress prints titles as given
		call_user_func( $section['callback'], $section );
		echo '<table class="form-table" role="presentation">';
		foreach ( isset( WP_Shim::$settings_fields[ $page ][ $section['id'] ] ) ? WP_Shim::$settings_fields[ $page ][ $section['id'] ] : array() as $field ) {
			echo '<tr><th scope="row">' . $field['title'] . '</th><td>'; // phpcs:ignore
			call_user_func( $field['callback'], $field['args'] );
			echo '</td></tr>';
		}
		echo '</table>';
	}
}

function settings_fields( $option_group ) {
	echo "<input type='hidden' name='option_page' value='" . esc_attr( $option_group ) . "' />";
	echo '<input type="hidden" name="action" value="update" />';
	wp_nonce_field( "$option_group-options" );
}

function add_settings_error( $setting, $code, $message, $type = 'error' ) {
	WP_Shim::$settings_errors[] = compact( 'setting', 'code', 'message', 'type' );
}

function get_settings_errors( $setting = '' ) {
	$errors = WP_Shim::$settings_errors;
	if ( isset( $_GET['settings-updated'] ) && get_transient( 'settings_errors' ) ) {
		$errors = array_merge( get_transient( 'settings_errors' ), $errors );
		delete_transient( 'settings_errors' );
	}
	return array_values(
		array_filter(
			$errors,
			function ( $error ) use ( $setting ) {
				return '' === $setting || $error['setting'] === $setting;
			}
		)
	);
}

/** Like core, prints messages as given: callers escape what they pass. */
function settings_errors( $setting = '' ) {
	foreach ( get_settings_errors( $setting ) as $error ) {
		echo "<div id='setting-error-" . esc_attr( $error['code'] ) . "' class='notice notice-" . esc_attr( $error['type'] ) . " settings-error'><p><strong>" . $error['message'] . '</strong></p></div>'; // phpcs:ignore
	}
}

function submit_button( $text = null, $type = 'primary', $name = 'submit', $wrap = true ) {
	$button = '<input type="submit" name="' . esc_attr( $name ) . '" class="button button-' . esc_attr( $type ) . '" value="' . esc_attr( null === $text ? 'Save Changes' : $text ) . '" />';
	echo $wrap ? '<p class="submit">' . $button . '</p>' : $button; // phpcs:ignore
}
