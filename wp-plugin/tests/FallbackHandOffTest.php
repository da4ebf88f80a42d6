<?php
/**
 * The pure-PHP fallback: the spool it creates is schema/spool.sql itself (user_version 1, WAL),
 * its rows are what the schema accepts (producer php-fallback), it refuses invalid events, wakes
 * a listening agent without blocking — and a checkout always completes, whatever is broken.
 */
final class FallbackHandOffTest extends ML_Connector_Test_Case {

	private function checkout() {
		return WC_Stand_In_Order_Flows::classic_checkout( $this->order_args( $this->products() ) );
	}

	public function test_the_spool_is_created_from_schema_spool_sql_with_user_version_1_in_wal_mode() {
		$this->checkout();
		$this->end_request();

		$pdo = new PDO( 'sqlite:' . $this->spool_path );
		$this->assertSame( 1, (int) $pdo->query( 'PRAGMA user_version' )->fetchColumn() );
		$this->assertSame( 'wal', $pdo->query( 'PRAGMA journal_mode' )->fetchColumn() );
		$reference = new PDO( 'sqlite::memory:' );
		$reference->exec( file_get_contents( dirname( __DIR__ ) . '/schema/spool.sql' ) );
		$schema = 'SELECT name, sql FROM sqlite_master WHERE type = "table" ORDER BY name';
		$this->assertSame( $reference->query( $schema )->fetchAll( PDO::FETCH_ASSOC ), $pdo->query( $schema )->fetchAll( PDO::FETCH_ASSOC ) );
	}

	public function test_spooled_rows_are_what_the_schema_expects() {
		$order_id = $this->checkout();
		$this->end_request();

		$rows = $this->spool_rows();
		$this->assertCount( 1, $rows );
		$this->assertSame( 'order.created', $rows[0]['kind'] );
		$this->assertSame( $order_id, (int) $rows[0]['object_id'] );
		$this->assertSame( 'php-fallback', $rows[0]['producer'] );
		$this->assertMatchesRegularExpression( '/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/', $rows[0]['enqueued_at'] );
		$this->assertNull( ML_Connector_Event::problem( $rows[0]['body'] ) );
	}

	public function test_the_fallback_entry_point_returns_sequence_numbers_and_refuses_invalid_events() {
		$event = ML_Connector_Event::to_json( ML_Connector_Event::make( 'command.check', 0, 'admin', array( 'request_id' => 'r1' ) ) );

		$first  = ml_connector_fallback_enqueue( $event );
		$second = ml_connector_fallback_enqueue( $event );
		$refused = ml_connector_fallback_enqueue( '{"schema":1,"kind":"order.created","object_id":0,"origin":"x","occurred_at":"t"}' );

		$this->assertSame( $first + 1, $second );
		$this->assertNull( $refused );
		$this->assertCount( 2, $this->spool_rows() );
		$this->assertStringContainsString( 'ml_connector: event not handed over (the agent\'s reconciliation will pick it up): event order.created needs a positive object_id, got 0', $this->log() );
	}

	public function test_checkout_completes_when_the_spool_is_unwritable() {
		// A directory that cannot exist (its parent is a file): unwritable even for root.
		file_put_contents( $this->dir . '/not-a-directory', '' );
		$this->spool_path = $this->dir . '/not-a-directory/spool.db';

		$order_id = $this->checkout();
		$this->end_request();

		$this->assertSame( 'processing', wc_get_order( $order_id )->get_status() );
		$this->assertFileDoesNotExist( $this->spool_path );
		$this->assertStringContainsString( 'ml_connector: event not handed over (the agent\'s reconciliation will pick it up): spool ' . $this->spool_path, $this->log() );
	}

	public function test_checkout_completes_when_the_spool_is_not_a_database() {
		file_put_contents( $this->spool_path, str_repeat( 'not sqlite ', 100 ) );

		$order_id = $this->checkout();
		$this->end_request();

		$this->assertSame( 'processing', wc_get_order( $order_id )->get_status() );
		$this->assertStringContainsString( 'ml_connector: event not handed over', $this->log() );
	}

	public function test_a_spool_of_a_newer_schema_is_left_alone() {
		$pdo = new PDO( 'sqlite:' . $this->spool_path );
		$pdo->exec( 'PRAGMA user_version = 2' );
		$pdo = null;

		$this->checkout();
		$this->end_request();

		$this->assertStringContainsString( 'has schema version 2; this plugin knows up to 1 (update the plugin)', $this->log() );
	}

