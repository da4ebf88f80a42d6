<?php
/**
 * The settings page: saved through options.php (nonce + manage_woocommerce), published to the
 * agent as the settings document with a settings.updated event; secrets write-only, encrypted
 * with their document path as purpose, refused rather than stored in clear; the agent's
 * WooCommerce key provisioned on first save.
 */
final class SettingsTest extends ML_Connector_Test_Case {

	const SECRET = 'Xy7~Q8.abc_DEF-ghi%41';

	protected function setUp(): void {
		parent::setUp();
		WP_Shim::$is_admin = true;
		do_action( 'admin_menu' );
		do_action( 'admin_init' );
	}

	private function form( array $settings ) {
		return array(
			'option_page'           => 'ml_connector',
			'action'                => 'update',
			'_wpnonce'              => wp_create_nonce( 'ml_connector-options' ),
			'ml_connector_settings' => array_replace_recursive(
				array(
					'deployment' => 'bc_online',
					'nav'        => array(
						'tenant'            => 'contoso.onmicrosoft.com',
						'environment'       => 'production',
						'company'           => 'CRONUS International Ltd.',
						'client_id'         => '3f1c9a57-0000-4000-8000-000000000001',
						'client_secret_new' => self::SECRET,
					),
					'orders'     => array(
						'statuses'  => array( '', 'processing', 'completed' ),
						'sku_match' => 'sku, variant',
						'shipping'  => array( 'line_type' => 'account', 'number' => '8100' ),
					),
				),
				$settings
			),
		);
	}

	/** Posts the form as the current user; returns where options.php redirects. */
	private function save( array $form ) {
		try {
			WP_Shim::post_options_form( wp_slash( $form ) );
		} catch ( WP_Shim_Redirect $redirect ) {
			return $redirect->location;
		}
		$this->fail( 'options.php did not redirect' );
	}

	/** The page as the browser loads it after the redirect (a new request). */
	private function render_settings_page() {
		WP_Shim::$settings_errors = array();
		$_GET['settings-updated'] = 'true';
		ob_start();
		call_user_func( WP_Shim::$menu['ml-connector']['callback'] );
		return ob_get_clean();
	}

	private function document() {
		if ( ! is_file( $this->spool_path ) ) {
			return null;
		}
		$pdo = new PDO( 'sqlite:' . $this->spool_path );
		$row = $pdo->query( "SELECT value FROM settings WHERE name = 'site'" )->fetchColumn();
		return false === $row ? null : json_decode( $row, true );
	}

	public function test_a_shop_manager_saves_and_the_agent_gets_the_document_and_an_event() {
		WP_Shim::log_in_as( 'shop_manager' );

		$this->save( $this->form( array() ) );

		$document = $this->document();
		$this->assertSame( 1, $document['schema'] );
		$this->assertSame( 'bc_online', $document['deployment'] );
		$this->assertSame( array( 'tenant', 'environment', 'company', 'client_id', 'client_secret' ), array_keys( $document['nav'] ), 'only the fields of the chosen deployment' );
		$this->assertSame( self::SECRET, ML_Connector_Envelope::from_key_file( $this->key_path )->open( 'nav.client_secret', $document['nav']['client_secret'] ) );
		$this->assertSame( array( 'processing', 'completed' ), $document['orders']['statuses'] );
		$this->assertSame( array( 'sku', 'variant' ), $document['orders']['sku_match'] );
		$this->assertSame( array( 'mode' => 'create' ), $document['orders']['guests'] );
		$this->assertSame( 'https://shop.example', $document['woo']['site_url'] );
		$this->assertSame( 'every 15m', $document['schedules']['inventory'] );
		$events = $this->events();
		$this->assertSame( 'settings.updated', end( $events )['kind'] );
		$this->assertSame( array( 'name' => 'site' ), end( $events )['payload'] );
		$this->assertSame( array(), Event_Schema_Check::problems( end( $events ) ) );
		$this->assertMatchesFixture( 'settings-updated', end( $events ) );
	}

