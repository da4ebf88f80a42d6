<?php
/**
 * The event schema (agent/formats/src/event.rs), checked from PHP: what the Rust side requires
 * (through the plugin's own ML_Connector_Event::problem) plus what the hook events promise — the
 * payload is the object (its id is object_id), a refund names its order, an object event lists
 * its hooks, timestamps have the spool's formats. The JSON fixtures of the flow tests are also
 * read by a Rust test with Event::from_json.
 */
final class Event_Schema_Check {

	/** @return string[] everything wrong with the event; empty when it is valid */
	public static function problems( array $event ) {
		$json     = json_encode( $event );
		$problems = array();
		$problem  = ML_Connector_Event::problem( $json );
		if ( null !== $problem ) {
			$problems[] = $problem;
		}
		foreach ( array( 'schema', 'kind', 'object_id', 'origin', 'occurred_at', 'payload' ) as $field ) {
			if ( ! array_key_exists( $field, $event ) ) {
				$problems[] = "missing $field";
			}
		}
		if ( isset( $event['occurred_at'] ) && ! preg_match( '/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/', $event['occurred_at'] ) ) {
			$problems[] = 'occurred_at is not UTC RFC 3339 with milliseconds';
		}
		if ( isset( $event['modified_gmt'] ) && ! preg_match( '/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/', $event['modified_gmt'] ) ) {
			$problems[] = 'modified_gmt is not a REST date';
		}
		$kind = isset( $event['kind'] ) ? $event['kind'] : '';
		if ( ! empty( ML_Connector_Event::KINDS[ $kind ] ) ) {
			if ( ! isset( $event['payload']['id'] ) || $event['payload']['id'] !== $event['object_id'] ) {
				$problems[] = 'payload id is not object_id';
			}
			if ( empty( $event['hooks'] ) ) {
				$problems[] = 'an object event lists the hooks it coalesces';
			}
		}
		if ( 0 === strpos( $kind, 'refund.' ) && empty( $event['parent_id'] ) ) {
			$problems[] = 'a refund event carries parent_id';
		}
		return $problems;
	}
}
