<?php
/**
 * Every way into the plugin from a browser — admin-post.php actions, admin-ajax.php actions and
 * REST routes — checks the capability and a nonce before it does anything. The source is scanned
 * for every registration, so a new entry point without both checks fails here; each registered
 * action is also called as a customer and with a forged nonce, and must refuse with 403 having
 * written nothing. Visitors (`nopriv`) have no entry point at all; the one public REST route
 * (Business Central's notifications) is named below and must keep its own secret check.
 */
final class AdminEntryPointsTest extends ML_Connector_Test_Case {

	/** Calls that check the capability / a nonce (the guard does both, see below). */
	const CAPABILITY_CHECKS = array( 'current_user_can(' );
	const NONCE_CHECKS      = array( 'check_admin_referer(', 'check_ajax_referer(', 'wp_verify_nonce(' );
	const GUARDS            = array( 'ML_Connector_Admin_Guard::require_form(', 'ML_Connector_Admin_Guard::require_ajax(' );

	/**
	 * REST routes public on purpose, with the method that stands in for capability and nonce.
	 * Business Central posts its webhook notifications without WordPress credentials; the route's
	 * permit() checks the handshake token and each clientState against the agent's fingerprint.
	 */
	const PUBLIC_ROUTES = array( 'rest:ml-connector/v1/bc-notifications' => 'permit' );

	protected function setUp(): void {
		parent::setUp();
		WP_Shim::$is_admin = true;
		do_action( 'admin_menu' );
		do_action( 'admin_init' );
	}

	/** @return string[] plugin source files (not the tests) */
	private static function sources() {
		$root  = dirname( __DIR__ );
		$files = array( $root . '/ml-connector.php', $root . '/uninstall.php' );
		$it    = new RecursiveIteratorIterator( new RecursiveDirectoryIterator( $root . '/includes', FilesystemIterator::SKIP_DOTS ) );
		foreach ( $it as $file ) {
			if ( 'php' === $file->getExtension() ) {
				$files[] = $file->getPathname();
			}
		}
		sort( $files );
		return $files;
	}

	/** The body of `function $name(` in $code, braces matched; null when absent. */
	private static function method_body( $code, $name ) {
		if ( ! preg_match( '/function\s+' . preg_quote( $name, '/' ) . '\s*\(/', $code, $m, PREG_OFFSET_CAPTURE ) ) {
			return null;
		}
		$open = strpos( $code, '{', $m[0][1] );
		$depth = 0;
		for ( $i = $open, $n = strlen( $code ); $i < $n; $i++ ) {
			if ( '{' === $code[ $i ] ) {
				++$depth;
			} elseif ( '}' === $code[ $i ] && 0 === --$depth ) {
				return substr( $code, $open, $i - $open + 1 );
			}
		}
		return null;
	}

	/** Position of the first of $needles in $text, or false. */
	private static function first_of( $text, array $needles ) {
		$found = false;
		foreach ( $needles as $needle ) {
			$at = strpos( $text, $needle );
			if ( false !== $at && ( false === $found || $at < $found ) ) {
				$found = $at;
			}
		}
		return $found;
	}

	/**
	 * Every `add_action( 'wp_ajax_…' | 'admin_post_…' )` and `register_rest_route()` in the source.
	 *
	 * @return array[] hook or route => (file, callback method or null, code of the registration)
	 */
	private static function registrations() {
		$found = array();
		foreach ( self::sources() as $file ) {
			$code = file_get_contents( $file );
			preg_match_all( '/add_(?:action|filter)\(\s*([^,]*(?:wp_ajax_|admin_post_)[^,]*),\s*([^;]*?)\)\s*;/', $code, $matches, PREG_SET_ORDER );
			foreach ( $matches as $match ) {
				$hook = self::resolve_hook( trim( $match[1] ), $code );
				$method = preg_match( '/array\(\s*(?:\$this|__CLASS__|self::class|\'\w+\')\s*,\s*\'(\w+)\'\s*\)/', $match[2], $m ) ? $m[1] : null;
				$found[ $hook ] = array( 'file' => $file, 'method' => $method, 'code' => $match[0] );
			}
			preg_match_all( '/register_rest_route\(\s*([^,]+),\s*([^,]+),(.*?)\)\s*;/s', $code, $routes, PREG_SET_ORDER );
			foreach ( $routes as $route ) {
				$name   = 'rest:' . self::resolve_hook( trim( $route[1] ), $code ) . self::resolve_hook( trim( $route[2] ), $code );
				$method = preg_match( "/'permission_callback'\s*=>\s*array\(\s*(?:\\\$this|__CLASS__|self::class)\s*,\s*'(\w+)'\s*\)/", $route[3], $m ) ? $m[1] : null;
				$found[ $name ] = array( 'file' => $file, 'method' => $method, 'code' => $route[0] );
			}
		}
		return $found;
	}

