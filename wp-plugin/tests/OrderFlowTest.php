<?php
/**
 * Orders through every path of the reference's section 1.3: one event per order per request,
 * built at shutdown from the saved order (line items included), with the path's origin and the
 * hooks seen; drafts never produce events.
 */
final class OrderFlowTest extends ML_Connector_Test_Case {

	public function test_classic_checkout_makes_one_created_event_with_the_items_not_yet_saved_at_new_order() {
		$products           = $this->products();
		$items_at_new_order = null;
		add_action(
			'woocommerce_new_order',
			function ( $order_id ) use ( &$items_at_new_order ) {
				$items_at_new_order = count( wc_get_order( $order_id )->get_items() );
			}
		);

		$order_id = WC_Stand_In_Order_Flows::classic_checkout( $this->order_args( $products ) );
		$this->end_request();

		$this->assertSame( 0, $items_at_new_order, 'the stand-in models items not yet saved at woocommerce_new_order' );
		$events = $this->events();
		$this->assertCount( 1, $events );
		$this->assertSame( 'order.created', $events[0]['kind'] );
		$this->assertSame( $order_id, $events[0]['object_id'] );
		$this->assertSame( 'checkout', $events[0]['origin'] );
		$this->assertSame( 'processing', $events[0]['payload']['status'] );
		$this->assertSame( array( 'WEB-LAMP', 'TSHIRT-M' ), array_column( $events[0]['payload']['line_items'], 'sku' ) );
		$this->assertSame( array( 'woocommerce_new_order', 'woocommerce_checkout_order_processed', 'woocommerce_update_order', 'woocommerce_order_status_changed', 'woocommerce_payment_complete' ), $events[0]['hooks'] );
		$this->assertSame( array(), Event_Schema_Check::problems( $events[0] ) );
		$this->assertMatchesFixture( 'order-created-checkout', $events[0] );
	}

	public function test_block_checkout_draft_makes_no_event_and_placing_it_makes_one_created_event() {
		$products = $this->products();
		$order_id = WC_Stand_In_Order_Flows::block_checkout_draft( $this->order_args( $products ) );
		$this->end_request();
		$this->assertSame( array(), $this->events(), 'a checkout-draft is not an order yet' );

		WC_Stand_In_Order_Flows::block_checkout_place_order( $order_id );
		$this->end_request();

		$events = $this->events();
		$this->assertCount( 1, $events );
		$this->assertSame( 'order.created', $events[0]['kind'] );
		$this->assertSame( 'store-api', $events[0]['origin'] );
		$this->assertSame( 'processing', $events[0]['payload']['status'] );
		$this->assertCount( 2, $events[0]['payload']['line_items'] );
		$this->assertSame( array( 'woocommerce_update_order', 'woocommerce_store_api_checkout_order_processed', 'woocommerce_new_order', 'woocommerce_order_status_changed', 'woocommerce_payment_complete' ), $events[0]['hooks'] );
		$this->assertSame( array(), Event_Schema_Check::problems( $events[0] ) );
		$this->assertMatchesFixture( 'order-created-store-api', $events[0] );
	}

	public function test_block_checkout_on_stores_before_9_1_is_created_when_it_leaves_the_draft() {
		WC_Stand_In_Store::$draft_new_order = true;
		$products                           = $this->products();
		$fired                              = 0;
		add_action(
			'woocommerce_new_order',
			function () use ( &$fired ) {
				++$fired;
			}
		);
		$order_id = WC_Stand_In_Order_Flows::block_checkout_draft( $this->order_args( $products ) );
		$this->end_request();
		$this->assertSame( 1, $fired, 'older stores fire new_order for the draft' );
		$this->assertSame( array(), $this->events() );

		WC_Stand_In_Order_Flows::block_checkout_place_order( $order_id );
		$this->end_request();

		$events = $this->events();
		$this->assertSame( 1, $fired, 'and update_order, not new_order, when it leaves the draft' );
		$this->assertCount( 1, $events );
		$this->assertSame( 'order.created', $events[0]['kind'] );
		$this->assertNotContains( 'woocommerce_new_order', $events[0]['hooks'] );
	}

	public function test_a_draft_saved_many_times_never_makes_an_event() {
		$order_id = WC_Stand_In_Order_Flows::block_checkout_draft( $this->order_args( $this->products() ) );
		for ( $i = 0; $i < 3; $i++ ) {
			wc_get_order( $order_id )->save();
		}
		WC_Stand_In_Order_Flows::meta_only_save( $order_id, '_wc_order_attribution_source_type', 'typein' );
		$this->end_request();

		$this->assertSame( array(), $this->events() );
	}

