<?php
/**
 * No secret the settings page takes (NAV client secret, NAV access key) or makes (the agent's
 * WooCommerce consumer secret) is stored anywhere WordPress keeps things — options, transients,
 * the spool (database and WAL files), the PHP error log, the rendered page — in clear or in any
 * encoding a reader could undo at a glance (base64, URL encoding, JSON escaping, hex).
 */
final class StoredSecretsTest extends ML_Connector_Test_Case {

	const CLIENT_SECRET = 'Cs~9/Qv+x&y=z%41 "quoted" é';
	const ACCESS_KEY    = 'Ak+/9AbC=kXz_0123456789';

	protected function setUp(): void {
		parent::setUp();
		WP_Shim::$is_admin = true;
		do_action( 'admin_menu' );
		do_action( 'admin_init' );
		WP_Shim::log_in_as( 'shop_manager' );
	}

	private function save( array $settings ) {
		$form = array(
			'option_page'           => 'ml_connector',
			'action'                => 'update',
			'_wpnonce'              => wp_create_nonce( 'ml_connector-options' ),
			'ml_connector_settings' => $settings,
		);
		try {
			WP_Shim::post_options_form( wp_slash( $form ) );
		} catch ( WP_Shim_Redirect $redirect ) {
			$this->end_request();
			return;
		}
		$this->fail( 'options.php did not redirect' );
	}

	/** The forms a secret could take in stored text. */
	private static function encodings( $secret ) {
		return array(
			'clear'                      => $secret,
			'base64'                     => base64_encode( $secret ),
			'base64 (url)'               => rtrim( strtr( base64_encode( $secret ), '+/', '-_' ), '=' ),
			'urlencode'                  => urlencode( $secret ),
			'rawurlencode'               => rawurlencode( $secret ),
			'json'                       => trim( json_encode( $secret ), '"' ),
			'json (escaped slashes off)' => trim( json_encode( $secret, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE ), '"' ),
			'hex'                        => bin2hex( $secret ),
		);
	}

	/** Everything WordPress and the spool hold after the saves, by place. */
	private function stored() {
		$places = array(
			'options'    => serialize( WP_Shim::$options ),
			'transients' => serialize( WP_Shim::$transients ),
			'error log'  => $this->log(),
		);
		foreach ( glob( $this->dir . '/spool.db*' ) as $file ) {
			$places[ basename( $file ) ] = file_get_contents( $file );
		}
		WP_Shim::$settings_errors = array();
		ob_start();
		call_user_func( WP_Shim::$menu['ml-connector']['callback'] );
		$places['settings page'] = ob_get_clean();
		return $places;
	}

	public function test_no_secret_is_stored_in_clear_or_encoded() {
		global $wpdb;
		$this->save(
			array(
				'deployment' => 'bc_online',
				'nav'        => array(
					'tenant'            => 'contoso.onmicrosoft.com',
					'environment'       => 'production',
					'company'           => 'CRONUS International Ltd.',
					'client_id'         => '3f1c9a57-0000-4000-8000-000000000001',
					'client_secret_new' => self::CLIENT_SECRET,
				),
			)
		);
		$this->save(
			array(
				'deployment' => 'nav_onprem',
				'nav'        => array(
					'base_url'       => 'https://nav.contoso.com:7048/NAV',
					'company'        => 'CRONUS International Ltd.',
					'user'           => 'WEBSHOP',
					'access_key_new' => self::ACCESS_KEY,
				),
			)
		);
		$keys = array_values( $wpdb->tables['wp_woocommerce_api_keys'] );
		$this->assertCount( 1, $keys, 'the agent got its WooCommerce key' );
		$secrets = array(
			'nav.client_secret'   => self::CLIENT_SECRET,
			'nav.access_key'      => self::ACCESS_KEY,
			'woo.consumer_secret' => $keys[0]['consumer_secret'],
		);
		$places = $this->stored();
		$this->assertNotSame( '', $places['spool.db'], 'the spool was written' );
		foreach ( $secrets as $name => $secret ) {
			foreach ( self::encodings( $secret ) as $encoding => $form ) {
				foreach ( $places as $place => $text ) {
					$this->assertStringNotContainsString( $form, $text, "$name ($encoding) in $place" );
				}
			}
		}
	}
}
