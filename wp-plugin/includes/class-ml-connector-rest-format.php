<?php
/**
 * ML_Connector_Rest_Format: the formatting conventions of the WooCommerce REST API that every
 * representation shares — money as strings with the store's decimals, dates as `Y-m-d\TH:i:s`
 * in site time and in UTC (`_gmt`), addresses with a fixed set of keys, meta rows {id, key, value}.
 *
 * @package ML_Connector
 */

defined( 'ABSPATH' ) || exit;

final class ML_Connector_Rest_Format {

	const BILLING_FIELDS  = array( 'first_name', 'last_name', 'company', 'address_1', 'address_2', 'city', 'state', 'postcode', 'country', 'email', 'phone' );
	const SHIPPING_FIELDS = array( 'first_name', 'last_name', 'company', 'address_1', 'address_2', 'city', 'state', 'postcode', 'country', 'phone' );

	public static function money( $amount ) {
		return wc_format_decimal( $amount, wc_get_price_decimals() );
	}

	/**
	 * @param array<string, WC_DateTime|null> $dates name => date
	 * @return array name (site time) and name_gmt (UTC) for each, null when unset
	 */
	public static function dates( array $dates ) {
		$formatted = array();
		foreach ( $dates as $name => $date ) {
			$formatted[ $name ]          = wc_rest_prepare_date_response( $date, false );
			$formatted[ $name . '_gmt' ] = wc_rest_prepare_date_response( $date );
		}
		return $formatted;
	}

	/** An object's version: its date_modified_gmt. */
	public static function modified_gmt( $object ) {
		return wc_rest_prepare_date_response( $object->get_date_modified() );
	}

	/** Always the same keys (a JSON object even when every value is empty). */
	public static function address( $address, array $fields ) {
		$shaped = array();
		foreach ( $fields as $field ) {
			$shaped[ $field ] = isset( $address[ $field ] ) ? (string) $address[ $field ] : '';
		}
		return $shaped;
	}

	/** @param WC_Data $object */
	public static function meta_rows( $object ) {
		$rows = array();
		foreach ( $object->get_meta_data() as $meta ) {
			$rows[] = array(
				'id'    => $meta->id,
				'key'   => $meta->key,
				'value' => $meta->value,
			);
		}
		return $rows;
	}
}
