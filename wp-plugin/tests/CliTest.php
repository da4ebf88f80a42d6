<?php
/**
 * `wp ml-connector status | replay | resync`: registered only under WP-CLI. Each test runs in its
 * own process, where WP_CLI is defined before the plugin starts (as WP-CLI does).
 *
 * @runTestsInSeparateProcesses
 * @preserveGlobalState disabled
 */
final class CliTest extends ML_Connector_Test_Case {

	protected function setUp(): void {
		if ( 'test_commands_are_registered_only_under_wp_cli' !== $this->getName() ) {
			define( 'WP_CLI', true );
		}
		parent::setUp();
	}

	/** Runs a subcommand; returns [output lines, error or null]. */
	private function wp( $subcommand, array $args = array(), array $assoc = array() ) {
		WP_CLI::$output = array();
		try {
			WP_CLI::$commands['ml-connector']->$subcommand( $args, $assoc );
			$error = null;
		} catch ( WP_CLI_Shim_Error $e ) {
			$error = $e->getMessage();
		}
		return array( WP_CLI::$output, $error );
	}

	public function test_commands_are_registered_only_under_wp_cli() {
		$this->assertFalse( defined( 'WP_CLI' ) );
		$this->assertSame( array(), WP_CLI::$commands );
	}

	public function test_commands_are_registered_under_wp_cli() {
		$this->assertInstanceOf( ML_Connector_CLI::class, WP_CLI::$commands['ml-connector'] );
	}

	public function test_replay_takes_exactly_one_target() {
		list( $out, $error ) = $this->wp( 'replay', array(), array( 'parked' => true ) );
		$this->assertNull( $error );
		$this->assertStringStartsWith( 'Success: Replay of parked queued. The agent is not running', $out[0] );
		$this->wp( 'replay', array(), array( 'job' => '7' ) );
		$this->wp( 'replay', array(), array( 'order' => '12' ) );

		$this->assertSame( array( 'parked', 'job:7', 'order:12' ), array_column( array_column( $this->events(), 'payload' ), 'target' ) );
		$this->assertSame( array( 'wp-cli' ), array_values( array_unique( array_column( $this->events(), 'origin' ) ) ) );
		foreach ( array( array(), array( 'parked' => true, 'job' => '7' ), array( 'job' => 'x' ) ) as $bad ) {
			list( , $error ) = $this->wp( 'replay', array(), $bad );
			$this->assertSame( 'Give exactly one of --parked, --order=<id>, --job=<id> (ids are positive numbers).', $error );
		}
		$this->assertCount( 3, $this->events() );
	}

	public function test_resync_queues_an_existing_order_and_refuses_others() {
		$order_id = WC_Stand_In_Order_Flows::classic_checkout( $this->order_args( $this->products() ) );
		$this->end_request();

		list( $out ) = $this->wp( 'resync', array( (string) $order_id ) );
		list( , $error ) = $this->wp( 'resync', array( '99999' ) );

		$this->assertSame( array( "Success: Order $order_id queued to be sent again." ), $out );
		$this->assertSame( 'There is no order 99999.', $error );
		$event = array_slice( $this->events(), -1 )[0];
		$this->assertSame( 'command.resync', $event['kind'] );
		$this->assertSame( array( 'order_id' => $order_id ), $event['payload'] );
	}

	public function test_status_tells_whether_the_agent_runs_and_lists_parked_work() {
		$this->agent_beats( 2 );
		$this->agent_writes( 'snapshot', array( 'queue' => array( 'pending' => 1, 'running' => 0, 'parked' => 1, 'held' => 0 ), 'parked' => array( array( 'job_id' => 7, 'order_id' => 124, 'kind' => 'order.created', 'reason' => 'unknown SKU GIFT-WRAP (line 2)' ) ) ) );

		list( $out ) = $this->wp( 'status' );

		$this->assertMatchesRegularExpression( '/^Agent: +running \(heartbeat [2-4] s ago, version 0\.1\.0\)$/', $out[0] );
		$this->assertSame( 'Hand-off:    pure-PHP fallback', $out[1] );
		$this->assertContains( 'Parked:      1', $out );
		$this->assertContains( '  parked job 7 (order 124, order.created): unknown SKU GIFT-WRAP (line 2)', $out );
	}

	public function test_order_changes_made_from_wp_cli_have_origin_wp_cli() {
		$order_id = WC_Stand_In_Order_Flows::classic_checkout( $this->order_args( $this->products() ) );
		$this->end_request();

		wc_get_order( $order_id )->update_status( 'completed' );
		$this->end_request();

		$this->assertSame( array( 'wp-cli', 'wp-cli' ), array_column( $this->events(), 'origin' ) );
		$this->assertMatchesFixture( 'order-updated-wp-cli', $this->events()[1] );
	}
}
