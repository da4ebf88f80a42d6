<?php
/**
 * The status screen: agent heartbeat (fresh / stale / absent), the hand-off's state, queue,
 * recent syncs, parked items with their reason and Replay buttons (per item and all parked),
 * which enqueue command.replay only with nonce and capability.
 */
final class StatusPageTest extends ML_Connector_Test_Case {

	protected function setUp(): void {
		parent::setUp();
		WP_Shim::$is_admin = true;
		do_action( 'admin_menu' );
	}

	private function render() {
		ob_start();
		try {
			call_user_func( WP_Shim::$menu['ml-connector-status']['callback'] );
		} finally {
			$html = ob_get_clean();
		}
		return $html;
	}

	private function snapshot() {
		$this->agent_writes(
			'snapshot',
			array(
				'agent_version'   => '0.1.0',
				'started_at'      => '2026-11-28T09:00:00.000Z',
				'at'              => '2026-11-28T10:00:00.000Z',
				'queue'           => array( 'spool' => 0, 'pending' => 3, 'running' => 1, 'parked' => 2, 'held' => 0 ),
				'last_success_at' => '2026-11-28T09:59:58.000Z',
				'reachability'    => array(
					'nav' => array( 'ok' => false, 'checked_at' => '2026-11-28T10:00:00.000Z', 'detail' => 'connection refused by nav.contoso.com:7048' ),
					'woo' => array( 'ok' => true, 'checked_at' => '2026-11-28T10:00:00.000Z', 'detail' => '' ),
				),
				'recent'          => array( array( 'order_id' => 123, 'nav_number' => 'S-ORD101001', 'state' => 'synced', 'at' => '2026-11-28T09:59:58.000Z' ) ),
				'parked'          => array(
					array( 'job_id' => 7, 'order_id' => 124, 'kind' => 'order.created', 'reason' => 'unknown SKU <script>alert(1)</script> (line 2)', 'attempts' => 1, 'at' => '2026-11-28T09:58:00.000Z' ),
					array( 'job_id' => 9, 'order_id' => 125, 'kind' => 'order.created', 'reason' => 'customer blocked in NAV', 'attempts' => 3, 'at' => '2026-11-28T09:59:00.000Z' ),
				),
			)
		);
	}

	private function replay( $target, $nonce = null ) {
		try {
			WP_Shim::admin_request( 'admin_post_ml_connector_replay', array( 'target' => $target, '_wpnonce' => null === $nonce ? wp_create_nonce( 'ml_connector_replay' ) : $nonce ) );
		} catch ( WP_Shim_Redirect $redirect ) {
			return $redirect->location;
		}
		$this->fail( 'no redirect' );
	}

	public function test_a_running_agent_with_parked_work_is_shown_escaped_with_replay_buttons() {
		WP_Shim::log_in_as( 'shop_manager' );
		$this->agent_beats( 3 );
		$this->snapshot();

		$html = $this->render();

		$this->assertMatchesRegularExpression( '/Running — last heartbeat [3-5] s ago\./', $html );
		$this->assertStringContainsString( 'NOT reachable — connection refused by nav.contoso.com:7048', $html );
		$this->assertStringContainsString( 'S-ORD101001', $html );
		$this->assertStringContainsString( 'unknown SKU &lt;script&gt;alert(1)&lt;/script&gt; (line 2)', $html );
		$this->assertStringNotContainsString( '<script>', $html );
		$this->assertStringContainsString( '<input type="hidden" name="target" value="job:7" />', $html );
		$this->assertStringContainsString( '<input type="hidden" name="target" value="job:9" />', $html );
		$this->assertStringContainsString( '<input type="hidden" name="target" value="parked" />', $html );
		$this->assertStringContainsString( 'value="' . wp_create_nonce( 'ml_connector_replay' ) . '"', $html );
		$this->assertStringContainsString( 'Pure-PHP fallback', $html );
	}

	public function test_webhook_mode_health_is_shown_only_when_the_agent_reports_it() {
		WP_Shim::log_in_as( 'shop_manager' );
		$this->agent_beats( 3 );
		$this->snapshot();
		$this->assertStringNotContainsString( 'WooCommerce webhooks', $this->render(), 'the hand-off mode has no webhook row' );

		$this->agent_writes(
			'snapshot',
			array(
				'queue'    => array( 'spool' => 0, 'pending' => 0, 'running' => 0, 'parked' => 0, 'held' => 0 ),
				'webhooks' => array(
					'public_url'  => 'https://shop.example/ml-connector/webhooks',
					'endpoint_ok' => false,
					'checked_at'  => '2026-11-28T10:00:00Z',
					'detail'      => 'the public URL does not reach this agent <b>',
				),
			)
		);
		$html = $this->render();
		$this->assertStringContainsString( 'FAILING — https://shop.example/ml-connector/webhooks: the public URL does not reach this agent &lt;b&gt;', $html );
	}

	public function test_a_stale_and_an_absent_agent_are_told_apart() {
		WP_Shim::log_in_as( 'shop_manager' );
		$this->assertStringContainsString( 'Not running — it has never reported a heartbeat.', $this->render() );

		$this->agent_beats( 600 );

		$this->assertStringContainsString( 'Not responding — last heartbeat at', $this->render() );
	}

	public function test_the_queue_depth_counts_events_waiting_in_the_spool() {
		WP_Shim::log_in_as( 'shop_manager' );
		WC_Stand_In_Order_Flows::classic_checkout( $this->order_args( $this->products() ) );
		$this->end_request();
		WP_Shim::$is_admin = true;

		$this->assertMatchesRegularExpression( '#Events waiting in the spool</th><td>1</td>#', $this->render() );
	}

	public function test_replay_of_one_parked_job_and_of_all_parked_enqueue_command_replay() {
		WP_Shim::log_in_as( 'shop_manager' );

		$this->assertStringContainsString( 'ml_connector_notice=replay_queued', $this->replay( 'job:7' ) );
		$this->assertStringContainsString( 'ml_connector_notice=replay_queued', $this->replay( 'parked' ) );

		$events = $this->events();
		$this->assertSame( array( 'command.replay', 'command.replay' ), array_column( $events, 'kind' ) );
		$this->assertSame( array( array( 'target' => 'job:7' ), array( 'target' => 'parked' ) ), array_column( $events, 'payload' ) );
		$this->assertSame( array(), Event_Schema_Check::problems( $events[0] ) );
		$this->assertMatchesFixture( 'command-replay', $events[0] );
	}

	public function test_replay_is_refused_without_capability_nonce_or_a_valid_target() {
		WP_Shim::log_in_as( 'customer' );
		try {
			$this->replay( 'parked' );
			$this->fail( 'a customer replayed' );
		} catch ( WP_Shim_Die $die ) {
			$this->assertSame( 403, $die->status );
		}
		WP_Shim::log_in_as( 'shop_manager' );
		try {
			$this->replay( 'parked', 'forged' );
			$this->fail( 'replayed with a forged nonce' );
		} catch ( WP_Shim_Die $die ) {
			$this->assertSame( 403, $die->status );
		}
		$this->assertStringContainsString( 'replay_failed', $this->replay( 'job:0; DROP TABLE' ) );
		$this->assertSame( array(), $this->events() );
	}

	public function test_the_page_itself_needs_the_capability() {
		WP_Shim::log_in_as( 'subscriber' );

		$this->expectException( WP_Shim_Die::class );
		$this->render();
	}
}
