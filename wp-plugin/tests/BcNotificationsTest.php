<?php
/**
 * The public route Business Central posts notifications to (ML_Connector_Bc_Notifications):
 * the validationToken handshake echoed as text/plain, each notification's clientState checked
 * against the fingerprint the agent publishes, one bc.notification event per request through the
 * spool (never the clientState itself), clear 4xx for what is not a notification, 503 when it
 * cannot be handed over yet; and the setting that turns it on and names the URL.
 */
final class BcNotificationsTest extends ML_Connector_Test_Case {

	const ROUTE = '/ml-connector/v1/bc-notifications';
	const STATE = 'c3f1e0d7a8b9a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f6a7b8c9d0';

	protected function setUp(): void {
		parent::setUp();
		WP_Shim_Rest::$routes = array();
		do_action( 'rest_api_init' );
		$this->turn_on();
	}

	private function turn_on( $enabled = true, $url = '' ) {
		update_option( ML_Connector_Settings::OPTION, array( 'bc_notifications' => array( 'enabled' => $enabled, 'url' => $url ) ) );
	}

	/** The agent has subscribed with self::STATE (only its fingerprint reaches the spool). */
	private function agent_subscribed() {
		$this->agent_writes(
			'bc_notifications',
			array(
				'enabled'             => true,
				'client_state_sha256' => hash( 'sha256', self::STATE ),
				'subscriptions'       => array(),
			)
		);
	}

	private function request( $method, array $query = array(), $body = null ) {
		$request = new WP_REST_Request( $method, self::ROUTE );
		$request->set_query_params( $query );
		if ( null !== $body ) {
			$request->set_body( is_string( $body ) ? $body : json_encode( $body ) );
		}
		return WP_Shim_Rest::serve( $request );
	}

	private static function notification( $state, $change = 'updated' ) {
		return array(
			'subscriptionId'       => 'c670ea73cacb459bb51dc1740da2f1db',
			'clientState'          => $state,
			'expirationDateTime'   => '2026-12-01T10:00:00Z',
			'resource'             => 'api/v2.0/companies(f1d7e9a1-0000-0000-0000-000000000000)/salesOrders(9a1b2c3d-0000-0000-0000-000000000001)',
			'changeType'           => $change,
			'lastModifiedDateTime' => '2026-11-28T10:00:00Z',
		);
	}

	private function error_code( array $response ) {
		return json_decode( $response['body'], true )['code'];
	}

	public function test_the_route_is_public_with_a_permission_check_that_is_not_return_true() {
		$route = WP_Shim_Rest::$routes[ self::ROUTE ];
		$this->assertSame( array( 'GET', 'POST' ), $route['methods'] );
		$this->assertIsCallable( $route['permission_callback'] );
		$this->assertNotSame( '__return_true', $route['permission_callback'] );
		$this->assertSame( 'https://shop.example/wp-json/ml-connector/v1/bc-notifications', ML_Connector_Bc_Notifications::default_url() );
	}

	public function test_the_handshake_echoes_the_token_as_text_plain() {
		foreach ( array( 'GET', 'POST' ) as $method ) {
			$response = $this->request( $method, array( 'validationToken' => 'a1b2c3d4-token' ) );
			$this->assertSame( 200, $response['status'], $method );
			$this->assertSame( 'a1b2c3d4-token', $response['body'], 'exactly the token, not JSON' );
			$this->assertSame( 'text/plain; charset=utf-8', $response['headers']['Content-Type'] );
			$this->assertSame( 'nosniff', $response['headers']['X-Content-Type-Options'] );
		}
		$this->assertSame( array(), $this->events_about( 'bc' ), 'a handshake is not an event' );
	}

	public function test_a_token_that_is_not_printable_or_too_long_is_refused() {
		foreach ( array( '', "abc\ndef", '<b>x</b> y', str_repeat( 'a', 1025 ) ) as $token ) {
			$response = $this->request( 'GET', array( 'validationToken' => $token ) );
			$this->assertSame( 400, $response['status'], var_export( $token, true ) );
			$this->assertSame( 'ml_connector_bad_validation_token', $this->error_code( $response ) );
		}
	}