	public function test_a_save_without_problems_says_settings_saved() {
		WP_Shim::log_in_as( 'shop_manager' );

		$this->save( $this->form( array() ) );

		$this->assertStringContainsString( "class='notice notice-success settings-error'><p><strong>Settings saved.</strong>", $this->render_settings_page() );
	}

	public function test_a_saved_secret_is_never_rendered_again() {
		WP_Shim::log_in_as( 'shop_manager' );
		$this->save( $this->form( array() ) );

		$html = $this->render_settings_page();

		$this->assertStringNotContainsString( self::SECRET, $html );
		$this->assertStringNotContainsString( 'mlc1:', $html );
		$this->assertStringContainsString( 'Saved — enter a new value to replace it.', $html );
		$this->assertMatchesRegularExpression( '/<input type="password" id="ml-connector-nav-client_secret" name="ml_connector_settings\[nav\]\[client_secret_new\]" value=""/', $html );
		$this->assertStringNotContainsString( self::SECRET, serialize( get_option( 'ml_connector_settings' ) ) );
		$this->assertStringNotContainsString( self::SECRET, json_encode( $this->document() ) );
	}

	public function test_an_empty_secret_field_keeps_the_saved_secret() {
		WP_Shim::log_in_as( 'shop_manager' );
		$this->save( $this->form( array() ) );
		$first = $this->document()['nav']['client_secret'];

		$this->save( $this->form( array( 'nav' => array( 'client_secret_new' => '', 'company' => 'Other Ltd.' ) ) ) );

		$this->assertSame( $first, $this->document()['nav']['client_secret'] );
		$this->assertSame( 'Other Ltd.', $this->document()['nav']['company'] );
	}

	public function test_a_secret_that_cannot_be_encrypted_is_refused_never_stored_in_clear() {
		unlink( $this->key_path );
		WP_Shim::log_in_as( 'shop_manager' );

		$this->save( $this->form( array() ) );

		$this->assertSame( '', get_option( 'ml_connector_settings' )['nav']['client_secret'] );
		$this->assertArrayNotHasKey( 'client_secret', $this->document()['nav'] );
		$this->assertStringNotContainsString( self::SECRET, serialize( WP_Shim::$options ) );
		$this->assertStringNotContainsString( self::SECRET, json_encode( $this->document() ) );
		$this->assertStringNotContainsString( self::SECRET, $this->log() );
		$html = $this->render_settings_page();
		$this->assertStringContainsString( 'The nav.client_secret was NOT saved: it cannot be encrypted (key file ' . $this->key_path . ' is missing or not readable by the web server).', $html );
		$this->assertStringContainsString( 'Not saved yet.', $html );
	}

	public function test_saving_is_refused_without_manage_woocommerce() {
		WP_Shim::log_in_as( 'subscriber' );

		try {
			$this->save( $this->form( array() ) );
			$this->fail( 'saved without the capability' );
		} catch ( WP_Shim_Die $die ) {
			$this->assertSame( 403, $die->status );
		}
		$this->assertFalse( get_option( 'ml_connector_settings', false ) );
		$this->assertNull( $this->document() );
	}

	public function test_saving_is_refused_without_a_valid_nonce() {
		WP_Shim::log_in_as( 'shop_manager' );
		$form             = $this->form( array() );
		$form['_wpnonce'] = wp_create_nonce( 'some-other-action' );

		try {
			$this->save( $form );
			$this->fail( 'saved with a wrong nonce' );
		} catch ( WP_Shim_Die $die ) {
			$this->assertSame( 403, $die->status );
		}
		$this->assertFalse( get_option( 'ml_connector_settings', false ) );
	}

