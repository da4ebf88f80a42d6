<?php
/**
 * The NAV number and sync state in the orders list and on the order screen, on both the HPOS and
 * the legacy screens, and the box's "Send again" (command.resync; nonce + capability).
 */
final class OrderSyncDisplayTest extends ML_Connector_Test_Case {

	private $order_id;

	protected function setUp(): void {
		parent::setUp();
		$this->order_id = WC_Stand_In_Order_Flows::classic_checkout( $this->order_args( $this->products() ) );
		$this->end_request();
		WP_Shim::$is_admin = true;
	}

	private function cell( $order_or_id, $hook ) {
		ob_start();
		do_action( $hook, 'ml_connector_sync', $order_or_id );
		return ob_get_clean();
	}

	public function test_the_column_follows_the_status_column_on_both_screens() {
		$columns = array( 'cb' => '', 'order_number' => 'Order', 'order_status' => 'Status', 'order_total' => 'Total' );

		foreach ( array( 'manage_woocommerce_page_wc-orders_columns', 'manage_shop_order_posts_columns' ) as $filter ) {
			$this->assertSame( array( 'cb', 'order_number', 'order_status', 'ml_connector_sync', 'order_total' ), array_keys( apply_filters( $filter, $columns ) ) );
		}
	}

	public function test_the_cell_shows_the_agents_sync_state_and_nav_number() {
		$this->agent_spool()->exec( "INSERT INTO order_sync (order_id, state, nav_number, reason, updated_at) VALUES ({$this->order_id}, 'synced', 'S-ORD<101001>', NULL, '2026-11-28T10:00:00.000Z')" );

		$hpos   = $this->cell( wc_get_order( $this->order_id ), 'manage_woocommerce_page_wc-orders_custom_column' );
		$legacy = $this->cell( $this->order_id, 'manage_shop_order_posts_custom_column' );

		$this->assertSame( $hpos, $legacy );
		$this->assertStringContainsString( 'Synced', $hpos );
		$this->assertStringContainsString( '<strong>S-ORD&lt;101001&gt;</strong>', $hpos );
	}

	public function test_the_nav_number_written_on_the_order_is_shown_without_a_sync_row() {
		WC_Stand_In_Order_Flows::meta_only_save( $this->order_id, 'ml_connector_nav_number', 'S-ORD101002' );

		$html = $this->cell( $this->order_id, 'manage_shop_order_posts_custom_column' );

		$this->assertStringContainsString( 'S-ORD101002', $html );
		$this->assertStringContainsString( 'Synced', $html );
	}

	public function test_an_order_the_agent_has_not_seen_says_so() {
		$this->assertStringContainsString( 'Not sent yet', $this->cell( $this->order_id, 'manage_shop_order_posts_custom_column' ) );
	}

	public function test_the_box_is_added_to_the_order_screen_of_the_active_storage() {
		do_action( 'add_meta_boxes', 'woocommerce_page_wc-orders', wc_get_order( $this->order_id ) );
		$this->assertSame( 'woocommerce_page_wc-orders', WP_Shim::$meta_boxes['ml-connector-sync']['screen'] );

		WP_Shim::$meta_boxes     = array();
		WC_Stand_In_Store::$hpos = false;
		do_action( 'add_meta_boxes', 'shop_order', (object) array( 'ID' => $this->order_id ) );
		$this->assertSame( 'shop_order', WP_Shim::$meta_boxes['ml-connector-sync']['screen'] );
	}

	public function test_the_box_shows_state_reason_and_a_send_again_link() {
		$this->agent_spool()->exec( "INSERT INTO order_sync (order_id, state, nav_number, reason, updated_at) VALUES ({$this->order_id}, 'held', NULL, 'totals differ by 0.12 (tolerance 0.05)', '2026-11-28T10:00:00.000Z')" );
		do_action( 'add_meta_boxes', 'woocommerce_page_wc-orders', wc_get_order( $this->order_id ) );

		ob_start();
		call_user_func( WP_Shim::$meta_boxes['ml-connector-sync']['callback'], (object) array( 'ID' => $this->order_id ) );
		$html = ob_get_clean();

		$this->assertStringContainsString( 'Held — see reason', $html );
		$this->assertStringContainsString( 'totals differ by 0.12 (tolerance 0.05)', $html );
		$this->assertStringContainsString( 'action=ml_connector_resync&amp;order_id=' . $this->order_id . '&amp;_wpnonce=', $html );
	}

	public function test_send_again_enqueues_command_resync_only_with_nonce_and_capability() {
		WP_Shim::log_in_as( 'shop_manager' );
		WP_Shim::$referer = admin_url( 'admin.php?page=wc-orders&action=edit&id=' . $this->order_id );
		$get              = array( 'order_id' => $this->order_id, '_wpnonce' => wp_create_nonce( 'ml_connector_resync_' . $this->order_id ) );

		try {
			WP_Shim::admin_request( 'admin_post_ml_connector_resync', array(), $get );
			$this->fail( 'no redirect' );
		} catch ( WP_Shim_Redirect $redirect ) {
			$this->assertSame( WP_Shim::$referer, $redirect->location );
		}
		$event = array_slice( $this->events(), -1 )[0];
		$this->assertSame( 'command.resync', $event['kind'] );
		$this->assertSame( array( 'order_id' => $this->order_id ), $event['payload'] );
		$this->assertMatchesFixture( 'command-resync', $event );

		$get['_wpnonce'] = wp_create_nonce( 'ml_connector_resync_999' );
		try {
			WP_Shim::admin_request( 'admin_post_ml_connector_resync', array(), $get );
			$this->fail( 'a nonce for another order was accepted' );
		} catch ( WP_Shim_Die $die ) {
			$this->assertSame( 403, $die->status );
		}
		$this->assertCount( 2, $this->events() );
	}
}
