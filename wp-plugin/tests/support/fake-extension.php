<?php
/**
 * A stand-in for the ml_connector PHP extension's functions (docs/php-api.md), loaded only by
 * ExtensionHandOffTest in its own processes. Records every call; answers are set per test.
 */

$GLOBALS['ml_connector_fake'] = array(
	'calls'         => array(),
	'enqueue'       => 1,        // next sequence number, null to fail, 'throw' to throw
	'encrypt'       => true,     // false: answer null
	'last_error'    => null,
	'order_sync'    => array(),
	'agent_status'  => array(),
);

function ml_connector_fake_call( $name, array $args ) {
	$GLOBALS['ml_connector_fake']['calls'][] = array( $name, $args );
}

function ml_connector_enqueue( string $event_json ): ?int {
	ml_connector_fake_call( 'enqueue', array( $event_json ) );
	$next = $GLOBALS['ml_connector_fake']['enqueue'];
	if ( 'throw' === $next ) {
		throw new RuntimeException( 'extension panicked' );
	}
	if ( null !== $next ) {
		++$GLOBALS['ml_connector_fake']['enqueue'];
	}
	return $next;
}

function ml_connector_last_error(): ?string {
	return $GLOBALS['ml_connector_fake']['last_error'];
}

function ml_connector_encrypt( string $purpose, string $plaintext ): ?string {
	ml_connector_fake_call( 'encrypt', array( $purpose ) );
	return $GLOBALS['ml_connector_fake']['encrypt'] ? 'mlc1:cafebabe:' . base64_encode( hash( 'sha256', $purpose . $plaintext, true ) ) : null;
}

function ml_connector_put_setting( string $name, string $json ): bool {
	ml_connector_fake_call( 'put_setting', array( $name, $json ) );
	return true;
}

function ml_connector_status(): array {
	return array( 'extension_version' => '0.1.0', 'spool_path' => '/var/lib/ml-connector/spool/spool.db', 'spool_ok' => true, 'spool_error' => null, 'queue_depth' => 4, 'key_path' => '/etc/ml-connector/vault.key', 'key_ok' => true, 'key_id' => 'cafebabe', 'wake_socket' => '/run/ml-connector/agent.sock', 'agent_listening' => true, 'heartbeat' => null, 'heartbeat_at' => null, 'snapshot' => null, 'snapshot_at' => null );
}

function ml_connector_agent_status( string $name ): ?array {
	return isset( $GLOBALS['ml_connector_fake']['agent_status'][ $name ] ) ? $GLOBALS['ml_connector_fake']['agent_status'][ $name ] : null;
}

function ml_connector_order_sync( array $order_ids ): array {
	ml_connector_fake_call( 'order_sync', array( $order_ids ) );
	return array_intersect_key( $GLOBALS['ml_connector_fake']['order_sync'], array_flip( $order_ids ) );
}

function ml_connector_wake(): string {
	return 'sent';
}