	public function test_on_premises_documents_carry_server_user_and_access_key() {
		WP_Shim::log_in_as( 'shop_manager' );

		$this->save(
			$this->form(
				array(
					'deployment' => 'nav_onprem',
					'nav'        => array(
						'base_url'       => 'https://nav.contoso.com:7048/NAV/',
						'user'           => 'WEBSHOP',
						'access_key_new' => 'kXz+/9AbC=',
						'pages'          => array( 'item' => 'Items' ),
					),
				)
			)
		);

		$nav = $this->document()['nav'];
		$this->assertSame( array( 'base_url', 'company', 'user', 'access_key', 'pages' ), array_keys( $nav ) );
		$this->assertSame( 'https://nav.contoso.com:7048/NAV', $nav['base_url'] );
		$this->assertSame( array( 'customer' => 'Customer', 'item' => 'Items', 'sales_order' => 'SalesOrder', 'ship_to' => 'ShipToAddress', 'credit_memo' => 'SalesCreditMemo', 'posted_invoice' => 'PostedSalesInvoice', 'posted_credit_memo' => 'PostedSalesCreditMemo' ), $nav['pages'] );
		$this->assertSame( 'kXz+/9AbC=', ML_Connector_Envelope::from_key_file( $this->key_path )->open( 'nav.access_key', $nav['access_key'] ) );
	}

	public function test_sign_in_and_api_urls_reach_the_document_only_when_set() {
		WP_Shim::log_in_as( 'shop_manager' );
		$this->save( $this->form( array( 'nav' => array( 'login_url' => ' http://127.0.0.1:7048/ ', 'api_url' => 'http://127.0.0.1:7048' ) ) ) );

		$nav = $this->document()['nav'];
		$this->assertSame( 'http://127.0.0.1:7048', $nav['login_url'] );
		$this->assertSame( 'http://127.0.0.1:7048', $nav['api_url'] );
		$this->assertStringContainsString( 'id="ml-connector-nav-login_url" name="ml_connector_settings[nav][login_url]" value="http://127.0.0.1:7048"', $this->render_settings_page() );

		$this->save( $this->form( array( 'nav' => array( 'client_secret_new' => '', 'login_url' => '', 'api_url' => '' ) ) ) );

		$this->assertSame( array( 'tenant', 'environment', 'company', 'client_id', 'client_secret' ), array_keys( $this->document()['nav'] ), "empty: the agent uses Microsoft's endpoints" );
	}

	public function test_a_sign_in_url_that_is_not_http_keeps_the_previous_one() {
		WP_Shim::log_in_as( 'shop_manager' );
		$this->save( $this->form( array( 'nav' => array( 'login_url' => 'https://login.example' ) ) ) );

		$this->save( $this->form( array( 'nav' => array( 'client_secret_new' => '', 'login_url' => 'ftp://login.example' ) ) ) );

		$this->assertSame( 'https://login.example', $this->document()['nav']['login_url'] );
		$this->assertStringContainsString( 'The sign-in URL must start with http:// or https://', $this->render_settings_page() );
	}

	public function test_invalid_values_keep_the_previous_ones_and_say_why() {
		WP_Shim::log_in_as( 'shop_manager' );
		$this->save( $this->form( array() ) );

		$this->save(
			$this->form(
				array(
					'nav'       => array( 'client_secret_new' => '' ),
					'orders'    => array( 'totals_tolerance' => 'five cents' ),
					'schedules' => array( 'inventory' => 'sometimes', 'customers' => 'every 2h', 'inventory_full' => '30 2 * * 1-5' ),
					'woo'       => array( 'connect_to' => 'localhost' ),
				)
			)
		);

		$document = $this->document();
		$this->assertSame( '0.05', $document['orders']['totals_tolerance'] );
		$this->assertSame( array( 'inventory' => 'every 15m', 'inventory_full' => '30 2 * * 1-5', 'customers' => 'every 2h', 'reconcile_orders' => 'every 5m' ), $document['schedules'] );
		$this->assertArrayNotHasKey( 'connect_to', $document['woo'] );
		$html = $this->render_settings_page();
		$this->assertStringContainsString( 'Schedule &quot;inventory&quot; must be', $html );
		$this->assertStringContainsString( 'The totals tolerance must be a non-negative amount', $html );
	}

