<?php
/**
 * ML_Connector_Wake: after an event is durable, one datagram `wake <seq>` to the agent's Unix
 * socket (agent/formats/src/wake.rs) so it starts at once instead of at its next poll. Never
 * blocks: an absent agent or a full socket buffer only means the agent finds the event later.
 *
 * @package ML_Connector
 */

defined( 'ABSPATH' ) || exit;

final class ML_Connector_Wake {

	const SENT       = 'sent';
	const AGENT_DOWN = 'agent-down';
	const BUSY       = 'busy';
	const FAILED     = 'failed';

	/** @return string one of the outcome constants */
	public static function send( $socket_path, $seq ) {
		if ( ! file_exists( $socket_path ) ) {
			return self::AGENT_DOWN;
		}
		$message = 'wake ' . (int) $seq;
		return function_exists( 'socket_create' )
			? self::send_with_sockets( $socket_path, $message )
			: self::send_with_streams( $socket_path, $message );
	}

	private static function send_with_sockets( $socket_path, $message ) {
		$socket = @socket_create( AF_UNIX, SOCK_DGRAM, 0 ); // phpcs:ignore WordPress.PHP.NoSilencedErrors
		if ( false === $socket ) {
			return self::FAILED;
		}
		$sent  = @socket_sendto( $socket, $message, strlen( $message ), MSG_DONTWAIT, $socket_path ); // phpcs:ignore WordPress.PHP.NoSilencedErrors
		$error = false === $sent ? socket_last_error( $socket ) : 0;
		socket_close( $socket );
		if ( false !== $sent ) {
			return self::SENT;
		}
		return self::classify( $error );
	}

	/** Without ext-sockets: a udg stream opened with a zero timeout, written without blocking. */
	private static function send_with_streams( $socket_path, $message ) {
		$errno  = 0;
		$errstr = '';
		$stream = @stream_socket_client( 'udg://' . $socket_path, $errno, $errstr, 0 ); // phpcs:ignore WordPress.PHP.NoSilencedErrors
		if ( false === $stream ) {
			return self::classify( $errno );
		}
		stream_set_blocking( $stream, false );
		$written = @fwrite( $stream, $message ); // phpcs:ignore WordPress.PHP.NoSilencedErrors, WordPress.WP.AlternativeFunctions.file_system_read_fwrite
		fclose( $stream ); // phpcs:ignore WordPress.WP.AlternativeFunctions.file_system_read_fclose
		return strlen( $message ) === $written ? self::SENT : self::BUSY;
	}

	/**
	 * ENOENT / ECONNREFUSED: nobody listening; EAGAIN: the agent's buffer is full. The numbers are
	 * the platform's (ext-sockets constants), Linux values when ext-sockets is absent.
	 */
	private static function classify( $errno ) {
		$down = array( defined( 'SOCKET_ENOENT' ) ? SOCKET_ENOENT : 2, defined( 'SOCKET_ECONNREFUSED' ) ? SOCKET_ECONNREFUSED : 111 );
		if ( in_array( $errno, $down, true ) ) {
			return self::AGENT_DOWN;
		}
		return ( defined( 'SOCKET_EAGAIN' ) ? SOCKET_EAGAIN : 11 ) === $errno ? self::BUSY : self::FAILED;
	}
}