	public function test_checkout_completes_when_the_key_file_is_missing() {
		unlink( $this->key_path );

		$order_id = $this->checkout();
		$this->end_request();

		$this->assertSame( 'processing', wc_get_order( $order_id )->get_status() );
		$this->assertCount( 1, $this->events(), 'the order path needs no key' );
	}

	public function test_checkout_completes_when_the_agent_is_down_and_says_so_once() {
		$this->checkout();
		$this->checkout();
		$this->end_request();

		$this->assertCount( 2, $this->events() );
		$this->assertSame( 1, substr_count( $this->log(), 'ml_connector: agent is not listening on ' . $this->socket_path . '; event 1 waits in the spool until it starts' ) );
		$this->assertStringNotContainsString( 'event 2 waits', $this->log() );
	}

	public function test_a_listening_agent_is_woken_with_the_sequence_number() {
		$agent = socket_create( AF_UNIX, SOCK_DGRAM, 0 );
		socket_bind( $agent, $this->socket_path );
		socket_set_nonblock( $agent );

		$this->checkout();
		$this->end_request();
		$received = socket_read( $agent, 64 );
		socket_close( $agent );

		$this->assertSame( 'wake 1', $received );
		$this->assertStringNotContainsString( 'not listening', $this->log() );
	}

	public function test_a_stale_socket_file_counts_as_agent_down() {
		$agent = socket_create( AF_UNIX, SOCK_DGRAM, 0 );
		socket_bind( $agent, $this->socket_path );
		socket_close( $agent );

		$this->assertSame( ML_Connector_Wake::AGENT_DOWN, ML_Connector_Wake::send( $this->socket_path, 5 ) );
	}

	public function test_the_fallback_reads_what_the_agent_writes() {
		$this->checkout();
		$this->end_request();
		$pdo = new PDO( 'sqlite:' . $this->spool_path );
		$pdo->exec( "INSERT INTO agent_status (name, value, updated_at) VALUES ('heartbeat', '{\"at\":\"2026-11-28T10:00:00.000Z\",\"pid\":1,\"version\":\"0.1.0\"}', '2026-11-28T10:00:00.000Z')" );
		$pdo->exec( "INSERT INTO order_sync (order_id, state, nav_number, reason, updated_at) VALUES (105, 'synced', 'S-ORD101001', NULL, '2026-11-28T10:00:01.000Z')" );
		$channel = new ML_Connector_Channel();

		$this->assertSame( '2026-11-28T10:00:00.000Z', $channel->agent_status( 'heartbeat' )['updated_at'] );
		$this->assertNull( $channel->agent_status( 'check:nope' ) );
		$this->assertSame( array( 105 => array( 'state' => 'synced', 'nav_number' => 'S-ORD101001', 'reason' => null, 'updated_at' => '2026-11-28T10:00:01.000Z' ) ), $channel->order_sync( array( 105, 999 ) ) );
		$this->assertSame( 1, $channel->state()['queue_depth'] );
	}

	public function test_reading_before_any_spool_exists_creates_nothing() {
		$channel = new ML_Connector_Channel();

		$this->assertNull( $channel->agent_status( 'heartbeat' ) );
		$this->assertSame( array(), $channel->order_sync( array( 1 ) ) );
		$this->assertFalse( $channel->state()['spool_ok'] );
		$this->assertFileDoesNotExist( $this->spool_path );
	}

	public function test_without_ext_sockets_the_wake_goes_through_a_udg_stream() {
		$send_with_streams = new ReflectionMethod( ML_Connector_Wake::class, 'send_with_streams' );
		$send_with_streams->setAccessible( true );
		$this->assertSame( ML_Connector_Wake::AGENT_DOWN, $send_with_streams->invoke( null, $this->socket_path, 'wake 3' ) );
		$agent = socket_create( AF_UNIX, SOCK_DGRAM, 0 );
		socket_bind( $agent, $this->socket_path );
		socket_set_nonblock( $agent );

		$outcome  = $send_with_streams->invoke( null, $this->socket_path, 'wake 3' );
		$received = socket_read( $agent, 64 );
		socket_close( $agent );

		$this->assertSame( ML_Connector_Wake::SENT, $outcome );
		$this->assertSame( 'wake 3', $received );
	}
}