	public function test_mapping_rules_are_edited_as_a_list_and_written_in_order() {
		WP_Shim::log_in_as( 'shop_manager' );
		$rules = array(
			array( 'position' => '2', 'name' => 'Web shop', 'created_via' => 'checkout, store-api', 'dimensions' => "CHANNEL=WEB", 'price_group' => 'RETAIL' ),
			array( 'position' => '1', 'name' => 'Trade customers', 'role' => 'wholesale_customer', 'email_domain' => '@Trade.example', 'customer' => 'registered', 'meta' => 'segment=b2b', 'dimensions' => "channel=B2B\nCUSTOMERGROUP=TRADE", 'price_group' => 'TRADE', 'customer_posting_group' => 'eu', 'vat_bus_posting_group' => ' EU ' ),
			array( 'position' => '3', 'name' => 'Old rule', 'country' => 'de', 'remove' => '1' ),
			array( 'position' => '4', 'name' => '' ),
		);

		$this->save( $this->form( array( 'orders' => array( 'rules' => $rules ) ) ) );

		$this->assertSame(
			array(
				array(
					'name' => 'Trade customers',
					'when' => array( 'role' => array( 'wholesale_customer' ), 'email_domain' => array( 'trade.example' ), 'customer' => 'registered', 'meta' => array( 'segment' => 'b2b' ) ),
					'then' => array( 'dimensions' => array( 'CHANNEL' => 'B2B', 'CUSTOMERGROUP' => 'TRADE' ), 'price_group' => 'TRADE', 'customer_posting_group' => 'EU', 'vat_bus_posting_group' => 'EU' ),
				),
				array(
					'name' => 'Web shop',
					'when' => array( 'created_via' => array( 'checkout', 'store-api' ) ),
					'then' => array( 'dimensions' => array( 'CHANNEL' => 'WEB' ), 'price_group' => 'RETAIL' ),
				),
			),
			$this->document()['orders']['rules']
		);
		$html = $this->render_settings_page();
		$this->assertStringContainsString( 'name="ml_connector_settings[orders][rules][0][name]" value="Trade customers"', $html );
		$this->assertStringContainsString( 'name="ml_connector_settings[orders][rules][0][customer_posting_group]" value="EU"', $html );
		$this->assertStringContainsString( 'name="ml_connector_settings[orders][rules][2][name]" value=""', $html, 'an empty row to add a rule' );
	}

	public function test_a_rule_without_conditions_is_written_as_objects() {
		WP_Shim::log_in_as( 'shop_manager' );

		$this->save( $this->form( array( 'orders' => array( 'rules' => array( array( 'name' => 'Everything' ) ) ) ) ) );

		$pdo = new PDO( 'sqlite:' . $this->spool_path );
		$this->assertStringContainsString( '{"name":"Everything","when":{},"then":{}}', $pdo->query( "SELECT value FROM settings WHERE name = 'site'" )->fetchColumn() );
	}

	public function test_the_first_save_provisions_the_agents_rest_key_like_wc_auth() {
		global $wpdb;
		WP_Shim::log_in_as( 'shop_manager' );

		$this->save( $this->form( array() ) );

		$keys = array_values( $wpdb->tables['wp_woocommerce_api_keys'] );
		$this->assertCount( 1, $keys );
		$woo = $this->document()['woo'];
		$this->assertMatchesRegularExpression( '/^ck_[0-9a-f]{40}$/', $woo['consumer_key'] );
		$this->assertSame( wc_api_hash( $woo['consumer_key'] ), $keys[0]['consumer_key'] );
		$this->assertSame( substr( $woo['consumer_key'], -7 ), $keys[0]['truncated_key'] );
		$this->assertSame( 'read_write', $keys[0]['permissions'] );
		$this->assertSame( $keys[0]['consumer_secret'], ML_Connector_Envelope::from_key_file( $this->key_path )->open( 'woo.consumer_secret', $woo['consumer_secret'] ) );
		$agent = get_user_by( 'id', $keys[0]['user_id'] );
		$this->assertSame( 'ml-connector-agent', $agent->user_login );
		$this->assertTrue( user_can( $agent->ID, 'manage_woocommerce' ) );
		$this->assertFalse( user_can( $agent->ID, 'manage_options' ) );
	}

