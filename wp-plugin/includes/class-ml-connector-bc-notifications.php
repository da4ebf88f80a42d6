<?php
/**
 * ML_Connector_Bc_Notifications: the public REST route Business Central posts its webhook
 * notifications to — `/wp-json/ml-connector/v1/bc-notifications`, the inventory accelerator
 * (docs/inventory.md, "Business Central notifications"). Off unless "BC notifications" is ticked.
 *
 * - `?validationToken=…` (GET or POST: the method BC uses is unconfirmed) is the handshake BC runs
 *   before creating or renewing a subscription: the token is answered as it is, text/plain, 200.
 * - A POST `{"value": [notification, …]}` is checked notification by notification: its clientState
 *   must hash (SHA-256) to the fingerprint the agent published in the `bc_notifications`
 *   agent_status document. The secret itself is never on this side. The ones that match become
 *   ONE `bc.notification` event (spooled like every other event), carrying the fingerprint, never
 *   the clientState; the answer is 202 at once — the agent does the work later.
 *
 * Answers and what Business Central does with them (reference §7.3): 2xx delivered; 503 (agent has
 * not published yet, spool unavailable) is retried for up to 36 hours; any other 4xx makes BC
 * discard the notifications and DELETE the subscription — wanted for a subscription the agent no
 * longer knows (wrong clientState, accelerator off), and the agent recreates its own ones.
 *
 * @package ML_Connector
 */

defined( 'ABSPATH' ) || exit;

final class ML_Connector_Bc_Notifications {

	const ROUTE_NAMESPACE = 'ml-connector/v1';
	const ROUTE           = '/bc-notifications';

	/** A full POST (1,000 records per subscription, several subscriptions) stays well below. */
	const MAX_BYTES = 2097152;

	/** Business Central's token is a GUID; anything long or unprintable is not one of its tokens. */
	const MAX_TOKEN_BYTES = 1024;

	/** The agent_status document with the clientState's fingerprint (agent: flows/inventory/subscriptions.rs). */
	const STATUS_DOCUMENT = 'bc_notifications';

	/** The fields of a notification passed on (clientState stays here). */
	const FIELDS = array( 'subscriptionId', 'resource', 'changeType', 'lastModifiedDateTime' );

	/** @var ML_Connector_Settings */
	private $settings;

	/** @var ML_Connector_Channel */
	private $channel;

	/** @var array<int, array> what permit() accepted, per request object, for receive() */
	private $accepted = array();

	public function __construct( ML_Connector_Settings $settings, ML_Connector_Channel $channel ) {
		$this->settings = $settings;
		$this->channel  = $channel;
	}

	public function register() {
		add_action( 'rest_api_init', array( $this, 'register_route' ) );
		add_filter( 'rest_pre_serve_request', array( $this, 'serve_handshake' ), 10, 4 );
	}

	/** The URL the agent registers when the settings leave it empty. */
	public static function default_url() {
		return rest_url( self::ROUTE_NAMESPACE . self::ROUTE );
	}

	/** rest_api_init */
	public function register_route() {
		register_rest_route(
			self::ROUTE_NAMESPACE,
			self::ROUTE,
			array(
				'methods'             => array( 'GET', 'POST' ),
				'callback'            => array( $this, 'receive' ),
				// PUBLIC ON PURPOSE — no capability, no nonce: Business Central calls it without
				// WordPress credentials. permit() is the check instead (handshake token, size, JSON,
				// clientState against the agent's fingerprint). Route enumeration tests: whitelist
				// this route by name; it must keep this permit() callback, never __return_true.
				'permission_callback' => array( $this, 'permit' ),
			)
		);
	}

	/**
	 * The permission check of the public route: true, or a WP_Error whose status BC acts on.
	 *
	 * @return true|WP_Error
	 */
	public function permit( WP_REST_Request $request ) {
		$settings = $this->settings->get();
		if ( empty( $settings['bc_notifications']['enabled'] ) ) {
			return self::refuse( 'ml_connector_bc_notifications_off', __( 'Business Central notifications are turned off on this site.', 'ml-connector' ), 404 );
		}
		$token = self::token( $request );
		if ( null !== $token ) {
			$token = is_string( $token ) ? $token : '';
			if ( '' === $token || strlen( $token ) > self::MAX_TOKEN_BYTES || preg_match( '/[^\x21-\x7E]/', $token ) ) {
				return self::refuse( 'ml_connector_bad_validation_token', __( 'The validationToken is not one Business Central sends (1 to 1024 printable characters).', 'ml-connector' ), 400 );
			}
			return true;
		}
		if ( 'POST' !== $request->get_method() ) {
			return self::refuse( 'ml_connector_not_a_notification', __( 'Business Central posts notifications; a GET is only its validation handshake (validationToken).', 'ml-connector' ), 400 );
		}
		$notifications = self::notifications( (string) $request->get_body() );
		if ( $notifications instanceof WP_Error ) {
			return $notifications;
		}
		$fingerprint = $this->fingerprint();
		if ( $fingerprint instanceof WP_Error ) {
			return $fingerprint;
		}
		$accepted = array();
		foreach ( $notifications as $notification ) {
			$state = is_array( $notification ) && isset( $notification['clientState'] ) && is_string( $notification['clientState'] ) ? $notification['clientState'] : null;
			if ( null !== $state && hash_equals( $fingerprint, hash( 'sha256', $state ) ) ) {
				$accepted[] = array_intersect_key( $notification, array_flip( self::FIELDS ) );
			}
		}
		if ( ! $accepted ) {
			return self::refuse( 'ml_connector_client_state_mismatch', __( 'No notification carries the clientState of this site\'s subscriptions.', 'ml-connector' ), 403 );
		}
		// One POST may carry several subscriptions: a stale one's notifications are dropped
		// (counted), the current ones still go — refusing all would make BC delete them all.
		$this->accepted[ spl_object_id( $request ) ] = array(
			'client_state_sha256' => $fingerprint,
			'notifications'       => $accepted,
			'refused'             => count( $notifications ) - count( $accepted ),
		);
		return true;
	}

