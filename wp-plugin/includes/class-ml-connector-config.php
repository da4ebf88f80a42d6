<?php
/**
 * ML_Connector_Config: every tunable value, its documented default and the filter that changes it.
 * Paths default to the extension's php.ini values (when the extension is loaded its ini wins), so
 * the fallback and the extension always talk to the same spool, key file and socket.
 *
 * Filters (all optional):
 * - ml_connector_spool_path        (string) default ini ml_connector.spool_path or /var/lib/ml-connector/spool/spool.db
 * - ml_connector_key_path          (string) default ini ml_connector.key_path or /etc/ml-connector/vault.key
 * - ml_connector_wake_socket       (string) default ini ml_connector.wake_socket or /run/ml-connector/agent.sock
 * - ml_connector_busy_timeout_ms   (int)    default ini ml_connector.busy_timeout_ms or 250 — how long a checkout waits for a spool lock
 * - ml_connector_spool_durability  (string) 'full' (default, survives power loss) or 'normal' (survives crashes)
 * - ml_connector_draft_statuses    (array)  default checkout-draft, auto-draft, draft — orders in these statuses never produce events
 * - ml_connector_customer_roles    (array)  default customer, subscriber — users of other roles produce no customer events
 * - ml_connector_heartbeat_stale_after (int) default 30 seconds (the agent beats every 5 s)
 * - ml_connector_check_wait        (int)    default 60 seconds the Test connection button waits for the answer
 *
 * @package ML_Connector
 */

defined( 'ABSPATH' ) || exit;

final class ML_Connector_Config {

	const DEFAULT_SPOOL_PATH      = '/var/lib/ml-connector/spool/spool.db';
	const DEFAULT_KEY_PATH        = '/etc/ml-connector/vault.key';
	const DEFAULT_WAKE_SOCKET     = '/run/ml-connector/agent.sock';
	const DEFAULT_BUSY_TIMEOUT_MS = 250;

	public static function spool_path() {
		return (string) self::filter( 'ml_connector_spool_path', self::ini( 'ml_connector.spool_path', self::DEFAULT_SPOOL_PATH ) );
	}

	public static function key_path() {
		return (string) self::filter( 'ml_connector_key_path', self::ini( 'ml_connector.key_path', self::DEFAULT_KEY_PATH ) );
	}

	public static function wake_socket() {
		return (string) self::filter( 'ml_connector_wake_socket', self::ini( 'ml_connector.wake_socket', self::DEFAULT_WAKE_SOCKET ) );
	}

	public static function busy_timeout_ms() {
		return max( 0, (int) self::filter( 'ml_connector_busy_timeout_ms', (int) self::ini( 'ml_connector.busy_timeout_ms', self::DEFAULT_BUSY_TIMEOUT_MS ) ) );
	}

	/** @return string 'full' or 'normal' */
	public static function durability() {
		$durability = self::filter( 'ml_connector_spool_durability', self::ini( 'ml_connector.durability', 'full' ) );
		return 'normal' === $durability ? 'normal' : 'full';
	}

	/** @return string[] */
	public static function draft_statuses() {
		return array_map( 'strval', (array) self::filter( 'ml_connector_draft_statuses', array( 'checkout-draft', 'auto-draft', 'draft' ) ) );
	}

	/** @return string[] */
	public static function customer_roles() {
		return array_map( 'strval', (array) self::filter( 'ml_connector_customer_roles', array( 'customer', 'subscriber' ) ) );
	}

	public static function heartbeat_stale_after() {
		return max( 1, (int) self::filter( 'ml_connector_heartbeat_stale_after', 30 ) );
	}

	public static function check_wait() {
		return max( 5, (int) self::filter( 'ml_connector_check_wait', 60 ) );
	}

	public static function schema_file() {
		return dirname( __DIR__ ) . '/schema/spool.sql';
	}

	/** apply_filters when WordPress is loaded; the bare default otherwise (benchmarks load only includes/). */
	private static function filter( $name, $value ) {
		return function_exists( 'apply_filters' ) ? apply_filters( $name, $value ) : $value;
	}

	private static function ini( $name, $fallback ) {
		$value = ini_get( $name );
		return ( false === $value || '' === $value ) ? $fallback : $value;
	}
}
