<?php
/**
 * ML_Connector_Settings_Document: the site settings document (docs/settings.md, schema 1) the agent
 * reads — built from the saved settings and the agent's provisioned WooCommerce access, written to
 * the spool under the name `site` and announced with a `settings.updated` event so the agent
 * reloads at once. Only the fields of the chosen deployment are written; empty optional values
 * are left out so the agent's own defaults (or agent.toml, which wins) apply.
 *
 * @package ML_Connector
 */

defined( 'ABSPATH' ) || exit;

final class ML_Connector_Settings_Document {

	const SCHEMA = 1;
	const NAME   = 'site';

	/** Fields of the `nav` section each deployment uses (login_url and api_url only when set: Microsoft's otherwise). */
	const NAV_FIELDS = array(
		'bc_online'  => array( 'tenant', 'environment', 'company', 'client_id', 'client_secret', 'login_url', 'api_url' ),
		'bc_onprem'  => array( 'base_url', 'company', 'user', 'access_key' ),
		'nav_onprem' => array( 'base_url', 'company', 'user', 'access_key', 'pages' ),
	);

	/** @var ML_Connector_Settings */
	private $settings;

	/** @var ML_Connector_Agent_Access */
	private $agent_access;

	/** @var ML_Connector_Channel */
	private $channel;

	/** @var ML_Connector_Commands */
	private $commands;

	public function __construct( ML_Connector_Settings $settings, ML_Connector_Agent_Access $agent_access, ML_Connector_Channel $channel, ML_Connector_Commands $commands ) {
		$this->settings     = $settings;
		$this->agent_access = $agent_access;
		$this->channel      = $channel;
		$this->commands     = $commands;
	}

	public function build() {
		$settings = $this->settings->get();
		$nav      = array();
		foreach ( self::NAV_FIELDS[ $settings['deployment'] ] as $field ) {
			$nav[ $field ] = $settings['nav'][ $field ];
		}
		$woo         = array( 'site_url' => untrailingslashit( home_url() ) );
		$credentials = $this->agent_access->credentials();
		if ( $credentials ) {
			$woo['consumer_key']    = $credentials['consumer_key'];
			$woo['consumer_secret'] = $credentials['consumer_secret'];
		}
		$orders = $settings['orders'];
		if ( 'create' === $orders['guests']['mode'] ) {
			$orders['guests'] = array( 'mode' => 'create' );
		}
		if ( 'line' === $orders['discounts'] ) {
			unset( $orders['discounts_account'] );
		}
		if ( '' === $orders['shipping']['number'] ) {
			unset( $orders['shipping'] ); // the agent's default shipping line applies
		}
		$orders['rules'] = array_map( array( $this, 'rule' ), $orders['rules'] );
		$customers       = $settings['customers'];
		if ( '' !== $customers['ship_to_code'] && ! isset( $nav['pages'] ) ) {
			// Business Central: page 300 is the only page the customer sync needs by name.
			$nav['pages'] = array( 'ship_to' => $settings['nav']['pages']['ship_to'] );
		}
		return array(
			'schema'     => self::SCHEMA,
			'deployment' => $settings['deployment'],
			'nav'        => self::without_empty( $nav ),
			'woo'        => self::without_empty( $woo + $settings['woo'] ),
			'orders'     => self::without_empty( $orders ),
			'schedules'  => $settings['schedules'],
			'refunds'    => self::without_empty( $settings['refunds'] ),
			'customers'  => self::customers( $customers ),
			'bc_notifications' => self::bc_notifications( $settings['bc_notifications'] ),
		);
	}

	/**
	 * Writes the document and tells the agent.
	 *
	 * @param string $origin who saved: admin or wp-cli
	 */
	public function publish( $origin ) {
		$json = wp_json_encode( $this->build(), JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE );
		if ( false === $json || ! $this->channel->put_setting( self::NAME, $json ) ) {
			return false;
		}
		return $this->commands->settings_updated( $origin );
	}

	/** On: the URL to register (this site's route unless another is set). Off: only that. */
	private static function bc_notifications( array $notifications ) {
		if ( empty( $notifications['enabled'] ) ) {
			return array( 'enabled' => false );
		}
		return array(
			'enabled' => true,
			'url'     => '' !== $notifications['url'] ? $notifications['url'] : ML_Connector_Bc_Notifications::default_url(),
		);
	}

	/** Empty texts are left to the agent's defaults; an empty map is left out (JSON would make it a list). */
	private static function customers( array $customers ) {
		return array_filter(
			$customers,
			function ( $value ) {
				return '' !== $value && array() !== $value;
			}
		);
	}

	/** An empty condition set or outcome is a JSON object, not a list. */
	private function rule( array $rule ) {
		$rule['when'] = $rule['when'] ? $rule['when'] : new stdClass();
		$rule['then'] = $rule['then'] ? $rule['then'] : new stdClass();
		return $rule;
	}

	private static function without_empty( array $section ) {
		return array_filter(
			$section,
			function ( $value ) {
				return '' !== $value;
			}
		);
	}
}
