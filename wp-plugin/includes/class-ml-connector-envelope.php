<?php
/**
 * ML_Connector_Envelope: the encryption envelope of agent/formats/src/envelope.rs, made with PHP's
 * openssl (AES-256-GCM), for when the extension is not loaded.
 *
 *     mlc1:<key id, 8 hex>:<base64( nonce[12] || ciphertext || tag[16] )>
 *
 * The associated data is `mlc1:<key id>:<purpose>`, so a secret sealed for one purpose (say
 * `nav.client_secret`) does not open as another. The key file holds lines
 * `mlc-key <key id> <base64 of 32 bytes>`; the last key seals, every key opens.
 *
 * @package ML_Connector
 */

defined( 'ABSPATH' ) || exit;

final class ML_Connector_Envelope {

	const PREFIX    = 'mlc1';
	const CIPHER    = 'aes-256-gcm';
	const NONCE_LEN = 12;
	const TAG_LEN   = 16;

	/** @var array<string, string> key id => 32 raw bytes, in file order (the last one seals) */
	private $keys;

	private function __construct( array $keys ) {
		$this->keys = $keys;
	}

	/** @throws ML_Connector_Error when the file is missing, unreadable or malformed. */
	public static function from_key_file( $path ) {
		if ( ! is_readable( $path ) ) {
			throw new ML_Connector_Error( "key file $path is missing or not readable by the web server" );
		}
		$text = file_get_contents( $path ); // phpcs:ignore WordPress.WP.AlternativeFunctions.file_get_contents_file_get_contents
		if ( false === $text ) {
			throw new ML_Connector_Error( "key file $path could not be read" );
		}
		return self::parse( $text, $path );
	}

	/** @throws ML_Connector_Error naming the line that is wrong (never its key material). */
	public static function parse( $text, $origin ) {
		$keys = array();
		foreach ( preg_split( '/\r?\n/', $text ) as $index => $line ) {
			$line = trim( $line );
			if ( '' === $line || '#' === $line[0] ) {
				continue;
			}
			$fields = preg_split( '/\s+/', $line );
			$where  = sprintf( 'key file %s line %d: ', $origin, $index + 1 );
			if ( 3 !== count( $fields ) || 'mlc-key' !== $fields[0] ) {
				throw new ML_Connector_Error( $where . 'expected `mlc-key <id> <base64 key>`' );
			}
			if ( ! preg_match( '/^[0-9a-fA-F]{8}$/', $fields[1] ) ) {
				throw new ML_Connector_Error( $where . 'key id must be 8 hex digits' );
			}
			$material = base64_decode( $fields[2], true );
			if ( false === $material ) {
				throw new ML_Connector_Error( $where . 'key is not base64' );
			}
			if ( 32 !== strlen( $material ) ) {
				throw new ML_Connector_Error( $where . 'key must be 32 bytes' );
			}
			if ( isset( $keys[ strtolower( $fields[1] ) ] ) ) {
				// As the Rust reader: which of the two would open an envelope is anyone's guess.
				throw new ML_Connector_Error( $where . 'key id appears twice; every key needs its own id' );
			}
			$keys[ strtolower( $fields[1] ) ] = $material;
		}
		if ( ! $keys ) {
			throw new ML_Connector_Error( "key file $origin holds no key" );
		}
		return new self( $keys );
	}

	public function active_key_id() {
		$ids = array_keys( $this->keys );
		return (string) end( $ids );
	}

	/** Seals with a fresh random nonce under the newest key. */
	public function seal( $purpose, $plaintext ) {
		return $this->seal_with_nonce( $purpose, $plaintext, random_bytes( self::NONCE_LEN ) );
	}

	/**
	 * Seals with the given nonce. Only seal() may choose nonces in production (a nonce must never
	 * repeat under one key); the fixed-vector test calls this directly.
	 *
	 * @throws ML_Connector_Error when openssl refuses (it never should for a 32-byte key).
	 */
	public function seal_with_nonce( $purpose, $plaintext, $nonce ) {
		$key_id     = $this->active_key_id();
		$tag        = '';
		$ciphertext = openssl_encrypt( $plaintext, self::CIPHER, $this->keys[ $key_id ], OPENSSL_RAW_DATA, $nonce, $tag, self::associated_data( $key_id, $purpose ), self::TAG_LEN );
		if ( false === $ciphertext ) {
			throw new ML_Connector_Error( 'openssl could not encrypt with ' . self::CIPHER );
		}
		return self::PREFIX . ':' . $key_id . ':' . base64_encode( $nonce . $ciphertext . $tag );
	}

	/** @throws ML_Connector_Error when it is no envelope, the key is unknown, or it does not open. */
	public function open( $purpose, $envelope ) {
		$parts = explode( ':', trim( $envelope ), 3 );
		if ( 3 !== count( $parts ) || self::PREFIX !== $parts[0] ) {
			throw new ML_Connector_Error( 'not an encryption envelope (expected `mlc1:<key id>:<data>`)' );
		}
		$key_id = strtolower( $parts[1] );
		if ( ! isset( $this->keys[ $key_id ] ) ) {
			throw new ML_Connector_Error( "envelope was made with key {$parts[1]}, which is not in the key file" );
		}
		$data = base64_decode( $parts[2], true );
		if ( false === $data || strlen( $data ) < self::NONCE_LEN + self::TAG_LEN ) {
			throw new ML_Connector_Error( 'not an encryption envelope (expected `mlc1:<key id>:<data>`)' );
		}
		$nonce      = substr( $data, 0, self::NONCE_LEN );
		$tag        = substr( $data, -self::TAG_LEN );
		$ciphertext = substr( $data, self::NONCE_LEN, -self::TAG_LEN );
		$plaintext  = openssl_decrypt( $ciphertext, self::CIPHER, $this->keys[ $key_id ], OPENSSL_RAW_DATA, $nonce, $tag, self::associated_data( $key_id, $purpose ) );
		if ( false === $plaintext ) {
			throw new ML_Connector_Error( 'envelope does not decrypt: wrong key, wrong purpose, or damaged data' );
		}
		return $plaintext;
	}

	/** True when the text looks like an envelope (it may still fail to open). */
	public static function is_envelope( $text ) {
		return is_string( $text ) && 0 === strpos( $text, self::PREFIX . ':' );
	}

	private static function associated_data( $key_id, $purpose ) {
		return self::PREFIX . ':' . $key_id . ':' . $purpose;
	}
}
