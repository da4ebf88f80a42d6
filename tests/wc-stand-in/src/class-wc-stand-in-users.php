<?php
/**
 * WC_Stand_In_Users: where customers (WordPress users) live, and who fires the WordPress user
 * hooks.
 *
 * - Without WordPress (the plugin's PHPUnit shim) users are rows of WC_Stand_In_Store and the
 *   stand-in fires user_register, profile_update, delete_user and deleted_user itself.
 * - Inside a real WordPress (WC_Stand_In_Store::$users_in_wordpress) they are real users, kept
 *   where WooCommerce keeps customers — wp_users, and user meta for names, billing_* / shipping_*
 *   fields, `paying_customer` and `last_update` — and WordPress's own wp_insert_user(),
 *   wp_update_user() and wp_delete_user() fire those hooks.
 *
 * Either way a hook sees the saved user: rows and meta are written before profile_update fires.
 */
final class WC_Stand_In_Users {

	/** Address fields, kept as user meta `<type>_<field>` as WooCommerce does. */
	const BILLING_FIELDS  = array( 'first_name', 'last_name', 'company', 'address_1', 'address_2', 'city', 'state', 'postcode', 'country', 'email', 'phone' );
	const SHIPPING_FIELDS = array( 'first_name', 'last_name', 'company', 'address_1', 'address_2', 'city', 'state', 'postcode', 'country', 'phone' );

	/** User meta holding the stand-in's own customer meta rows (WC_Customer::get_meta_data()). */
	const META_KEY = 'wc_stand_in_meta';

	/**
	 * A new user (what wp_insert_user() does): the row, then user_register.
	 *
	 * @param array $props email, username, role, first_name, last_name
	 * @return int the user id
	 * @throws Exception when WordPress refuses the user (e.g. the login name exists)
	 */
	public static function insert( array $props ) {
		if ( ! WC_Stand_In_Store::$users_in_wordpress ) {
			$id                                  = WC_Stand_In_Store::next_id( 'user' );
			$now                                 = WC_Stand_In_Store::tick();
			WC_Stand_In_Store::$customers[ $id ] = array(
				'props' => array_merge( $props, array( 'date_created' => $now, 'date_modified' => $now ) ),
				'meta'  => array(),
			);
			do_action( 'user_register', $id, $props );
			return $id;
		}
		$id = wp_insert_user(
			array(
				'user_login' => $props['username'] ?? '',
				'user_email' => $props['email'] ?? '',
				'user_pass'  => wp_generate_password( 24 ),
				'role'       => $props['role'] ?? 'customer',
				'first_name' => $props['first_name'] ?? '',
				'last_name'  => $props['last_name'] ?? '',
			)
		);
		if ( is_wp_error( $id ) ) {
			throw new Exception( $id->get_error_message() );
		}
		update_user_meta( $id, 'last_update', (string) time() );
		return (int) $id;
	}

	/**
	 * @return array|null ['props' => WC_Customer props, 'meta' => meta rows], or null when there is no such user
	 */
	public static function read( $id ) {
		$id = (int) $id;
		if ( ! WC_Stand_In_Store::$users_in_wordpress ) {
			return WC_Stand_In_Store::$customers[ $id ] ?? null;
		}
		$user = $id > 0 ? get_userdata( $id ) : false;
		if ( ! $user ) {
			return null;
		}
		$meta     = function ( $key ) use ( $id ) {
			return (string) get_user_meta( $id, $key, true );
		};
		$address  = function ( $type, array $fields ) use ( $meta ) {
			$values = array();
			foreach ( $fields as $field ) {
				$values[ $field ] = $meta( $type . '_' . $field );
			}
			return $values;
		};
		$created  = self::date( strtotime( $user->user_registered . ' UTC' ) );
		$modified = '' !== $meta( 'last_update' ) ? self::date( (int) $meta( 'last_update' ) ) : $created;
		$rows     = get_user_meta( $id, self::META_KEY, true );
		return array(
			'props' => array(
				'email'              => $user->user_email,
				'first_name'         => $meta( 'first_name' ),
				'last_name'          => $meta( 'last_name' ),
				'role'               => $user->roles ? (string) reset( $user->roles ) : '',
				'username'           => $user->user_login,
				'date_created'       => $created,
				'date_modified'      => $modified,
				'billing'            => $address( 'billing', self::BILLING_FIELDS ),
				'shipping'           => $address( 'shipping', self::SHIPPING_FIELDS ),
				'is_paying_customer' => '1' === $meta( 'paying_customer' ),
			),
			'meta'  => is_array( $rows ) ? $rows : array(),
		);
	}

	/**
	 * Saves a user (what WC_Customer_Data_Store::update() does through wp_update_user()); the
	 * new values are stored first, then profile_update fires.
	 */
	public static function update( $id, array $props, array $meta ) {
		$id = (int) $id;
		if ( ! WC_Stand_In_Store::$users_in_wordpress ) {
			WC_Stand_In_Store::$customers[ $id ] = array( 'props' => $props, 'meta' => $meta );
			do_action( 'profile_update', $id, null );
			return;
		}
		foreach ( array( 'billing' => self::BILLING_FIELDS, 'shipping' => self::SHIPPING_FIELDS ) as $type => $fields ) {
			foreach ( $fields as $field ) {
				update_user_meta( $id, $type . '_' . $field, (string) ( $props[ $type ][ $field ] ?? '' ) );
			}
		}
		update_user_meta( $id, 'paying_customer', empty( $props['is_paying_customer'] ) ? '0' : '1' );
		$modified = $props['date_modified'] ?? null;
		update_user_meta( $id, 'last_update', (string) ( $modified instanceof DateTime ? $modified->getTimestamp() : time() ) );
		update_user_meta( $id, self::META_KEY, $meta );
		$user = array(
			'ID'         => $id,
			'first_name' => (string) ( $props['first_name'] ?? '' ),
			'last_name'  => (string) ( $props['last_name'] ?? '' ),
		);
		// Only a changed e-mail is passed on: wp_update_user() mails the user about every change of it.
		$current = get_userdata( $id );
		if ( $current && ! empty( $props['email'] ) && $current->user_email !== $props['email'] ) {
			$user['user_email'] = $props['email'];
		}
		$updated = wp_update_user( $user );
		if ( is_wp_error( $updated ) ) {
			throw new Exception( $updated->get_error_message() );
		}
	}

	/** Deletes a user: delete_user (still readable), the row, deleted_user. */
	public static function delete( $id ) {
		$id = (int) $id;
		if ( ! WC_Stand_In_Store::$users_in_wordpress ) {
			do_action( 'delete_user', $id, null, null );
			unset( WC_Stand_In_Store::$customers[ $id ] );
			do_action( 'deleted_user', $id, null, null );
			return;
		}
		if ( ! function_exists( 'wp_delete_user' ) ) {
			require_once ABSPATH . 'wp-admin/includes/user.php';
		}
		wp_delete_user( $id );
	}

	private static function date( $timestamp ) {
		$date = new WC_DateTime( '@' . (int) $timestamp );
		$date->setTimezone( new DateTimeZone( WC_Stand_In_Store::$timezone ) );
		return $date;
	}
}
