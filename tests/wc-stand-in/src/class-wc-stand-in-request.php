<?php
/**
 * How a flow tells WordPress which kind of request it is: a REST (or Store API) request runs its
 * handler after `rest_pre_dispatch`, the filter WordPress's REST server applies before dispatching
 * a route — the point where a plugin learns the route it is serving.
 */
final class WC_Stand_In_Request {

	/**
	 * Runs $handler as the REST request $method $route.
	 *
	 * @param callable $handler receives the WP_REST_Request
	 * @return mixed what the handler returns
	 */
	public static function rest( $method, $route, callable $handler, array $params = array() ) {
		$request = new WP_REST_Request( $method, $route );
		foreach ( $params as $key => $value ) {
			$request->set_param( $key, $value );
		}
		apply_filters( 'rest_pre_dispatch', null, null, $request );
		return $handler( $request );
	}
}