	public function test_with_the_setting_off_even_the_handshake_is_refused() {
		$this->turn_on( false );
		$response = $this->request( 'GET', array( 'validationToken' => 'a1b2' ) );
		$this->assertSame( 404, $response['status'] );
		$this->assertSame( 'ml_connector_bc_notifications_off', $this->error_code( $response ) );
	}

	public function test_notifications_with_the_right_client_state_become_one_event_without_the_secret() {
		$this->agent_subscribed();
		$response = $this->request( 'POST', array(), array( 'value' => array( self::notification( self::STATE ), self::notification( self::STATE, 'deleted' ) ) ) );
		$this->assertSame( 202, $response['status'] );
		$this->assertSame( array( 'accepted' => 2, 'refused' => 0 ), json_decode( $response['body'], true ) );
		$events = $this->events_about( 'bc' );
		$this->assertCount( 1, $events, 'one event per request' );
		$this->assertSame( 'bc.notification', $events[0]['kind'] );
		$this->assertSame( 0, $events[0]['object_id'] );
		$this->assertSame( 'bc-webhook', $events[0]['origin'] );
		$this->assertSame( hash( 'sha256', self::STATE ), $events[0]['payload']['client_state_sha256'] );
		$this->assertSame( array( 'subscriptionId', 'resource', 'changeType', 'lastModifiedDateTime' ), array_keys( $events[0]['payload']['notifications'][0] ) );
		$this->assertSame( 'deleted', $events[0]['payload']['notifications'][1]['changeType'] );
		$this->assertSame( array(), Event_Schema_Check::problems( $events[0] ) );
		$this->assertStringNotContainsString( self::STATE, (string) file_get_contents( $this->spool_path ), 'the clientState never reaches the spool' );
	}

	public function test_a_wrong_client_state_is_refused_and_nothing_is_spooled() {
		$this->agent_subscribed();
		$response = $this->request( 'POST', array(), array( 'value' => array( self::notification( 'guessed' ), array( 'changeType' => 'updated' ) ) ) );
		$this->assertSame( 403, $response['status'] );
		$this->assertSame( 'ml_connector_client_state_mismatch', $this->error_code( $response ) );
		$this->assertSame( array(), $this->events_about( 'bc' ) );
	}

	public function test_a_stale_subscription_sharing_the_post_does_not_sink_the_current_ones() {
		$this->agent_subscribed();
		$response = $this->request( 'POST', array(), array( 'value' => array( self::notification( 'an old secret' ), self::notification( self::STATE ) ) ) );
		$this->assertSame( 202, $response['status'] );
		$this->assertSame( array( 'accepted' => 1, 'refused' => 1 ), json_decode( $response['body'], true ) );
		$this->assertSame( 1, $this->events_about( 'bc' )[0]['payload']['refused'] );
	}

	public function test_malformed_and_oversized_bodies_get_a_clear_400() {
		$this->agent_subscribed();
		$cases = array(
			'{"value": [' => 'ml_connector_malformed',
			'[1, 2]'      => 'ml_connector_malformed',
			'{"value": 3}' => 'ml_connector_malformed',
			'{"value": []}' => 'ml_connector_malformed',
			'{"validationToken": "x"}' => 'ml_connector_malformed', // a handshake token comes in the query only
			'{"value": ["' . str_repeat( 'x', ML_Connector_Bc_Notifications::MAX_BYTES ) . '"]}' => 'ml_connector_too_large',
		);
		foreach ( $cases as $body => $code ) {
			$response = $this->request( 'POST', array(), $body );
			$this->assertSame( 400, $response['status'], substr( $body, 0, 20 ) );
			$this->assertSame( $code, $this->error_code( $response ) );
			$this->assertNotEmpty( json_decode( $response['body'], true )['message'] );
		}
		$this->assertSame( 400, $this->request( 'GET' )['status'], 'a GET without a token is not a notification' );
		$this->assertSame( array(), $this->events_about( 'bc' ) );
	}

