<?php
/**
 * Admin notices: without the extension the plugin recommends installing it (and says when secrets
 * cannot be saved), on the plugins screen, the dashboard and its own pages, to shop managers only.
 */
final class AdminNoticesTest extends ML_Connector_Test_Case {

	private function notices( $screen ) {
		WP_Shim::$is_admin = true;
		WP_Shim::$screen   = $screen;
		ob_start();
		do_action( 'admin_notices' );
		return ob_get_clean();
	}

	public function test_the_extension_is_recommended_on_the_plugins_screen() {
		WP_Shim::log_in_as( 'shop_manager' );

		$html = $this->notices( 'plugins' );

		$this->assertStringContainsString( 'Install the ml_connector PHP extension', $html );
		$this->assertStringNotContainsString( 'cannot encrypt secrets', $html );
	}

	public function test_an_unreadable_key_file_is_an_error_notice() {
		unlink( $this->key_path );
		WP_Shim::log_in_as( 'shop_manager' );

		$this->assertStringContainsString( 'ML Connector cannot encrypt secrets: the key file ' . $this->key_path . ' is not readable by the web server.', $this->notices( 'woocommerce_page_ml-connector' ) );
	}

	public function test_no_notices_elsewhere_or_for_users_who_cannot_act() {
		WP_Shim::log_in_as( 'shop_manager' );
		$this->assertSame( '', $this->notices( 'edit-post' ) );

		WP_Shim::log_in_as( 'subscriber' );
		$this->assertSame( '', $this->notices( 'plugins' ) );
	}

	public function test_a_missing_woocommerce_is_said_to_those_who_can_activate_it() {
		WP_Shim::log_in_as( 'administrator' );
		ob_start();
		ML_Connector_Admin_Notices::woocommerce_missing();

		$this->assertStringContainsString( 'ML Connector needs WooCommerce.', ob_get_clean() );
	}
}
