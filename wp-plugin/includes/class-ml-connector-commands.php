<?php
/**
 * ML_Connector_Commands: what WordPress asks of the agent besides WooCommerce changes, sent as
 * events with object_id 0 through the channel (docs/php-api.md): a live check of the connection,
 * a replay of parked work, a resync of one order, and "settings changed, reload them".
 *
 * @package ML_Connector
 */

defined( 'ABSPATH' ) || exit;

final class ML_Connector_Commands {

	/** @var ML_Connector_Channel */
	private $channel;

	public function __construct( ML_Connector_Channel $channel ) {
		$this->channel = $channel;
	}

	/**
	 * command.check; the agent answers in agent_status under check:<request id>.
	 *
	 * @return string|null the request id, or null when it could not be queued
	 */
	public function check( $origin ) {
		$request_id = bin2hex( random_bytes( 16 ) );
		return $this->send( 'command.check', array( 'request_id' => $request_id ), $origin ) ? $request_id : null;
	}

	/**
	 * command.replay.
	 *
	 * @param string $target 'parked', 'job:<id>' or 'order:<id>'
	 */
	public function replay( $target, $origin ) {
		if ( ! self::is_replay_target( $target ) ) {
			return false;
		}
		return $this->send( 'command.replay', array( 'target' => $target ), $origin );
	}

	/** command.resync: send the order again as it is now. */
	public function resync( $order_id, $origin ) {
		return $order_id > 0 && $this->send( 'command.resync', array( 'order_id' => (int) $order_id ), $origin );
	}

	/** settings.updated: the agent reloads the `site` settings document. */
	public function settings_updated( $origin ) {
		return $this->send( 'settings.updated', array( 'name' => 'site' ), $origin );
	}

	public static function is_replay_target( $target ) {
		return 'parked' === $target || (bool) preg_match( '/^(job|order):[1-9][0-9]*$/', (string) $target );
	}

	private function send( $kind, array $payload, $origin ) {
		try {
			return null !== $this->channel->enqueue( ML_Connector_Event::to_json( ML_Connector_Event::make( $kind, 0, $origin, $payload ) ) );
		} catch ( ML_Connector_Error $e ) {
			ML_Connector_Log::error( "$kind not sent: " . $e->getMessage() );
			return false;
		}
	}
}
