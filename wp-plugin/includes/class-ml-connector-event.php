<?php
/**
 * ML_Connector_Event: the event format, schema 1, as defined once in agent/formats/src/event.rs —
 * building an event, encoding it, and checking JSON against the schema's rules (the fallback
 * refuses what the extension would refuse, so the spool only ever holds valid events).
 *
 *     {"schema":1,"kind":"order.created","object_id":1234,"origin":"checkout",
 *      "hooks":["woocommerce_new_order",...],"modified_gmt":"2026-11-28T10:00:00",
 *      "occurred_at":"2026-11-28T10:00:00.120Z","payload":{...REST v3 representation...}}
 *
 * @package ML_Connector
 */

defined( 'ABSPATH' ) || exit;

final class ML_Connector_Event {

	const SCHEMA = 1;

	/** Events larger than this are refused (event.rs MAX_EVENT_BYTES): megabytes mean a bug. */
	const MAX_BYTES = 4194304;

	/** Kind => whether it names a WooCommerce object (and so needs object_id > 0). */
	const KINDS = array(
		'order.created'    => true,
		'order.updated'    => true,
		'order.deleted'    => true,
		'order.restored'   => true,
		'refund.created'   => true,
		'refund.deleted'   => true,
		'customer.created' => true,
		'customer.updated' => true,
		'customer.deleted' => true,
		'bc.notification'  => false,
		'settings.updated' => false,
		'command.replay'   => false,
		'command.check'    => false,
		'command.resync'   => false,
	);

	const FIELDS = array( 'schema', 'kind', 'object_id', 'parent_id', 'origin', 'hooks', 'modified_gmt', 'occurred_at', 'payload' );

	/**
	 * A new event stamped now. Optional fields are left out when empty, as the Rust side writes them.
	 *
	 * @param array       $payload      The object's REST v3 representation or the command's arguments.
	 * @param string[]    $hooks        WordPress hooks coalesced into this event, in firing order.
	 * @param int|null    $parent_id    For a refund, its order.
	 * @param string|null $modified_gmt The object's date_modified_gmt (its version).
	 */
	public static function make( $kind, $object_id, $origin, array $payload, array $hooks = array(), $parent_id = null, $modified_gmt = null ) {
		$event = array(
			'schema'    => self::SCHEMA,
			'kind'      => $kind,
			'object_id' => (int) $object_id,
		);
		if ( null !== $parent_id ) {
			$event['parent_id'] = (int) $parent_id;
		}
		$event['origin'] = $origin;
		if ( $hooks ) {
			$event['hooks'] = array_values( $hooks );
		}
		if ( null !== $modified_gmt ) {
			$event['modified_gmt'] = $modified_gmt;
		}
		$event['occurred_at'] = self::utc_now();
		// An empty PHP array would encode as a JSON list; the schema wants an object.
		$event['payload'] = $payload ? $payload : new stdClass();
		return $event;
	}

	/** @throws ML_Connector_Error when the event cannot be encoded (e.g. a non-finite number). */
	public static function to_json( array $event ) {
		$json = json_encode( $event, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_INVALID_UTF8_SUBSTITUTE ); // phpcs:ignore WordPress.WP.AlternativeFunctions.json_encode_json_encode
		if ( false === $json ) {
			throw new ML_Connector_Error( 'event ' . $event['kind'] . ' ' . $event['object_id'] . ' cannot be encoded as JSON: ' . json_last_error_msg() );
		}
		return $json;
	}

	/**
	 * Why the event schema refuses this JSON, in the words of event.rs, or null when it is valid.
	 *
	 * @return string|null
	 */
	public static function problem( $json ) {
		if ( strlen( $json ) > self::MAX_BYTES ) {
			return sprintf( 'event is %d bytes, more than the %d allowed', strlen( $json ), self::MAX_BYTES );
		}
		$event = json_decode( $json );
		if ( ! $event instanceof stdClass ) {
			return 'event is not valid JSON of the event schema: not a JSON object';
		}
		foreach ( array_keys( get_object_vars( $event ) ) as $field ) {
			if ( ! in_array( $field, self::FIELDS, true ) ) {
				return "event is not valid JSON of the event schema: unknown field `$field`";
			}
		}
		foreach ( array( 'schema', 'kind', 'object_id', 'origin', 'occurred_at' ) as $field ) {
			if ( ! property_exists( $event, $field ) ) {
				return "event is not valid JSON of the event schema: missing field `$field`";
			}
		}
		return self::type_problem( $event );
	}

	private static function type_problem( stdClass $event ) {
		if ( ! is_int( $event->schema ) || $event->schema < 0 ) {
			return 'event is not valid JSON of the event schema: schema must be an unsigned integer';
		}
		if ( self::SCHEMA !== $event->schema ) {
			return sprintf( 'event schema version %d is not supported (this build reads version %d)', $event->schema, self::SCHEMA );
		}
		if ( ! is_string( $event->kind ) || ! array_key_exists( $event->kind, self::KINDS ) ) {
			return 'event is not valid JSON of the event schema: unknown variant of kind';
		}
		if ( ! is_int( $event->object_id ) ) {
			return 'event is not valid JSON of the event schema: object_id must be an integer';
		}
		if ( property_exists( $event, 'parent_id' ) && null !== $event->parent_id && ! is_int( $event->parent_id ) ) {
			return 'event is not valid JSON of the event schema: parent_id must be an integer';
		}
		if ( ! is_string( $event->origin ) ) {
			return 'event is not valid JSON of the event schema: origin must be a string';
		}
		if ( property_exists( $event, 'hooks' ) && ( ! is_array( $event->hooks ) || count( array_filter( $event->hooks, 'is_string' ) ) !== count( $event->hooks ) ) ) {
			return 'event is not valid JSON of the event schema: hooks must be a list of strings';
		}
		if ( property_exists( $event, 'modified_gmt' ) && null !== $event->modified_gmt && ! is_string( $event->modified_gmt ) ) {
			return 'event is not valid JSON of the event schema: modified_gmt must be a string';
		}
		if ( ! is_string( $event->occurred_at ) ) {
			return 'event is not valid JSON of the event schema: occurred_at must be a string';
		}
		if ( self::KINDS[ $event->kind ] && $event->object_id <= 0 ) {
			return sprintf( 'event %s needs a positive object_id, got %d', $event->kind, $event->object_id );
		}
		if ( property_exists( $event, 'payload' ) && null !== $event->payload && ! $event->payload instanceof stdClass ) {
			return sprintf( 'event %s needs a JSON object as payload', $event->kind );
		}
		if ( '' === trim( $event->origin ) ) {
			return 'event origin is empty';
		}
		return null;
	}

	/** Now, UTC, RFC 3339 with milliseconds — the one timestamp format of the spool. */
	public static function utc_now() {
		$now     = microtime( true );
		$seconds = (int) floor( $now );
		return gmdate( 'Y-m-d\TH:i:s', $seconds ) . sprintf( '.%03dZ', (int) ( ( $now - $seconds ) * 1000 ) );
	}
}