	/**
	 * The callback: echoes the handshake's token, or hands the accepted notifications over.
	 *
	 * @return WP_REST_Response|WP_Error
	 */
	public function receive( WP_REST_Request $request ) {
		$token = self::token( $request );
		if ( null !== $token ) {
			return new WP_REST_Response(
				$token,
				200,
				array(
					'Content-Type'           => 'text/plain; charset=utf-8',
					'X-Content-Type-Options' => 'nosniff',
				)
			);
		}
		$key = spl_object_id( $request );
		if ( ! isset( $this->accepted[ $key ] ) ) {
			return self::refuse( 'ml_connector_not_checked', __( 'The notification was not checked.', 'ml-connector' ), 403 );
		}
		$payload = $this->accepted[ $key ];
		unset( $this->accepted[ $key ] );
		$seq = $this->channel->enqueue( ML_Connector_Event::to_json( ML_Connector_Event::make( 'bc.notification', 0, 'bc-webhook', $payload ) ) );
		if ( null === $seq ) {
			// Logged by the channel. 503: Business Central sends it again later.
			return self::refuse( 'ml_connector_not_handed_over', __( 'The notification could not be handed to the agent; send it again later.', 'ml-connector' ), 503 );
		}
		return new WP_REST_Response(
			array(
				'accepted' => count( $payload['notifications'] ),
				'refused'  => $payload['refused'],
			),
			202
		);
	}

	/**
	 * rest_pre_serve_request: the handshake is answered with the token itself as the body, not
	 * JSON-encoded (the response's text/plain headers are already sent by then).
	 */
	public function serve_handshake( $served, $result, $request, $server ) {
		if ( $served || ! $result instanceof WP_REST_Response || ! $request instanceof WP_REST_Request ) {
			return $served;
		}
		if ( '/' . self::ROUTE_NAMESPACE . self::ROUTE !== $request->get_route() || 200 !== $result->get_status() || ! is_string( $result->get_data() ) || null === self::token( $request ) ) {
			return $served;
		}
		echo $result->get_data(); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- text/plain, nosniff, checked printable ASCII
		return true;
	}

	/** The handshake's token: from the query string only (get_param() would also read a JSON body). */
	private static function token( WP_REST_Request $request ) {
		$query = $request->get_query_params();
		return isset( $query['validationToken'] ) ? $query['validationToken'] : null;
	}

	/**
	 * The notifications of a body, or why it is not one.
	 *
	 * @return array|WP_Error
	 */
	private static function notifications( $body ) {
		if ( strlen( $body ) > self::MAX_BYTES ) {
			/* translators: %d: limit in bytes */
			return self::refuse( 'ml_connector_too_large', sprintf( __( 'The body is larger than %d bytes.', 'ml-connector' ), self::MAX_BYTES ), 400 );
		}
		$data = json_decode( $body, true );
		if ( ! is_array( $data ) || ! isset( $data['value'] ) || ! is_array( $data['value'] ) || ! $data['value'] ) {
			return self::refuse( 'ml_connector_malformed', __( 'The body is not a Business Central notification: a JSON object {"value": [ … ]} was expected.', 'ml-connector' ), 400 );
		}
		return array_values( $data['value'] );
	}

	/**
	 * The fingerprint of the current subscriptions' clientState, as the agent published it.
	 *
	 * @return string|WP_Error
	 */
	private function fingerprint() {
		$row      = $this->channel->agent_status( self::STATUS_DOCUMENT );
		$document = $row ? json_decode( $row['value'], true ) : null;
		if ( ! is_array( $document ) ) {
			return self::refuse( 'ml_connector_agent_not_ready', __( 'The agent has not published its subscriptions yet; try again later.', 'ml-connector' ), 503 );
		}
		if ( empty( $document['enabled'] ) || empty( $document['client_state_sha256'] ) || ! is_string( $document['client_state_sha256'] ) ) {
			return self::refuse( 'ml_connector_no_subscription', __( 'This site holds no Business Central subscription (any more).', 'ml-connector' ), 403 );
		}
		return $document['client_state_sha256'];
	}

	private static function refuse( $code, $message, $status ) {
		return new WP_Error( $code, $message, array( 'status' => $status ) );
	}
}
