<?php
/**
 * The PHP side of the event schema refuses what agent/formats/src/event.rs refuses, for the same
 * reasons, and the events it makes are valid.
 */
final class EventSchemaTest extends ML_Connector_Test_Case {

	public function test_refuses_what_the_rust_schema_refuses_with_the_reason() {
		$cases = array(
			'{"schema":2,"kind":"order.created","object_id":1,"origin":"x","occurred_at":"t"}'                 => 'version 2',
			'{"schema":1,"kind":"order.eaten","object_id":1,"origin":"x","occurred_at":"t"}'                   => 'unknown variant',
			'{"schema":1,"kind":"order.created","object_id":0,"origin":"x","occurred_at":"t"}'                 => 'positive object_id',
			'{"schema":1,"kind":"order.created","object_id":1,"origin":"x","occurred_at":"t","payload":[1]}'   => 'JSON object',
			'{"schema":1,"kind":"order.created","object_id":1,"origin":" ","occurred_at":"t"}'                 => 'origin',
			'{"schema":1,"kind":"order.created","object_id":1,"origin":"x","occurred_at":"t","extra":1}'       => 'unknown field',
			'not json'                                                                                         => 'not valid JSON',
			'{"schema":1,"kind":"order.created","object_id":1,"origin":"x"}'                                   => 'missing field `occurred_at`',
			'{"schema":1,"kind":"order.created","object_id":1.5,"origin":"x","occurred_at":"t"}'               => 'object_id must be an integer',
			'{"schema":1,"kind":"order.created","object_id":1,"origin":"x","occurred_at":"t","hooks":[1]}'     => 'hooks must be a list of strings',
		);
		foreach ( $cases as $json => $reason ) {
			$this->assertStringContainsString( $reason, (string) ML_Connector_Event::problem( $json ), $json );
		}
	}

	public function test_refuses_events_over_four_megabytes() {
		$event = ML_Connector_Event::make( 'order.updated', 1, 'admin', array( 'id' => 1, 'note' => str_repeat( 'x', ML_Connector_Event::MAX_BYTES ) ) );

		$this->assertStringContainsString( 'more than the 4194304 allowed', ML_Connector_Event::problem( ML_Connector_Event::to_json( $event ) ) );
	}

	public function test_commands_need_no_object_and_an_empty_payload_is_an_object() {
		$event = ML_Connector_Event::to_json( ML_Connector_Event::make( 'settings.updated', 0, 'admin', array() ) );

		$this->assertNull( ML_Connector_Event::problem( $event ) );
		$this->assertStringContainsString( '"payload":{}', $event );
	}

	public function test_optional_fields_are_left_out_when_empty() {
		$event = ML_Connector_Event::make( 'command.check', 0, 'admin', array( 'request_id' => 'r' ) );

		$this->assertSame( array( 'schema', 'kind', 'object_id', 'origin', 'occurred_at', 'payload' ), array_keys( $event ) );
	}

	public function test_every_fixture_is_a_valid_event() {
		$fixtures = glob( self::FIXTURES . '*.json' );
		$this->assertNotEmpty( $fixtures );
		foreach ( $fixtures as $file ) {
			$this->assertSame( array(), Event_Schema_Check::problems( json_decode( file_get_contents( $file ), true ) ), basename( $file ) );
		}
	}
}