	public function test_reprovisioning_replaces_the_key_and_needs_nonce_and_capability() {
		global $wpdb;
		WP_Shim::log_in_as( 'shop_manager' );
		$this->save( $this->form( array() ) );
		$old = array_keys( $wpdb->tables['wp_woocommerce_api_keys'] );

		try {
			WP_Shim::admin_request( 'admin_post_ml_connector_reprovision', array( '_wpnonce' => wp_create_nonce( 'ml_connector_reprovision' ) ) );
		} catch ( WP_Shim_Redirect $redirect ) {
			$this->assertStringContainsString( 'page=ml-connector', $redirect->location );
		}

		$new = array_keys( $wpdb->tables['wp_woocommerce_api_keys'] );
		$this->assertCount( 1, $new );
		$this->assertNotSame( $old, $new );
		$this->assertSame( wc_api_hash( $this->document()['woo']['consumer_key'] ), $wpdb->tables['wp_woocommerce_api_keys'][ $new[0] ]['consumer_key'] );

		foreach ( array( array( 'customer', wp_create_nonce( 'ml_connector_reprovision' ) ), array( 'shop_manager', 'forged' ) ) as $attempt ) {
			WP_Shim::log_in_as( $attempt[0] );
			try {
				WP_Shim::admin_request( 'admin_post_ml_connector_reprovision', array( '_wpnonce' => 'forged' === $attempt[1] ? 'forged' : wp_create_nonce( 'ml_connector_reprovision' ) ) );
				$this->fail( 'reprovisioned for ' . $attempt[0] );
			} catch ( WP_Shim_Die $die ) {
				$this->assertSame( 403, $die->status );
			}
		}
		$this->assertSame( $new, array_keys( $wpdb->tables['wp_woocommerce_api_keys'] ) );
	}

	public function test_no_key_is_created_when_its_secret_cannot_be_encrypted() {
		global $wpdb;
		unlink( $this->key_path );
		WP_Shim::log_in_as( 'shop_manager' );

		$this->save( $this->form( array( 'nav' => array( 'client_secret_new' => '' ) ) ) );

		$this->assertEmpty( $wpdb->tables );
		$this->assertArrayNotHasKey( 'consumer_key', $this->document()['woo'] );
		$this->assertStringContainsString( 'The agent&#039;s WooCommerce key was not created because its secret cannot be encrypted', $this->render_settings_page() );
	}

	public function test_the_test_connection_script_loads_on_the_settings_page_only() {
		WP_Shim::log_in_as( 'shop_manager' );

		do_action( 'admin_enqueue_scripts', 'woocommerce_page_ml-connector-status' );
		$this->assertArrayNotHasKey( 'ml-connector-admin', WP_Shim::$scripts );

		do_action( 'admin_enqueue_scripts', 'woocommerce_page_ml-connector' );
		$script = WP_Shim::$scripts['ml-connector-admin'];
		$this->assertStringEndsWith( '/assets/admin.js', $script['src'] );
		$this->assertSame( wp_create_nonce( 'ml_connector_check' ), $script['data']['mlConnectorCheck']['nonce'] );
	}

