<?php
/**
 * Customer flow drivers (reference section 1.2, "Customer flows"): each public method is one
 * request and fires the WordPress and WooCommerce hooks of that path in order. Customer changes at
 * checkout happen inside WC_Stand_In_Order_Flows' checkout drivers.
 */
final class WC_Stand_In_Customer_Flows {

	/** My Account registration form: registration-errors filter, then wc_create_new_customer(). */
	public static function account_register( $email, $username = '' ) {
		apply_filters( 'woocommerce_process_registration_errors', new WP_Error(), $username, '', $email );
		return wc_create_new_customer( $email, $username );
	}

	/** My Account → Account details: the customer object saved, then save_account_details. */
	public static function account_edit_details( $customer_id, $first_name, $last_name ) {
		$customer = new WC_Customer( $customer_id );
		$errors   = new WP_Error();
		do_action( 'woocommerce_save_account_details_errors', $errors, $customer );
		$customer->set_first_name( $first_name );
		$customer->set_last_name( $last_name );
		$customer->save();
		do_action( 'woocommerce_save_account_details', $customer_id );
	}

	/** My Account → Addresses. */
	public static function account_edit_address( $customer_id, $type, array $address ) {
		$customer = new WC_Customer( $customer_id );
		'billing' === $type ? $customer->set_billing( $address ) : $customer->set_shipping( $address );
		$customer->save();
		do_action( 'woocommerce_customer_save_address', $customer_id, $type );
	}

	/** REST POST /wc/v3/customers. */
	public static function rest_create_customer( $email, $first_name = '', $last_name = '' ) {
		return WC_Stand_In_Request::rest(
			'POST',
			'/wc/v3/customers',
			function ( $request ) use ( $email, $first_name, $last_name ) {
				$customer = new WC_Customer();
				$customer->set_email( $email );
				$customer->set_first_name( $first_name );
				$customer->set_last_name( $last_name );
				$customer->save();
				do_action( 'woocommerce_rest_insert_customer', $customer, $request, true );
				return $customer->get_id();
			}
		);
	}

	/** REST PUT /wc/v3/customers/{id}. */
	public static function rest_update_customer( $customer_id, array $billing ) {
		WC_Stand_In_Request::rest(
			'PUT',
			'/wc/v3/customers/' . $customer_id,
			function ( $request ) use ( $customer_id, $billing ) {
				$customer = new WC_Customer( $customer_id );
				$customer->set_billing( $billing );
				$customer->save();
				do_action( 'woocommerce_rest_insert_customer', $customer, $request, false );
			}
		);
	}

	/** wp-admin Users → Add New: WordPress only (user_register). */
	public static function admin_add_user( $email, $role = 'customer' ) {
		return WC_Stand_In_Users::insert(
			array(
				'email'    => $email,
				'username' => strstr( $email, '@', true ),
				'role'     => $role,
			)
		);
	}

	/** wp-admin user profile save: profile_update only (address fields go to user meta). */
	public static function admin_edit_profile( $customer_id, $first_name ) {
		$row                           = WC_Stand_In_Users::read( $customer_id );
		$row['props']['first_name']    = $first_name;
		$row['props']['date_modified'] = WC_Stand_In_Store::tick();
		WC_Stand_In_Users::update( $customer_id, $row['props'], $row['meta'] );
	}

	/** wp-admin Users → Delete. */
	public static function admin_delete_user( $customer_id ) {
		WC_Stand_In_Users::delete( $customer_id );
	}
}