	public function test_admin_created_order_is_one_event_after_create_and_none_while_it_is_an_auto_draft() {
		$products = $this->products();
		WP_Shim::$is_admin = true;
		$order_id          = WC_Stand_In_Order_Flows::admin_add_order();
		$this->end_request();
		WP_Shim::$is_admin = true;
		WC_Stand_In_Order_Flows::admin_add_items( $order_id, array( array( 'product_id' => $products['desk'], 'quantity' => 1 ) ) );
		$this->end_request();
		$this->assertSame( array(), $this->events(), 'auto-drafts make no events' );

		WP_Shim::$is_admin = true;
		WC_Stand_In_Order_Flows::admin_create_order( $order_id, 'processing' );
		$this->end_request();

		$events = $this->events();
		$this->assertCount( 1, $events );
		$this->assertSame( 'order.created', $events[0]['kind'] );
		$this->assertSame( 'admin', $events[0]['origin'] );
		$this->assertSame( '1896-S', $events[0]['payload']['line_items'][0]['sku'] );
		$this->assertSame( array( 'woocommerce_new_order', 'woocommerce_order_status_changed', 'woocommerce_process_shop_order_meta' ), $events[0]['hooks'] );
		$this->assertMatchesFixture( 'order-created-admin', $events[0] );
	}

	public function test_admin_update_with_three_saves_makes_one_updated_event() {
		$order_id = WC_Stand_In_Order_Flows::classic_checkout( $this->order_args( $this->products() ), 'on-hold' );
		$this->end_request();
		$saves = did_action( 'woocommerce_update_order' );

		WP_Shim::$is_admin = true;
		WC_Stand_In_Order_Flows::admin_update_order( $order_id, 'completed', 'Leave at the door' );
		$this->end_request();

		$this->assertSame( 3, did_action( 'woocommerce_update_order' ) - $saves );
		$events = $this->events();
		$this->assertCount( 2, $events );
		$this->assertSame( 'order.updated', $events[1]['kind'] );
		$this->assertSame( 'admin', $events[1]['origin'] );
		$this->assertSame( 'completed', $events[1]['payload']['status'] );
		$this->assertSame( 'Leave at the door', $events[1]['payload']['customer_note'] );
		$this->assertSame( array( 'woocommerce_process_shop_order_meta', 'woocommerce_update_order', 'woocommerce_order_status_changed' ), $events[1]['hooks'] );
		$this->assertMatchesFixture( 'order-updated-admin', $events[1] );
	}

	public function test_rest_created_order_is_one_created_event_whatever_the_number_of_saves() {
		$products = $this->products();
		$before   = did_action( 'woocommerce_update_order' );
		$order_id = WC_Stand_In_Order_Flows::rest_create_order( $this->order_args( $products, array( 'customer_note' => 'REST' ) ), 'processing' );
		$this->end_request();

		$this->assertGreaterThanOrEqual( 3, did_action( 'woocommerce_update_order' ) - $before );
		$events = $this->events();
		$this->assertCount( 1, $events );
		$this->assertSame( 'order.created', $events[0]['kind'] );
		$this->assertSame( $order_id, $events[0]['object_id'] );
		$this->assertSame( 'rest-api', $events[0]['origin'] );
		$this->assertCount( 2, $events[0]['payload']['line_items'] );
		$this->assertSame( array( 'woocommerce_new_order', 'woocommerce_update_order', 'woocommerce_order_status_changed', 'woocommerce_rest_insert_shop_order_object' ), $events[0]['hooks'] );
		$this->assertMatchesFixture( 'order-created-rest-api', $events[0] );
	}

	public function test_a_status_change_is_one_updated_event() {
		$order_id = WC_Stand_In_Order_Flows::classic_checkout( $this->order_args( $this->products() ) );
		$this->end_request();

		WP_Shim::$is_admin = true;
		WC_Stand_In_Order_Flows::admin_change_status( $order_id, 'completed' );
		$this->end_request();

		$event = $this->events()[1];
		$this->assertSame( 'order.updated', $event['kind'] );
		$this->assertSame( 'completed', $event['payload']['status'] );
		$this->assertSame( 'admin', $event['origin'] );
		$this->assertSame( array( 'woocommerce_update_order', 'woocommerce_order_status_changed' ), $event['hooks'] );
	}