	public function test_before_the_agent_publishes_business_central_is_asked_to_retry() {
		$response = $this->request( 'POST', array(), array( 'value' => array( self::notification( self::STATE ) ) ) );
		$this->assertSame( 503, $response['status'], 'BC retries 5xx for 36 hours; a 4xx would delete the subscription' );
		$this->assertSame( 'ml_connector_agent_not_ready', $this->error_code( $response ) );
	}

	public function test_when_the_agent_turned_notifications_off_they_are_refused() {
		$this->agent_writes( 'bc_notifications', array( 'enabled' => false, 'client_state_sha256' => null ) );
		$response = $this->request( 'POST', array(), array( 'value' => array( self::notification( self::STATE ) ) ) );
		$this->assertSame( 403, $response['status'] );
		$this->assertSame( 'ml_connector_no_subscription', $this->error_code( $response ) );
	}

	public function test_when_the_spool_cannot_take_it_business_central_is_asked_to_retry() {
		$this->agent_subscribed();
		// The spool refuses every new event (as a full disk would).
		$this->agent_spool()->exec( "CREATE TRIGGER refuse_events BEFORE INSERT ON events BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END;" );
		$response = $this->request( 'POST', array(), array( 'value' => array( self::notification( self::STATE ) ) ) );
		$this->assertSame( 503, $response['status'] );
		$this->assertSame( 'ml_connector_not_handed_over', $this->error_code( $response ) );
	}

	public function test_the_settings_form_ticks_it_on_and_off_and_checks_the_url() {
		WP_Shim::$is_admin = true;
		do_action( 'admin_menu' );
		do_action( 'admin_init' );
		WP_Shim::log_in_as( 'shop_manager' );
		$save = function ( array $notifications ) {
			$form = array(
				'option_page'           => 'ml_connector',
				'action'                => 'update',
				'_wpnonce'              => wp_create_nonce( 'ml_connector-options' ),
				'ml_connector_settings' => array( 'bc_notifications' => $notifications ),
			);
			try {
				WP_Shim::post_options_form( wp_slash( $form ) );
			} catch ( WP_Shim_Redirect $redirect ) {
				return get_option( ML_Connector_Settings::OPTION )['bc_notifications'];
			}
			$this->fail( 'options.php did not redirect' );
		};
		$this->assertSame( array( 'enabled' => true, 'url' => 'https://public.example/hook' ), $save( array( 'enabled' => '1', 'url' => 'https://public.example/hook/' ) ) );
		$this->assertSame( array( 'enabled' => false, 'url' => 'https://public.example/hook' ), $save( array( 'enabled' => '0', 'url' => 'javascript:alert(1)' ) ), 'the hidden 0 of an unticked box; a bad URL keeps the previous one' );
		ob_start();
		$this->plugin_form()->render_field( array( 'path' => 'bc_notifications.enabled', 'type' => 'checkbox', 'text' => 'Subscribe' ) );
		$html = ob_get_clean();
		$this->assertStringContainsString( 'type="checkbox" id="ml-connector-bc_notifications-enabled" name="ml_connector_settings[bc_notifications][enabled]" value="1"', $html );
	}

	private function plugin_form() {
		return new ML_Connector_Settings_Form( new ML_Connector_Settings( new ML_Connector_Vault() ) );
	}

	public function test_the_setting_reaches_the_agent_with_this_sites_url_by_default() {
		$document = $this->plugin->settings_document()->build();
		$this->assertSame( array( 'enabled' => true, 'url' => 'https://shop.example/wp-json/ml-connector/v1/bc-notifications' ), $document['bc_notifications'] );
		$this->turn_on( true, 'https://public.example/wp-json/ml-connector/v1/bc-notifications' );
		$this->assertSame( 'https://public.example/wp-json/ml-connector/v1/bc-notifications', $this->plugin->settings_document()->build()['bc_notifications']['url'] );
		$this->turn_on( false, 'https://public.example/x' );
		$this->assertSame( array( 'enabled' => false ), $this->plugin->settings_document()->build()['bc_notifications'] );
	}
}
