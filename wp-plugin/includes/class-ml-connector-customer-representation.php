<?php
/**
 * ML_Connector_Customer_Representation: a customer in the WooCommerce REST v3 representation
 * (WC_REST_Customers_Controller response data).
 *
 * @package ML_Connector
 */

defined( 'ABSPATH' ) || exit;

final class ML_Connector_Customer_Representation {

	/** @param WC_Customer $customer */
	public function customer( $customer ) {
		return array_merge(
			array( 'id' => $customer->get_id() ),
			ML_Connector_Rest_Format::dates(
				array(
					'date_created'  => $customer->get_date_created(),
					'date_modified' => $customer->get_date_modified(),
				)
			),
			array(
				'email'              => $customer->get_email(),
				'first_name'         => $customer->get_first_name(),
				'last_name'          => $customer->get_last_name(),
				'role'               => $customer->get_role(),
				'username'           => $customer->get_username(),
				'billing'            => ML_Connector_Rest_Format::address( $customer->get_billing(), ML_Connector_Rest_Format::BILLING_FIELDS ),
				'shipping'           => ML_Connector_Rest_Format::address( $customer->get_shipping(), ML_Connector_Rest_Format::SHIPPING_FIELDS ),
				'is_paying_customer' => (bool) $customer->get_is_paying_customer(),
				'avatar_url'         => $customer->get_avatar_url(),
				'meta_data'          => ML_Connector_Rest_Format::meta_rows( $customer ),
			)
		);
	}
}