	public function test_cancellations_by_admin_customer_and_timeout_carry_their_origin() {
		$origins = array();
		foreach ( array( 'admin', 'customer', 'timeout' ) as $by ) {
			$order_id = WC_Stand_In_Order_Flows::classic_checkout( $this->order_args( $this->products() ), 'none' );
			$this->end_request();
			WP_Shim::$is_admin   = 'admin' === $by;
			WP_Shim::$doing_cron = 'timeout' === $by;
			WC_Stand_In_Order_Flows::cancel_order( $order_id, $by );
			$this->end_request();
			WP_Shim::$doing_cron = false;
			$event               = array_slice( $this->events(), -1 )[0];
			$this->assertSame( 'order.updated', $event['kind'] );
			$this->assertSame( 'cancelled', $event['payload']['status'] );
			$origins[ $by ] = $event['origin'];
			if ( 'admin' === $by ) {
				$this->assertMatchesFixture( 'order-updated-cancelled', $event );
			}
		}
		$this->assertSame( array( 'admin' => 'admin', 'customer' => 'checkout', 'timeout' => 'cron' ), $origins, 'a customer cancelling on the site has no other path than the order\'s created_via' );
	}

	public function test_trash_untrash_and_delete_make_deleted_restored_deleted() {
		$order_id = WC_Stand_In_Order_Flows::classic_checkout( $this->order_args( $this->products() ) );
		$this->end_request();

		WP_Shim::$is_admin = true;
		WC_Stand_In_Order_Flows::trash_order( $order_id );
		$this->end_request();
		WP_Shim::$is_admin = true;
		WC_Stand_In_Order_Flows::untrash_order( $order_id );
		$this->end_request();
		WP_Shim::$is_admin = true;
		WC_Stand_In_Order_Flows::delete_order( $order_id );
		$this->end_request();

		$events = $this->events();
		$this->assertSame( array( 'order.created', 'order.deleted', 'order.restored', 'order.deleted' ), array_column( $events, 'kind' ) );
		$this->assertSame( 'trash', $events[1]['payload']['status'] );
		$this->assertSame( array( 'woocommerce_before_trash_order', 'woocommerce_trash_order' ), $events[1]['hooks'] );
		$this->assertSame( 'processing', $events[2]['payload']['status'] );
		$this->assertSame( 'processing', $events[3]['payload']['status'], 'a permanent delete carries the order as it was just before' );
		$this->assertCount( 2, $events[3]['payload']['line_items'] );
		$this->assertSame( array( 'woocommerce_before_delete_order', 'woocommerce_delete_order' ), $events[3]['hooks'] );
		foreach ( $events as $event ) {
			$this->assertSame( array(), Event_Schema_Check::problems( $event ) );
		}
		$this->assertMatchesFixture( 'order-deleted', $events[1] );
		$this->assertMatchesFixture( 'order-restored', $events[2] );
	}

	public function test_trash_and_restore_on_the_legacy_posts_screens_are_seen_through_the_post_hooks() {
		WC_Stand_In_Store::$hpos = false;
		$order_id                = WC_Stand_In_Order_Flows::classic_checkout( $this->order_args( $this->products() ) );
		$this->end_request();

		WC_Stand_In_Order_Flows::trash_order( $order_id );
		$this->end_request();
		WC_Stand_In_Order_Flows::untrash_order( $order_id );
		$this->end_request();

		$events = $this->events();
		$this->assertSame( array( 'order.created', 'order.deleted', 'order.restored' ), array_column( $events, 'kind' ) );
		$this->assertContains( 'wp_trash_post', $events[1]['hooks'] );
		$this->assertContains( 'untrashed_post', $events[2]['hooks'] );
	}

	public function test_a_deleted_draft_makes_no_event() {
		$order_id = WC_Stand_In_Order_Flows::block_checkout_draft( $this->order_args( $this->products() ) );
		$this->end_request();

		WC_Stand_In_Order_Flows::delete_order( $order_id );
		$this->end_request();

		$this->assertSame( array(), $this->events() );
	}

	public function test_hpos_meta_only_saves_add_no_events() {
		$order_id = WC_Stand_In_Order_Flows::classic_checkout( $this->order_args( $this->products() ) );
		WC_Stand_In_Order_Flows::meta_only_save( $order_id, '_gateway_reference', 'PAY-1' );
		WC_Stand_In_Order_Flows::meta_only_save( $order_id, '_gateway_fee', '0.35' );
		$this->end_request();

		$events = $this->events();
		$this->assertCount( 1, $events );
		$this->assertSame( array( '_gateway_reference', '_gateway_fee' ), array_column( $events[0]['payload']['meta_data'], 'key' ) );
	}

