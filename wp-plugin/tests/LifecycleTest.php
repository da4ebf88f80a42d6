<?php
/**
 * Activation provisions and publishes; deactivation withdraws the agent's key; uninstall leaves
 * nothing of the plugin — and nothing secret — in WordPress.
 */
final class LifecycleTest extends ML_Connector_Test_Case {

	private function keys() {
		global $wpdb;
		return isset( $wpdb->tables['wp_woocommerce_api_keys'] ) ? $wpdb->tables['wp_woocommerce_api_keys'] : array();
	}

	private function document() {
		$pdo = new PDO( 'sqlite:' . $this->spool_path );
		return json_decode( $pdo->query( "SELECT value FROM settings WHERE name = 'site'" )->fetchColumn(), true );
	}

	public function test_activation_stores_defaults_gives_the_agent_a_key_and_tells_it() {
		ML_Connector_Lifecycle::activate();

		$this->assertSame( ML_Connector_Settings::defaults(), get_option( 'ml_connector_settings' ) );
		$this->assertCount( 1, $this->keys() );
		$this->assertArrayHasKey( 'consumer_secret', $this->document()['woo'] );
		$this->assertSame( 'settings.updated', $this->events()[0]['kind'] );
	}

	public function test_activation_without_a_key_file_logs_why_and_creates_no_rest_key() {
		unlink( $this->key_path );

		ML_Connector_Lifecycle::activate();

		$this->assertSame( array(), $this->keys() );
		$this->assertArrayNotHasKey( 'consumer_key', $this->document()['woo'] );
		$this->assertStringContainsString( 'ml_connector: activation: The agent\'s WooCommerce key was not created because its secret cannot be encrypted', $this->log() );
	}

	public function test_deactivation_deletes_the_agents_key_but_keeps_settings_and_user() {
		ML_Connector_Lifecycle::activate();
		$user_id = $this->plugin->agent_access()->user_id();

		ML_Connector_Lifecycle::deactivate();

		$this->assertSame( array(), $this->keys() );
		$this->assertSame( $user_id, $this->plugin->agent_access()->user_id() );
		$this->assertNull( $this->plugin->agent_access()->credentials() );
		$this->assertNotFalse( get_option( 'ml_connector_settings' ) );
		$this->assertArrayNotHasKey( 'consumer_key', $this->document()['woo'] );
	}

	public function test_reactivation_gives_a_new_key() {
		ML_Connector_Lifecycle::activate();
		ML_Connector_Lifecycle::deactivate();

		ML_Connector_Lifecycle::activate();

		$this->assertCount( 1, $this->keys() );
		$this->assertSame( $this->plugin->agent_access()->user_id(), (int) array_values( $this->keys() )[0]['user_id'] );
	}

	public function test_uninstall_removes_options_key_user_and_role() {
		WP_Shim::$is_admin = true;
		do_action( 'admin_init' );
		ML_Connector_Lifecycle::activate();
		$user_id = $this->plugin->agent_access()->user_id();

		ML_Connector_Lifecycle::uninstall();

		$this->assertSame( array(), $this->keys() );
		$this->assertFalse( get_user_by( 'id', $user_id ) );
		$this->assertNull( get_role( 'ml_connector_agent' ) );
		$this->assertSame( array(), array_filter( array_keys( WP_Shim::$options ), function ( $name ) { return 0 === strpos( $name, 'ml_connector' ); } ) );
	}
}
