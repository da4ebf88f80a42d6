<?php
/**
 * With the ml_connector extension loaded, everything goes through it: events, settings,
 * encryption, status and order sync — and its failures never break a checkout either.
 * Each test runs in its own process, where the extension's functions exist from the start.
 *
 * @runTestsInSeparateProcesses
 * @preserveGlobalState disabled
 */
final class ExtensionHandOffTest extends ML_Connector_Test_Case {

	protected function setUp(): void {
		require_once __DIR__ . '/support/fake-extension.php';
		parent::setUp();
	}

	private function calls( $name ) {
		return array_values(
			array_map(
				function ( $call ) {
					return $call[1];
				},
				array_filter(
					$GLOBALS['ml_connector_fake']['calls'],
					function ( $call ) use ( $name ) {
						return $call[0] === $name;
					}
				)
			)
		);
	}

	public function test_events_go_to_the_extension_and_the_fallback_stays_unused() {
		$order_id = WC_Stand_In_Order_Flows::classic_checkout( $this->order_args( $this->products() ) );
		$this->end_request();

		$enqueued = $this->calls( 'enqueue' );
		$this->assertCount( 1, $enqueued );
		$event = json_decode( $enqueued[0][0], true );
		$this->assertSame( 'order.created', $event['kind'] );
		$this->assertSame( $order_id, $event['object_id'] );
		$this->assertFileDoesNotExist( $this->spool_path );
	}

	public function test_a_failing_or_throwing_extension_never_breaks_checkout() {
		$GLOBALS['ml_connector_fake']['enqueue'] = null;
		$first                                   = WC_Stand_In_Order_Flows::classic_checkout( $this->order_args( $this->products() ) );
		$this->end_request();
		$GLOBALS['ml_connector_fake']['enqueue'] = 'throw';
		$second                                  = WC_Stand_In_Order_Flows::classic_checkout( $this->order_args( $this->products() ) );
		$this->end_request();

		$this->assertSame( 'processing', wc_get_order( $first )->get_status() );
		$this->assertSame( 'processing', wc_get_order( $second )->get_status() );
		$this->assertStringContainsString( 'ml_connector: event not handed over (the agent\'s reconciliation will pick it up): extension panicked', $this->log() );
	}

	public function test_secrets_are_encrypted_by_the_extension_with_their_document_path_as_purpose() {
		WP_Shim::$is_admin = true;
		do_action( 'admin_init' );
		WP_Shim::log_in_as( 'shop_manager' );
		$form = array(
			'option_page'           => 'ml_connector',
			'_wpnonce'              => wp_create_nonce( 'ml_connector-options' ),
			'ml_connector_settings' => array( 'nav' => array( 'client_secret_new' => 'top-secret', 'access_key_new' => 'also-secret' ) ),
		);
		try {
			WP_Shim::post_options_form( $form );
		} catch ( WP_Shim_Redirect $redirect ) {
			$this->assertStringContainsString( 'settings-updated=true', $redirect->location );
		}

		$this->assertSame( array( array( 'nav.client_secret' ), array( 'nav.access_key' ), array( 'woo.consumer_secret' ) ), $this->calls( 'encrypt' ) );
		$put = $this->calls( 'put_setting' );
		$this->assertSame( 'site', $put[0][0] );
		$this->assertStringStartsWith( 'mlc1:cafebabe:', json_decode( $put[0][1], true )['nav']['client_secret'] );
		$this->assertStringNotContainsString( 'top-secret', $put[0][1] . serialize( WP_Shim::$options ) );
		$this->assertSame( 'settings.updated', json_decode( array_slice( $this->calls( 'enqueue' ), -1 )[0][0], true )['kind'] );
	}

	public function test_a_secret_the_extension_cannot_encrypt_is_refused_with_its_reason() {
		$GLOBALS['ml_connector_fake']['encrypt']    = false;
		$GLOBALS['ml_connector_fake']['last_error'] = 'key file /etc/ml-connector/vault.key: permission denied';
		$settings                                   = new ML_Connector_Settings( new ML_Connector_Vault() );
		WP_Shim::log_in_as( 'shop_manager' );

		$saved = $settings->sanitize( array( 'nav' => array( 'client_secret_new' => 'top-secret' ) ) );

		$this->assertSame( '', $saved['nav']['client_secret'] );
		$this->assertStringContainsString( 'cannot be encrypted (key file /etc/ml-connector/vault.key: permission denied)', get_settings_errors()[0]['message'] );
	}

	public function test_status_and_order_sync_come_from_the_extension() {
		$GLOBALS['ml_connector_fake']['order_sync'] = array( 7 => array( 'state' => 'posted', 'nav_number' => 'S-ORD7', 'reason' => null, 'updated_at' => 't' ) );
		$channel                                    = new ML_Connector_Channel();

		$this->assertTrue( $channel->uses_extension() );
		$this->assertSame( 'extension', $channel->state()['mode'] );
		$this->assertSame( 4, $channel->state()['queue_depth'] );
		$this->assertSame( array( 7 => array( 'state' => 'posted', 'nav_number' => 'S-ORD7', 'reason' => null, 'updated_at' => 't' ) ), $channel->order_sync( array( 7, 8 ) ) );
		$this->assertSame( array( array( array( 7, 8 ) ) ), $this->calls( 'order_sync' ) );
	}

	public function test_the_fallback_entry_point_stays_pure_php_even_with_the_extension() {
		$seq = ml_connector_fallback_enqueue( ML_Connector_Event::to_json( ML_Connector_Event::make( 'command.check', 0, 'admin', array( 'request_id' => 'r' ) ) ) );

		$this->assertSame( 1, $seq );
		$this->assertSame( array(), $this->calls( 'enqueue' ) );
		$this->assertSame( 'php-fallback', $this->spool_rows()[0]['producer'] );
	}

	public function test_no_extension_notice_when_it_is_loaded() {
		WP_Shim::log_in_as( 'shop_manager' );
		WP_Shim::$is_admin = true;
		WP_Shim::$screen   = 'plugins';

		ob_start();
		do_action( 'admin_notices' );

		$this->assertSame( '', ob_get_clean() );
	}
}
