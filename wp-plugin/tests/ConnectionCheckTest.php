<?php
/**
 * "Test connection": queues command.check with a random request id (nonce + capability), polls
 * for check:<id>, and tells in plain words what the agent found — or that it is not running.
 */
final class ConnectionCheckTest extends ML_Connector_Test_Case {

	private function ajax( $action, array $post = array(), $nonce = null ) {
		$post['nonce'] = null === $nonce ? wp_create_nonce( 'ml_connector_check' ) : $nonce;
		try {
			WP_Shim::admin_request( 'wp_ajax_' . $action, $post );
		} catch ( WP_Shim_Json $response ) {
			return $response;
		}
		$this->fail( "$action answered nothing" );
	}

	public function test_starting_a_check_queues_command_check_and_says_the_agent_is_not_running() {
		WP_Shim::log_in_as( 'shop_manager' );

		$response = $this->ajax( 'ml_connector_check_start' );

		$this->assertTrue( $response->body['success'] );
		$request_id = $response->body['data']['request_id'];
		$this->assertMatchesRegularExpression( '/^[0-9a-f]{32}$/', $request_id );
		$this->assertFalse( $response->body['data']['agent_running'] );
		$this->assertStringContainsString( 'The agent is not running: it has never reported a heartbeat.', $response->body['data']['message'] );
		$event = $this->events()[0];
		$this->assertSame( 'command.check', $event['kind'] );
		$this->assertSame( 0, $event['object_id'] );
		$this->assertSame( 'admin', $event['origin'] );
		$this->assertSame( array( 'request_id' => $request_id ), $event['payload'] );
		$event['payload']['request_id'] = '0123456789abcdef0123456789abcdef';
		$this->assertMatchesFixture( 'command-check', $event );
	}

	public function test_starting_a_check_is_refused_without_capability_or_nonce() {
		WP_Shim::log_in_as( 'customer' );
		$this->assertSame( 403, $this->ajax( 'ml_connector_check_start' )->status );
		WP_Shim::log_in_as( 'shop_manager' );
		$this->assertSame( 403, $this->ajax( 'ml_connector_check_start', array(), 'forged' )->status );
		$this->assertSame( array(), $this->events() );
	}

	public function test_the_answer_is_reported_in_plain_words_with_companies_and_timings() {
		WP_Shim::log_in_as( 'shop_manager' );
		$this->agent_beats();
		$request_id = $this->ajax( 'ml_connector_check_start' )->body['data']['request_id'];
		$pending    = $this->ajax( 'ml_connector_check_result', array( 'request_id' => $request_id ) );
		$this->assertFalse( $pending->body['data']['done'] );
		$this->assertTrue( $pending->body['data']['agent_running'] );

		$this->agent_writes(
			'check:' . $request_id,
			array(
				'request_id'  => $request_id,
				'ok'          => false,
				'finished_at' => '2026-11-28T10:00:00.500Z',
				'companies'   => array( 'CRONUS International Ltd.' ),
				'checks'      => array(
					array( 'name' => 'nav.auth', 'ok' => false, 'millis' => 41, 'detail' => 'Business Central refused the client secret (AADSTS7000215). Create a new secret for the app registration and save it here.' ),
					array( 'name' => 'woo.auth', 'ok' => true, 'millis' => 12, 'detail' => '' ),
				),
			)
		);
		$done = $this->ajax( 'ml_connector_check_result', array( 'request_id' => $request_id ) )->body['data'];

		$this->assertTrue( $done['done'] );
		$this->assertFalse( $done['ok'] );
		$this->assertSame( '1 check failed.', $done['summary'] );
		$this->assertSame( array( 'CRONUS International Ltd.' ), $done['companies'] );
		$this->assertSame( 53, $done['total_ms'] );
		$this->assertSame( array( 'ok' => false, 'name' => 'Sign-in to Business Central / NAV', 'millis' => 41, 'detail' => 'Business Central refused the client secret (AADSTS7000215). Create a new secret for the app registration and save it here.' ), $done['checks'][0] );
		$this->assertSame( 'WooCommerce REST API key', $done['checks'][1]['name'] );
	}

	public function test_a_stale_heartbeat_is_reported_with_its_time() {
		WP_Shim::log_in_as( 'shop_manager' );
		$this->agent_writes( 'heartbeat', array( 'at' => '2026-01-01T00:00:00.000Z', 'pid' => 1, 'version' => '0.1.0' ) );

		$data = $this->ajax( 'ml_connector_check_start' )->body['data'];

		$this->assertFalse( $data['agent_running'] );
		$this->assertStringContainsString( 'its last heartbeat was at 2026-01-01T00:00:00.000Z', $data['message'] );
	}

	public function test_polling_for_an_unknown_id_is_refused() {
		WP_Shim::log_in_as( 'shop_manager' );

		$response = $this->ajax( 'ml_connector_check_result', array( 'request_id' => '../heartbeat' ) );

		$this->assertSame( 400, $response->status );
	}

	public function test_every_check_the_agent_runs_has_a_label() {
		// The names the agent's live check reports, read from its source so the two cannot drift.
		preg_match_all( '/item\(\s*"((?:nav|woo)\.[a-z_]+)"/', (string) file_get_contents( dirname( __DIR__, 2 ) . '/agent/src/check.rs' ), $found );
		$names = array_values( array_unique( $found[1] ) );
		$this->assertContains( 'nav.auth', $names, 'check names found in agent/src/check.rs' );

		$checks = array_map(
			function ( $name ) {
				return array( 'name' => $name, 'ok' => true, 'millis' => 1 );
			},
			$names
		);
		foreach ( ML_Connector_Connection_Check::describe( array( 'ok' => true, 'checks' => $checks ) )['checks'] as $index => $check ) {
			$this->assertNotSame( $names[ $index ], $check['name'], "the agent's check {$names[ $index ]} is shown in words" );
		}
	}

	public function test_everything_working_is_said_in_one_line() {
		$described = ML_Connector_Connection_Check::describe(
			array(
				'ok'        => true,
				'companies' => array( 'CRONUS' ),
				'checks'    => array( array( 'name' => 'nav.auth', 'ok' => true, 'millis' => 30 ), array( 'name' => 'future.check', 'ok' => true, 'millis' => 5 ) ),
			)
		);

		$this->assertTrue( $described['ok'] );
		$this->assertSame( 'Everything works (35 ms).', $described['summary'] );
		$this->assertSame( 'future.check', $described['checks'][1]['name'] );
	}
}
