<?php
/**
 * The fallback's openssl envelope is agent/formats/src/envelope.rs's: it reproduces the fixed
 * vectors byte for byte, opens them, binds the purpose, and reads key files the same way.
 */
final class EnvelopeTest extends ML_Connector_Test_Case {

	public function test_sealing_with_the_vector_nonce_reproduces_every_vector_exactly() {
		$vectors  = self::vectors();
		$envelope = ML_Connector_Envelope::parse( $vectors['key_file'], 'vectors' );

		foreach ( $vectors['vectors'] as $vector ) {
			$this->assertSame( $vector['envelope'], $envelope->seal_with_nonce( $vector['purpose'], $vector['plaintext'], hex2bin( $vector['nonce_hex'] ) ) );
		}
	}

	public function test_the_vectors_open_and_only_for_their_purpose() {
		$vectors  = self::vectors();
		$envelope = ML_Connector_Envelope::parse( $vectors['key_file'], 'vectors' );
		$vector   = $vectors['vectors'][0];

		$this->assertSame( $vector['plaintext'], $envelope->open( $vector['purpose'], $vector['envelope'] ) );
		$this->expectExceptionMessage( 'envelope does not decrypt: wrong key, wrong purpose, or damaged data' );
		$envelope->open( 'woo.consumer_secret', $vector['envelope'] );
	}

	public function test_sealing_uses_a_fresh_nonce_and_opens_again() {
		$envelope = ML_Connector_Envelope::from_key_file( $this->key_path );

		$first  = $envelope->seal( 'nav.client_secret', 's3cr3t' );
		$second = $envelope->seal( 'nav.client_secret', 's3cr3t' );

		$this->assertNotSame( $first, $second );
		$this->assertStringStartsWith( 'mlc1:0a1b2c3d:', $first );
		$this->assertStringNotContainsString( 's3cr3t', $first );
		$this->assertSame( 's3cr3t', $envelope->open( 'nav.client_secret', $second ) );
	}

	public function test_damaged_or_foreign_envelopes_are_refused() {
		$envelope = ML_Connector_Envelope::parse( self::vectors()['key_file'], 'vectors' );
		$good     = self::vectors()['vectors'][0]['envelope'];
		$tampered = substr( $good, 0, -6 ) . ( 'A' === $good[ strlen( $good ) - 6 ] ? 'B' : 'A' ) . substr( $good, -5 );
		foreach ( array( '', 'mlc1:', 'mlc1:0a1b2c3d', 'mlc1:0a1b2c3d:!!', 'mlc1:0a1b2c3d:AAAA', 'plain secret', 'mlc1:ffffffff:' . substr( $good, 14 ), $tampered ) as $bad ) {
			try {
				$envelope->open( 'nav_client_secret', $bad );
				$this->fail( "opened $bad" );
			} catch ( ML_Connector_Error $e ) {
				$this->assertNotEmpty( $e->getMessage() );
			}
		}
	}

	public function test_malformed_key_files_are_refused_like_the_rust_side() {
		$bad_files = array(
			''                                                                         => 'holds no key',
			'# only a comment'                                                         => 'holds no key',
			'mlc-key zz AAAA'                                                          => 'key id must be 8 hex digits',
			'mlc-key 0a1b2c3d AAAA'                                                    => 'key must be 32 bytes',
			'other 0a1b2c3d AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8='              => 'expected `mlc-key <id> <base64 key>`',
			'mlc-key 0a1b2c3d !!!'                                                     => 'key is not base64',
			"mlc-key 0a1b2c3d AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\nmlc-key 0A1B2C3D AQECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=" => 'line 2: key id appears twice',
		);
		foreach ( $bad_files as $text => $reason ) {
			try {
				ML_Connector_Envelope::parse( $text, 'vault.key' );
				$this->fail( "parsed $text" );
			} catch ( ML_Connector_Error $e ) {
				$this->assertStringContainsString( $reason, $e->getMessage() );
				$this->assertStringNotContainsString( 'AAECAwQF', $e->getMessage(), 'key material never in messages' );
			}
		}
	}

	public function test_the_last_key_seals_and_every_key_opens() {
		$old      = ML_Connector_Envelope::parse( self::vectors()['key_file'], 'old' );
		$rotated  = ML_Connector_Envelope::parse( self::vectors()['key_file'] . "# rotated\nmlc-key 11223344 " . base64_encode( str_repeat( "\x42", 32 ) ) . "\n", 'rotated' );
		$sealed   = $rotated->seal( 'p', 'new' );

		$this->assertSame( '11223344', $rotated->active_key_id() );
		$this->assertStringStartsWith( 'mlc1:11223344:', $sealed );
		$this->assertSame( 's3cr3t', $rotated->open( 'nav_client_secret', self::vectors()['vectors'][0]['envelope'] ) );
		$this->expectExceptionMessage( 'envelope was made with key 11223344, which is not in the key file' );
		$old->open( 'p', $sealed );
	}

	public function test_the_vault_refuses_without_a_readable_key_and_says_why() {
		unlink( $this->key_path );
		$vault = new ML_Connector_Vault();

		$this->assertNull( $vault->encrypt( 'nav.client_secret', 's3cr3t' ) );
		$this->assertSame( 'key file ' . $this->key_path . ' is missing or not readable by the web server', $vault->last_error() );
		$this->assertStringNotContainsString( 's3cr3t', $this->log() );
	}
}