	public function test_several_orders_in_one_request_make_one_event_each() {
		$ids = array();
		for ( $i = 0; $i < 3; $i++ ) {
			$ids[] = WC_Stand_In_Order_Flows::classic_checkout( $this->order_args( $this->products() ), 'on-hold' );
		}
		$this->end_request();

		WP_Shim::$is_admin = true;
		foreach ( $ids as $id ) {
			WC_Stand_In_Order_Flows::admin_change_status( $id, 'processing' );
		}
		$this->end_request();

		$updates = array_slice( $this->events(), 3 );
		$this->assertSame( $ids, array_column( $updates, 'object_id' ) );
		$this->assertSame( array( 'order.updated', 'order.updated', 'order.updated' ), array_column( $updates, 'kind' ) );
	}

	public function test_another_plugin_saving_inside_update_order_still_makes_one_event() {
		$order_id = WC_Stand_In_Order_Flows::classic_checkout( $this->order_args( $this->products() ) );
		$this->end_request();
		$guard = false;
		add_action(
			'woocommerce_update_order',
			function ( $id ) use ( &$guard ) {
				if ( ! $guard ) {
					$guard = true;
					$order = wc_get_order( $id );
					$order->update_meta_data( '_crm_synced', 'yes' );
					$order->save();
				}
			}
		);

		WC_Stand_In_Order_Flows::admin_change_status( $order_id, 'completed' );
		$this->end_request();

		$events = $this->events();
		$this->assertCount( 2, $events );
		$this->assertSame( 'yes', array_column( $events[1]['payload']['meta_data'], 'value', 'key' )['_crm_synced'] );
	}

	public function test_saves_while_the_event_is_being_built_are_ignored() {
		$order_id = WC_Stand_In_Order_Flows::classic_checkout( $this->order_args( $this->products() ) );
		// HPOS compatibility mode may migrate (and save) an order when it is read.
		add_action(
			'shutdown',
			function () use ( $order_id ) {
				add_filter(
					'woocommerce_order_number',
					function ( $number, $order ) {
						do_action( 'woocommerce_update_order', $order->get_id(), $order );
						return $number;
					},
					10,
					2
				);
			},
			1
		);
		$this->end_request();

		$this->assertCount( 1, $this->events() );
	}

	public function test_the_agents_own_rest_write_is_marked_agent() {
		$order_id = WC_Stand_In_Order_Flows::classic_checkout( $this->order_args( $this->products() ) );
		$this->end_request();
		$this->assertNull( $this->plugin->agent_access()->provision() );
		wp_set_current_user( $this->plugin->agent_access()->user_id() );
		$_SERVER['HTTP_X_ML_CONNECTOR_ORIGIN'] = 'agent';

		WC_Stand_In_Order_Flows::rest_update_order( $order_id, null, array( 'ml_connector_nav_number' => 'S-ORD101001' ) );
		$this->end_request();

		$event = $this->events()[1];
		$this->assertSame( 'order.updated', $event['kind'] );
		$this->assertSame( 'agent', $event['origin'] );
		$this->assertSame( 'S-ORD101001', array_column( $event['payload']['meta_data'], 'value', 'key' )['ml_connector_nav_number'] );
		$this->assertMatchesFixture( 'order-updated-agent', $event );
	}

	public function test_the_agent_header_from_anyone_else_is_ignored_and_logged() {
		$this->assertNull( $this->plugin->agent_access()->provision() );
		$_SERVER['HTTP_X_ML_CONNECTOR_ORIGIN'] = 'agent';

		WC_Stand_In_Order_Flows::rest_create_order( $this->order_args( $this->products() ) );
		$this->end_request();

		$this->assertSame( 'rest-api', $this->events()[0]['origin'] );
		$this->assertStringContainsString( 'ml_connector: ignored X-ML-Connector-Origin: agent on a request not authenticated as the agent\'s user', $this->log() );
	}

	public function test_the_agents_stock_writes_make_no_events() {
		$products = $this->products();
		$this->assertNull( $this->plugin->agent_access()->provision() );
		wp_set_current_user( $this->plugin->agent_access()->user_id() );
		$_SERVER['HTTP_X_ML_CONNECTOR_ORIGIN'] = 'agent';
		$stock_hooks                           = did_action( 'woocommerce_product_set_stock' ) + did_action( 'woocommerce_variation_set_stock' );

		WC_Stand_In_Order_Flows::rest_set_stock( $products['desk'], 7 );
		WC_Stand_In_Order_Flows::rest_set_stock( $products['shirt_m'], 3 );
		$this->end_request();

		$this->assertSame( 2, did_action( 'woocommerce_product_set_stock' ) + did_action( 'woocommerce_variation_set_stock' ) - $stock_hooks );
		$this->assertSame( array(), $this->events() );
	}
}