	/** `'admin_post_' . self::REPLAY` → `admin_post_ml_connector_replay`. */
	private static function resolve_hook( $expression, $code ) {
		return preg_replace_callback(
			'/\'([^\']*)\'|\s*\.\s*|self::(\w+)/',
			function ( $part ) use ( $code ) {
				if ( isset( $part[2] ) && '' !== $part[2] ) {
					return preg_match( '/const\s+' . $part[2] . '\s*=\s*\'([^\']*)\'/', $code, $m ) ? $m[1] : '{' . $part[2] . '}';
				}
				return isset( $part[1] ) ? $part[1] : '';
			},
			$expression
		);
	}

	public function test_the_guard_checks_capability_and_nonce() {
		$code = file_get_contents( dirname( __DIR__ ) . '/includes/class-ml-connector-admin-guard.php' );
		foreach ( array( 'require_form' => 'check_admin_referer(', 'require_ajax' => 'check_ajax_referer(' ) as $method => $nonce ) {
			$body = self::method_body( $code, $method );
			$this->assertNotNull( $body, $method );
			$this->assertStringContainsString( 'current_user_can( self::CAPABILITY )', $body, $method );
			$this->assertStringContainsString( $nonce, $body, $method );
		}
		$this->assertSame( 'manage_woocommerce', ML_Connector_Admin_Guard::CAPABILITY );
	}

	public function test_every_entry_point_in_the_source_checks_capability_and_nonce_before_anything_else() {
		$registrations = self::registrations();
		$this->assertNotEmpty( $registrations, 'the scan finds the entry points' );
		foreach ( $registrations as $hook => $found ) {
			$where = $hook . ' in ' . basename( $found['file'] );
			$this->assertDoesNotMatchRegularExpression( '/nopriv/', $hook, "$where: visitors must have no entry point" );
			if ( 0 === strpos( $hook, 'rest:' ) ) {
				$this->assertMatchesRegularExpression( "/'permission_callback'\s*=>/", $found['code'], "$where: no permission_callback" );
				$this->assertDoesNotMatchRegularExpression( "/'permission_callback'\s*=>\s*'__return_true'/", $found['code'], "$where: open to everyone" );
				$check = null === $found['method'] ? $found['code'] : self::method_body( file_get_contents( $found['file'] ), $found['method'] );
				$this->assertNotNull( $check, "$where: permission callback {$found['method']} not found" );
				if ( isset( self::PUBLIC_ROUTES[ $hook ] ) ) {
					$this->assertSame( self::PUBLIC_ROUTES[ $hook ], $found['method'], "$where: the public route must keep its own check" );
					$this->assertStringContainsString( 'hash_equals(', $check, "$where: the public route's check compares no secret" );
					continue;
				}
				// Core checks the wp_rest nonce of a cookie-authenticated request before the route
				// runs (without it the user is anonymous), so the capability check covers both.
				$this->assertStringContainsString( 'current_user_can(', $check, "$where: the permission callback checks no capability" );
				continue;
			}
			$this->assertNotNull( $found['method'], "$where: the handler must be a method, so it can be checked: {$found['code']}" );
			$body = self::method_body( file_get_contents( $found['file'] ), $found['method'] );
			$this->assertNotNull( $body, "$where: handler {$found['method']} not found" );
			$guard = self::first_of( $body, self::GUARDS );
			if ( false === $guard ) {
				$capability = self::first_of( $body, self::CAPABILITY_CHECKS );
				$nonce      = self::first_of( $body, self::NONCE_CHECKS );
				$this->assertNotFalse( $capability, "$where: {$found['method']}() checks no capability" );
				$this->assertNotFalse( $nonce, "$where: {$found['method']}() checks no nonce" );
				$guard = max( $capability, $nonce );
			}
			$first_work = strpos( $body, '$this->' );
			$this->assertTrue( false === $first_work || $guard < $first_work, "$where: {$found['method']}() works before its checks" );
		}
	}