	public function test_a_malformed_form_is_sanitised_not_fatal() {
		WP_Shim::log_in_as( 'shop_manager' );
		$form                                                = $this->form( array() );
		$form['ml_connector_settings']['nav']['tenant']      = array( 'not', 'a', 'string' );
		$form['ml_connector_settings']['nav']['pages']       = 'not a map';
		$form['ml_connector_settings']['orders']['guests']   = 'fixed';
		$form['ml_connector_settings']['orders']['rules']    = array( 'x', array( 'name' => array( 'y' ), 'dimensions' => array( 'z' ), 'when' => 'w' ) );
		$form['ml_connector_settings']['schedules']          = array( 'inventory' => array( 'every 5m' ) );

		$this->save( $form );

		$document = $this->document();
		$this->assertSame( '', get_option( 'ml_connector_settings' )['nav']['tenant'] );
		$this->assertSame( array( 'mode' => 'create' ), $document['orders']['guests'] );
		$this->assertSame( array(), $document['orders']['rules'] );
		$this->assertSame( 'every 15m', $document['schedules']['inventory'] );
	}

	public function test_values_the_agent_would_refuse_are_not_saved_and_say_why() {
		WP_Shim::log_in_as( 'shop_manager' );
		$this->save( $this->form( array() ) );

		$this->save(
			$this->form(
				array(
					'nav'       => array( 'client_secret_new' => '' ),
					'orders'    => array(
						'guests'              => array( 'mode' => 'fixed', 'customer_number' => '' ),
						'discounts'           => 'account',
						'order_number_prefix' => 'WOOCOMMERCE-SHOP-',
						'rules'               => array( array( 'name' => 'Long', 'dimensions' => 'CHANNEL=A-VERY-LONG-DIMENSION-VALUE', 'price_group' => 'RETAIL-CUSTOMERS' ) ),
					),
					'schedules' => array( 'inventory_full' => '75 3 * * *' ),
				)
			)
		);

		$orders = $this->document()['orders'];
		$this->assertSame( array( 'mode' => 'create' ), $orders['guests'] );
		$this->assertSame( 'line', $orders['discounts'] );
		$this->assertSame( 'WC-', $orders['order_number_prefix'] );
		$this->assertSame( array(), $orders['rules'] );
		$this->assertSame( '0 3 * * *', $this->document()['schedules']['inventory_full'] );
		$html = $this->render_settings_page();
		foreach ( array( 'need that customer&#039;s number', 'need the discounts account', 'at most 15 characters', 'codes and values hold 1 to 20 characters', 'price group RETAIL-CUSTOMERS — at most 10 characters', 'Schedule &quot;inventory_full&quot; must be' ) as $reason ) {
			$this->assertStringContainsString( $reason, $html );
		}
	}

	public function test_a_deployment_missing_what_it_needs_is_saved_with_a_warning() {
		WP_Shim::log_in_as( 'shop_manager' );

		$this->save( $this->form( array( 'deployment' => 'nav_onprem', 'nav' => array( 'client_secret_new' => '', 'user' => 'WEBSHOP' ) ) ) );

		$this->assertSame( 'nav_onprem', $this->document()['deployment'] );
		$this->assertStringContainsString( "class='notice notice-warning settings-error'><p><strong>Saved, but the agent cannot connect until these are filled in: server URL, web service access key.", $this->render_settings_page() );
	}

	public function test_schedules_follow_the_agents_rules() {
		foreach ( array( 'off', 'every 15m', 'every 8784h', '0 3 * * *', '*/15 * * * *', '30 6 * * 1-5', '0 0 29 2 *', '0 0 31 2 1', '0 3 1,15 * *' ) as $accepted ) {
			$this->assertTrue( ML_Connector_Settings::is_schedule( $accepted ), $accepted );
		}
		foreach ( array( 'every 8785h', 'every 30s', 'every 0m', '0 0 31 2 *', '0 0 30-31 2 *', '0 0 31 4,6 *', '5-3 * * * *', '60 * * * *', '* * *', 'sometimes' ) as $refused ) {
			$this->assertFalse( ML_Connector_Settings::is_schedule( $refused ), $refused );
		}
	}

