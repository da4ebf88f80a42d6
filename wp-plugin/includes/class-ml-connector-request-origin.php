<?php
/**
 * ML_Connector_Request_Origin: which path the current request took — the event's `origin`.
 *
 * In order of precedence:
 * 1. `agent`: the request carries `X-ML-Connector-Origin: agent` AND is authenticated as the agent's
 *    own WordPress user (a header alone is trivially forged by any shopper; honouring it would let
 *    them hide an order from the agent, which drops its own echoes).
 * 2. `wp-cli` when running under WP-CLI.
 * 3. A path seen through its hooks during this request: `checkout` (classic checkout), `store-api`
 *    (block checkout), `account` (My Account registration, details, addresses).
 * 4. The REST route being served: `/wc/store/...` is `store-api`, any other route `rest-api`.
 * 5. `admin` for wp-admin (including admin-ajax), `cron` for WP-Cron / Action Scheduler runs.
 * 6. For orders the order's `created_via`; else `site` (a front-end request with no known path,
 *    e.g. a payment gateway's callback on a customer).
 *
 * @package ML_Connector
 */

defined( 'ABSPATH' ) || exit;

final class ML_Connector_Request_Origin {

	const AGENT_HEADER = 'HTTP_X_ML_CONNECTOR_ORIGIN';

	/** @var ML_Connector_Agent_Access */
	private $agent_access;

	/** @var bool */
	private $cli;

	/** @var string|null the first path seen through its hooks */
	private $observed;

	/** @var string|null */
	private $rest_route;

	/** @var bool a forged agent header is logged once per request */
	private $reported_forged_header = false;

	public function __construct( ML_Connector_Agent_Access $agent_access, $cli ) {
		$this->agent_access = $agent_access;
		$this->cli          = (bool) $cli;
	}

	public function register() {
		add_filter( 'rest_pre_dispatch', array( $this, 'note_rest_request' ), 10, 3 );
		$paths = array(
			'woocommerce_checkout_process'                            => 'checkout',
			'woocommerce_store_api_checkout_update_order_from_request' => 'store-api',
			'woocommerce_save_account_details_errors'                 => 'account',
			'woocommerce_customer_save_address'                       => 'account',
		);
		foreach ( $paths as $hook => $path ) {
			add_action(
				$hook,
				function () use ( $path ) {
					$this->observe( $path );
				},
				1
			);
		}
		// My Account registration shows itself only through this filter (checkout registrations don't run it).
		add_filter(
			'woocommerce_process_registration_errors',
			function ( $errors ) {
				$this->observe( 'account' );
				return $errors;
			},
			1
		);
	}

	/**
	 * rest_pre_dispatch: remembers the route; never changes the response.
	 *
	 * @param mixed           $result  null unless another callback answered already
	 * @param WP_REST_Server  $server
	 * @param WP_REST_Request $request
	 */
	public function note_rest_request( $result, $server, $request ) {
		if ( is_object( $request ) && method_exists( $request, 'get_route' ) ) {
			$this->rest_route = (string) $request->get_route();
		}
		return $result;
	}

	public function observe( $path ) {
		if ( null === $this->observed ) {
			$this->observed = $path;
		}
	}

	/**
	 * @param string $created_via the order's created_via, '' for customers
	 */
	public function resolve( $created_via = '' ) {
		if ( $this->is_agent_request() ) {
			return 'agent';
		}
		if ( $this->cli ) {
			return 'wp-cli';
		}
		if ( null !== $this->observed ) {
			return $this->observed;
		}
		if ( null !== $this->rest_route ) {
			return 0 === strpos( $this->rest_route, '/wc/store/' ) ? 'store-api' : 'rest-api';
		}
		if ( is_admin() ) {
			return 'admin';
		}
		if ( wp_doing_cron() ) {
			return 'cron';
		}
		return '' !== (string) $created_via ? (string) $created_via : 'site';
	}

	/** Forgets what this request showed (the outbox calls it once the request's events are out). */
	public function reset() {
		$this->observed               = null;
		$this->rest_route             = null;
		$this->reported_forged_header = false;
	}

	private function is_agent_request() {
		$header = isset( $_SERVER[ self::AGENT_HEADER ] ) ? sanitize_key( wp_unslash( $_SERVER[ self::AGENT_HEADER ] ) ) : '';
		if ( 'agent' !== $header ) {
			return false;
		}
		$agent_user = $this->agent_access->user_id();
		if ( $agent_user > 0 && get_current_user_id() === $agent_user ) {
			return true;
		}
		if ( ! $this->reported_forged_header ) {
			$this->reported_forged_header = true;
			ML_Connector_Log::error( 'ignored X-ML-Connector-Origin: agent on a request not authenticated as the agent\'s user (user ' . get_current_user_id() . ')' );
		}
		return false;
	}
}