	public function test_the_scan_sees_every_registered_admin_action() {
		$registered = array_values(
			array_filter(
				array_keys( WP_Shim::$hooks ),
				function ( $hook ) {
					return 0 === strpos( $hook, 'wp_ajax_' ) || 0 === strpos( $hook, 'admin_post_' );
				}
			)
		);
		$scanned = array_values( array_filter( array_keys( self::registrations() ), function ( $hook ) { return 0 !== strpos( $hook, 'rest:' ); } ) );
		sort( $registered );
		sort( $scanned );
		$this->assertNotEmpty( $registered );
		$this->assertSame( $registered, $scanned, 'an entry point registered in a way the scan cannot read' );
	}

	/** Runs every registered admin action with this nonce; each must refuse with 403. */
	private function assert_every_action_refused( $role, $nonce_for ) {
		global $wpdb;
		$keys_before = isset( $wpdb->tables['wp_woocommerce_api_keys'] ) ? $wpdb->tables['wp_woocommerce_api_keys'] : array();
		$options     = serialize( WP_Shim::$options );
		$hooks       = array_filter(
			array_keys( WP_Shim::$hooks ),
			function ( $hook ) {
				return 0 === strpos( $hook, 'wp_ajax_' ) || 0 === strpos( $hook, 'admin_post_' );
			}
		);
		$this->assertNotEmpty( $hooks );
		foreach ( $hooks as $hook ) {
			WP_Shim::log_in_as( $role );
			$action = substr( $hook, strlen( 0 === strpos( $hook, 'wp_ajax_' ) ? 'wp_ajax_' : 'admin_post_' ) );
			$nonce  = $nonce_for( $action );
			$input  = array( '_wpnonce' => $nonce, 'nonce' => $nonce, 'target' => 'parked', 'order_id' => '1', 'request_id' => str_repeat( 'a', 32 ) );
			try {
				WP_Shim::admin_request( $hook, $input, array( 'order_id' => '1' ) );
				$this->fail( "$hook ran for a $role" );
			} catch ( WP_Shim_Die $die ) {
				$this->assertSame( 403, $die->status, $hook );
			} catch ( WP_Shim_Json $json ) {
				$this->assertSame( 403, $json->status, $hook );
				$this->assertFalse( $json->body['success'], $hook );
			} catch ( WP_Shim_Redirect $redirect ) {
				$this->fail( "$hook ran for a $role and redirected to {$redirect->location}" );
			}
			$this->end_request();
		}
		$this->assertSame( array(), $this->events(), 'nothing reached the spool' );
		$this->assertSame( $options, serialize( WP_Shim::$options ), 'no option changed' );
		$this->assertSame( $keys_before, isset( $wpdb->tables['wp_woocommerce_api_keys'] ) ? $wpdb->tables['wp_woocommerce_api_keys'] : array(), 'no API key changed' );
	}

	public function test_every_admin_action_refuses_a_user_without_the_capability_even_with_a_valid_nonce() {
		foreach ( array( 'customer', 'subscriber' ) as $role ) {
			$this->assert_every_action_refused(
				$role,
				function ( $action ) {
					return wp_create_nonce( $action );
				}
			);
		}
	}

	public function test_every_admin_action_refuses_a_shop_manager_with_a_forged_or_missing_nonce() {
		foreach ( array( 'forged', '' ) as $forged ) {
			$this->assert_every_action_refused(
				'shop_manager',
				function () use ( $forged ) {
					return $forged;
				}
			);
		}
	}
}