	public function test_fields_the_agents_file_pins_are_marked_as_pinned() {
		WP_Shim::log_in_as( 'shop_manager' );
		$this->agent_writes( 'settings_pinned', array( 'file' => '/etc/ml-connector/agent.toml', 'paths' => array( 'schedules.inventory', 'orders.rules', 'refunds' ) ) );

		$html = $this->render_settings_page();

		$marks = substr_count( $html, 'Pinned by /etc/ml-connector/agent.toml' );
		// schedules.inventory, orders.rules, and every field of the pinned [refunds] section (4).
		$this->assertSame( 6, $marks, $html );
		$inventory_field = strpos( $html, 'name="ml_connector_settings[schedules][inventory]"' );
		$full_field      = strpos( $html, 'name="ml_connector_settings[schedules][inventory_full]"' );
		$mark            = strpos( $html, 'Pinned by', $inventory_field );
		$this->assertTrue( false !== $mark && $mark < $full_field, 'the mark follows the pinned field, not its neighbour' );
	}

	public function test_refund_settings_are_saved_shown_and_handed_to_the_agent() {
		WP_Shim::log_in_as( 'shop_manager' );

		$this->save( $this->form( array( 'refunds' => array( 'cancellation' => 'mark', 'shipping_account' => ' gl-8150 ', 'amount_account' => '', 'post_credit_memos' => '1' ) ) ) );

		$this->assertSame( array( 'cancellation' => 'mark', 'shipping_account' => 'GL-8150', 'post_credit_memos' => true ), $this->document()['refunds'], 'an empty account is left to the agent\'s default' );
		$html = $this->render_settings_page();
		$this->assertStringContainsString( 'name="ml_connector_settings[refunds][shipping_account]" value="GL-8150"', $html );
		$this->assertStringContainsString( '<option value="mark" selected=\'selected\'>', $html );
		$this->assertStringContainsString( 'name="ml_connector_settings[refunds][post_credit_memos]" value="1" checked=\'checked\'', $html );
	}

	public function test_unticking_post_credit_memos_writes_false() {
		WP_Shim::log_in_as( 'shop_manager' );
		$this->save( $this->form( array( 'refunds' => array( 'post_credit_memos' => '1' ) ) ) );

		$this->save( $this->form( array( 'nav' => array( 'client_secret_new' => '' ), 'refunds' => array( 'post_credit_memos' => '0' ) ) ) );

		$this->assertSame( array( 'cancellation' => 'delete', 'post_credit_memos' => false ), $this->document()['refunds'] );
	}

	public function test_refund_settings_the_agent_would_refuse_keep_the_previous_ones_and_name_the_field() {
		WP_Shim::log_in_as( 'shop_manager' );
		$this->save( $this->form( array( 'refunds' => array( 'cancellation' => 'mark', 'amount_account' => '8600' ) ) ) );

		$this->save(
			$this->form(
				array(
					'nav'     => array( 'client_secret_new' => '' ),
					'refunds' => array( 'cancellation' => 'void', 'shipping_account' => '<b>x</b>', 'amount_account' => str_repeat( '9', 21 ) ),
				)
			)
		);

		$refunds = $this->document()['refunds'];
		$this->assertSame( 'mark', $refunds['cancellation'] );
		$this->assertSame( '8600', $refunds['amount_account'] );
		$this->assertSame( 'X', $refunds['shipping_account'], 'markup is stripped, not stored' );
		$html = $this->render_settings_page();
		$this->assertStringContainsString( 'Cancelled orders: choose &quot;Delete the open sales order&quot; or &quot;Mark it with a comment line&quot;', $html );
		$this->assertStringContainsString( 'Amount refunds account: a G/L account number holds at most 20 characters', $html );
	}

	public function test_a_malformed_refunds_section_keeps_the_defaults() {
		WP_Shim::log_in_as( 'shop_manager' );
		$form                                     = $this->form( array() );
		$form['ml_connector_settings']['refunds'] = 'mark';

		$this->save( $form );

		$this->assertSame( array( 'cancellation' => 'delete', 'post_credit_memos' => false ), $this->document()['refunds'] );
	}

