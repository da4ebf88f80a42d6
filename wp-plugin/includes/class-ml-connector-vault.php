<?php
/**
 * ML_Connector_Vault: turns a secret typed into wp-admin into an encryption envelope the agent can
 * open — with the extension's ml_connector_encrypt() when loaded, else with the fallback's openssl
 * envelope if the key file is readable by the web server. When neither works it says why and
 * returns null: a secret is never stored in clear.
 *
 * The purpose of each secret is its path in the settings document (`nav.client_secret`,
 * `nav.access_key`, `woo.consumer_secret`).
 *
 * @package ML_Connector
 */

defined( 'ABSPATH' ) || exit;

final class ML_Connector_Vault {

	/** @var string|null */
	private $last_error;

	/** @return string|null the envelope, or null (see last_error()) */
	public function encrypt( $purpose, $plaintext ) {
		$this->last_error = null;
		try {
			if ( function_exists( 'ml_connector_encrypt' ) ) {
				$envelope = ml_connector_encrypt( $purpose, $plaintext );
				if ( ! ML_Connector_Envelope::is_envelope( $envelope ) ) {
					$reason           = function_exists( 'ml_connector_last_error' ) ? ml_connector_last_error() : null;
					$this->last_error = $reason ? $reason : __( 'the ml_connector extension could not encrypt it', 'ml-connector' );
					return null;
				}
				return $envelope;
			}
			return ML_Connector_Envelope::from_key_file( ML_Connector_Config::key_path() )->seal( $purpose, $plaintext );
		} catch ( Throwable $e ) {
			$this->last_error = $e->getMessage();
			ML_Connector_Log::error( "could not encrypt $purpose: " . $e->getMessage() );
			return null;
		}
	}

	/** Why the last encrypt() returned null, in plain words (never the secret). */
	public function last_error() {
		return $this->last_error;
	}
}
