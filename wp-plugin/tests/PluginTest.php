<?php
/**
 * The plugin as WordPress and WooCommerce see it: its header, feature declarations, text domain,
 * HPOS-safe code (CRUD only, no post functions on orders), every file lint-clean, its procedural API.
 */
final class PluginTest extends ML_Connector_Test_Case {

	const PLUGIN = __DIR__ . '/..';

	/** What the main file registered when the bootstrap included it (before setUp resets WordPress). */
	private $hooks_at_load;
	private $lifecycle_at_load;

	protected function setUp(): void {
		$this->hooks_at_load     = WP_Shim::$hooks;
		$this->lifecycle_at_load = WP_Shim::$activation_hooks;
		parent::setUp();
	}

	private static function header( $field ) {
		preg_match( '/^[ \t\/*#@]*' . preg_quote( $field, '/' ) . ':(.*)$/mi', file_get_contents( self::PLUGIN . '/ml-connector.php' ), $match );
		return isset( $match[1] ) ? trim( $match[1] ) : null;
	}

	public function test_the_header_declares_what_it_needs() {
		$this->assertSame( 'woocommerce', self::header( 'Requires Plugins' ) );
		$this->assertSame( '7.4', self::header( 'Requires PHP' ) );
		$this->assertSame( '8.2', self::header( 'WC requires at least' ) );
		$this->assertNotEmpty( self::header( 'WC tested up to' ) );
		$this->assertSame( 'ml-connector', self::header( 'Text Domain' ) );
		$this->assertSame( '/languages', self::header( 'Domain Path' ) );
		$this->assertFileExists( self::PLUGIN . '/languages/ml-connector.pot' );
		$this->assertStringContainsString( 'Requires PHP: 7.4', file_get_contents( self::PLUGIN . '/readme.txt' ) );
	}

	public function test_it_declares_hpos_and_block_checkout_compatibility() {
		ML_Connector_Plugin::declare_compatibility();

		$file = realpath( self::PLUGIN . '/ml-connector.php' );
		$this->assertSame( array( $file => true ), \Automattic\WooCommerce\Utilities\FeaturesUtil::$declarations['custom_order_tables'] );
		$this->assertSame( array( $file => true ), \Automattic\WooCommerce\Utilities\FeaturesUtil::$declarations['cart_checkout_blocks'] );
	}

	/**
	 * @runInSeparateProcess
	 * @preserveGlobalState disabled
	 */
	public function test_the_main_file_hooks_declaration_start_and_lifecycle() {
		$this->assertSame(
			array(
				'before_woocommerce_init' => array( 10 => array( array( array( 'ML_Connector_Plugin', 'declare_compatibility' ), 1 ) ) ),
				'plugins_loaded'          => array( 10 => array( array( 'ml_connector_start', 1 ) ) ),
				'init'                    => array( 10 => array( array( 'ml_connector_load_textdomain', 1 ) ) ),
			),
			$this->hooks_at_load,
			'in a fresh process the main file registers only these'
		);
		$this->assertSame( array( 'ML_Connector_Lifecycle', 'activate' ), $this->lifecycle_at_load['activate'] );
		$this->assertSame( array( 'ML_Connector_Lifecycle', 'deactivate' ), $this->lifecycle_at_load['deactivate'] );
	}

	public function test_starting_builds_and_registers_the_plugin() {
		WP_Shim::reset();

		$plugin = ml_connector_start();

		$this->assertSame( $plugin, ml_connector() );
		$this->assertSame( ML_Connector_Outbox::SHUTDOWN_PRIORITY, has_action( 'shutdown' ) ? key( WP_Shim::$hooks['shutdown'] ) : null );
		$this->assertNotFalse( has_action( 'woocommerce_new_order' ) );
		$this->assertNotFalse( has_action( 'user_register' ) );
	}

	/**
	 * @runInSeparateProcess
	 * @preserveGlobalState disabled
	 */
	public function test_uninstall_php_removes_what_the_plugin_stored() {
		ML_Connector_Lifecycle::activate();
		define( 'WP_UNINSTALL_PLUGIN', 'ml-connector/ml-connector.php' );

		require self::PLUGIN . '/uninstall.php';

		$this->assertFalse( get_option( 'ml_connector_settings' ) );
		$this->assertFalse( get_option( 'ml_connector_agent_access' ) );
		$this->assertSame( array(), $GLOBALS['wpdb']->tables['wp_woocommerce_api_keys'] );
	}

	public function test_orders_are_only_touched_through_crud() {
		$forbidden = '/\b(get_post_meta|update_post_meta|add_post_meta|delete_post_meta|wp_insert_post|wp_update_post|wp_trash_post\s*\(|wp_delete_post|get_post_status|get_post_type|WP_Query|get_posts)\b/';
		foreach ( glob( self::PLUGIN . '/includes/*.php' ) as $file ) {
			$this->assertDoesNotMatchRegularExpression( $forbidden, file_get_contents( $file ), basename( $file ) );
		}
	}

	public function test_every_php_file_passes_php_lint() {
		$files = array_merge(
			glob( self::PLUGIN . '/*.php' ),
			glob( self::PLUGIN . '/includes/*.php' ),
			glob( self::PLUGIN . '/tests/*.php' ),
			glob( self::PLUGIN . '/tests/*/*.php' ),
			glob( dirname( self::PLUGIN, 2 ) . '/tests/wc-stand-in/*.php' ),
			glob( dirname( self::PLUGIN, 2 ) . '/tests/wc-stand-in/src/*.php' )
		);
		$this->assertGreaterThan( 50, count( $files ) );
		foreach ( $files as $file ) {
			exec( escapeshellarg( PHP_BINARY ) . ' -l ' . escapeshellarg( $file ) . ' 2>&1', $output, $status );
			$this->assertSame( 0, $status, implode( "\n", $output ) );
		}
	}

	public function test_one_class_per_file_with_the_prefix() {
		foreach ( glob( self::PLUGIN . '/includes/class-*.php' ) as $file ) {
			preg_match_all( '/^(?:final |abstract )?class (\w+)/m', file_get_contents( $file ), $classes );
			$this->assertCount( 1, $classes[1], basename( $file ) );
			$this->assertSame( 'class-' . str_replace( '_', '-', strtolower( $classes[1][0] ) ) . '.php', basename( $file ) );
			$this->assertStringStartsWith( 'ML_Connector_', $classes[1][0] );
		}
	}

	public function test_resync_order_api_queues_the_command() {
		$this->assertTrue( ml_connector_resync_order( 42 ) );
		$this->assertFalse( ml_connector_resync_order( 0 ) );

		$this->assertSame( array( array( 'order_id' => 42 ) ), array_column( $this->events(), 'payload' ) );
	}
}
