<?php
/**
 * WC_Stand_In_E2E_Store: keeps the stand-in's in-memory store between requests of a real
 * WordPress — one option (not autoloaded) read when the plugin loads and written after each change.
 * Changes run under a MariaDB named lock and on a freshly read state, so two requests placing
 * orders at once cannot lose each other's rows; reading requests (admin screens) never write.
 *
 * @package WC_Stand_In_E2E
 */

defined( 'ABSPATH' ) || exit;

final class WC_Stand_In_E2E_Store {

	const OPTION = 'wc_stand_in_e2e_store';
	const LOCK   = 'wc_stand_in_e2e_store';

	/** The state saved by the last change, or the fresh shop of a new site. */
	public static function load() {
		$state = get_option( self::OPTION );
		if ( is_array( $state ) ) {
			WC_Stand_In_Store::import( $state );
		}
		WC_Stand_In_Store::$site_url = untrailingslashit( home_url() );
		WC_Stand_In_Store::$timezone = wp_timezone_string();
		// The stand-in's clock starts at a fixed instant for its fixtures; here the shop runs now.
		WC_Stand_In_Store::$now = max( WC_Stand_In_Store::$now, time() );
	}

	/**
	 * Runs $change on the current state and saves the result.
	 *
	 * @return mixed what $change returns
	 * @throws RuntimeException when another request holds the store for more than 10 s
	 */
	public static function write( callable $change ) {
		global $wpdb;
		if ( '1' !== (string) $wpdb->get_var( $wpdb->prepare( 'SELECT GET_LOCK(%s, 10)', self::LOCK ) ) ) {
			throw new RuntimeException( 'the stand-in store is busy' );
		}
		try {
			wp_cache_delete( self::OPTION, 'options' );
			self::load();
			$result = $change();
			update_option( self::OPTION, WC_Stand_In_Store::export(), false );
			return $result;
		} finally {
			$wpdb->query( $wpdb->prepare( 'SELECT RELEASE_LOCK(%s)', self::LOCK ) );
		}
	}

	/** The product id of a SKU in the catalogue, or 0. */
	public static function product_id( $sku ) {
		foreach ( WC_Stand_In_Store::$products as $id => $row ) {
			if ( (string) $row['props']['sku'] === (string) $sku ) {
				return (int) $id;
			}
		}
		return 0;
	}
}
