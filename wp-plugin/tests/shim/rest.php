<?php
/**
 * The REST API as far as the plugin's public route needs it: register_rest_route() (recorded, so
 * a test can enumerate every route and its permission_callback), rest_url(), WP_REST_Response,
 * and WP_Shim_Rest::serve() — what WP_REST_Server::serve_request() does with one request: match
 * the route and method, run permission_callback (false → 401 rest_forbidden, a WP_Error → its
 * status), run the callback, send the response's headers, give `rest_pre_serve_request` the
 * chance to answer itself, otherwise JSON-encode the data.
 *
 * Guarded: another shim file may define the same names.
 */

if ( ! class_exists( 'WP_REST_Response' ) ) {
	class WP_REST_Response {
		private $data;
		private $status;
		private $headers;

		public function __construct( $data = null, $status = 200, $headers = array() ) {
			$this->data    = $data;
			$this->status  = (int) $status;
			$this->headers = $headers;
		}

		public function get_data() {
			return $this->data;
		}

		public function get_status() {
			return $this->status;
		}

		public function set_status( $status ) {
			$this->status = (int) $status;
		}

		public function get_headers() {
			return $this->headers;
		}

		public function header( $key, $value ) {
			$this->headers[ $key ] = $value;
		}
	}
}

if ( ! class_exists( 'WP_Shim_Rest' ) ) {
	final class WP_Shim_Rest {

		/** @var array<string, array> "/namespace/route" => args, as registered */
		public static $routes = array();

		/** @var array<string, string> headers sent for the request being served */
		public $sent_headers = array();

		public function send_header( $key, $value ) {
			$this->sent_headers[ $key ] = $value;
		}

		/**
		 * Serves one request.
		 *
		 * @return array{status: int, headers: array<string, string>, body: string}
		 */
		public static function serve( WP_REST_Request $request ) {
			$server = new self();
			$server->send_header( 'Content-Type', 'application/json; charset=UTF-8' );
			$result = self::dispatch( $request );
			if ( $result instanceof WP_Error ) {
				$data   = $result->get_error_data();
				$result = new WP_REST_Response(
					array(
						'code'    => $result->get_error_code(),
						'message' => $result->get_error_message(),
						'data'    => $data,
					),
					is_array( $data ) && isset( $data['status'] ) ? $data['status'] : 500
				);
			}
			foreach ( $result->get_headers() as $key => $value ) {
				$server->send_header( $key, $value );
			}
			ob_start();
			$served = apply_filters( 'rest_pre_serve_request', false, $result, $request, $server );
			$output = (string) ob_get_clean();
			return array(
				'status'  => $result->get_status(),
				'headers' => $server->sent_headers,
				'body'    => $served ? $output : (string) wp_json_encode( $result->get_data() ),
			);
		}

		private static function dispatch( WP_REST_Request $request ) {
			if ( ! isset( self::$routes[ $request->get_route() ] ) ) {
				return new WP_Error( 'rest_no_route', 'No route was found matching the URL and request method.', array( 'status' => 404 ) );
			}
			$args = self::$routes[ $request->get_route() ];
			if ( ! in_array( $request->get_method(), (array) $args['methods'], true ) ) {
				return new WP_Error( 'rest_no_route', 'No route was found matching the URL and request method.', array( 'status' => 404 ) );
			}
			$permitted = call_user_func( $args['permission_callback'], $request );
			if ( $permitted instanceof WP_Error ) {
				return $permitted;
			}
			if ( true !== $permitted ) {
				return new WP_Error( 'rest_forbidden', 'Sorry, you are not allowed to do that.', array( 'status' => 401 ) );
			}
			$result = call_user_func( $args['callback'], $request );
			return $result instanceof WP_Error || $result instanceof WP_REST_Response ? $result : new WP_REST_Response( $result );
		}
	}
}

if ( ! function_exists( 'register_rest_route' ) ) {
	function register_rest_route( $route_namespace, $route, $args = array() ) {
		WP_Shim_Rest::$routes[ '/' . trim( $route_namespace, '/' ) . '/' . ltrim( $route, '/' ) ] = $args;
		return true;
	}
}

if ( ! function_exists( 'rest_url' ) ) {
	function rest_url( $path = '' ) {
		return home_url( 'wp-json/' . ltrim( $path, '/' ) );
	}
}