	public function test_refund_settings_are_refused_without_manage_woocommerce() {
		WP_Shim::log_in_as( 'shop_manager' );
		$this->save( $this->form( array() ) );
		WP_Shim::log_in_as( 'subscriber' );

		try {
			$this->save( $this->form( array( 'refunds' => array( 'cancellation' => 'mark' ) ) ) );
			$this->fail( 'saved without the capability' );
		} catch ( WP_Shim_Die $die ) {
			$this->assertSame( 403, $die->status );
		}
		$this->assertSame( 'delete', get_option( 'ml_connector_settings' )['refunds']['cancellation'] );
		$this->assertSame( 'delete', $this->document()['refunds']['cancellation'] );
	}

	public function test_customer_settings_are_saved_shown_and_handed_to_the_agent() {
		WP_Shim::log_in_as( 'shop_manager' );

		$this->save(
			$this->form(
				array(
					'nav'       => array( 'pages' => array( 'ship_to' => 'WebShipTo' ) ),
					'customers' => array(
						'enabled'         => '1',
						'ship_to_code'    => ' web ',
						'vat_meta_key'    => '',
						'payment_terms'   => "bacs = 30 days\r\n* = 14 DAYS\r\n",
						'payment_methods' => '',
						'owners'          => "address = nav\nship_to = woo",
					),
				)
			)
		);

		$document = $this->document();
		$this->assertSame(
			array(
				'enabled'       => true,
				'ship_to_code'  => 'WEB',
				'payment_terms' => array( 'bacs' => '30 DAYS', '*' => '14 DAYS' ),
				'owners'        => array( 'address' => 'nav', 'ship_to' => 'woo' ),
			),
			$document['customers'],
			'empty texts and maps are left to the agent\'s defaults'
		);
		$this->assertSame( array( 'ship_to' => 'WebShipTo' ), $document['nav']['pages'], 'Business Central needs only page 300 by name' );
		$html = $this->render_settings_page();
		$this->assertStringContainsString( 'name="ml_connector_settings[customers][ship_to_code]" value="WEB"', $html );
		$this->assertStringContainsString( "bacs = 30 DAYS\n* = 14 DAYS</textarea>", $html );
		$this->assertStringContainsString( 'name="ml_connector_settings[customers][enabled]" value="1" checked=\'checked\'', $html );
	}

	public function test_customer_settings_the_agent_would_refuse_keep_the_previous_ones_and_name_the_line() {
		WP_Shim::log_in_as( 'shop_manager' );
		$this->save( $this->form( array( 'customers' => array( 'ship_to_code' => 'WEB', 'payment_terms' => 'bacs = 30 DAYS', 'owners' => 'phone = nav' ) ) ) );

		$this->save(
			$this->form(
				array(
					'nav'       => array( 'client_secret_new' => '' ),
					'customers' => array(
						'ship_to_code'  => 'WEBSHOP-ADDRESS',
						'payment_terms' => "bacs = FAR TOO LONG CODE\n* = COD",
						'owners'        => "credit_limit = woo",
					),
				)
			)
		);

		$customers = $this->document()['customers'];
		$this->assertSame( 'WEB', $customers['ship_to_code'] );
		$this->assertSame( array( 'bacs' => '30 DAYS' ), $customers['payment_terms'] );
		$this->assertSame( array( 'phone' => 'nav' ), $customers['owners'] );
		$html = $this->render_settings_page();
		$this->assertStringContainsString( 'Ship-to code: a NAV code holds at most 10 characters', $html );
		$this->assertStringContainsString( 'Payment terms: &quot;bacs = FAR TOO LONG CODE&quot; is not', $html );
		$this->assertStringContainsString( 'Field owners: &quot;credit_limit = woo&quot; is not', $html );
	}
}
