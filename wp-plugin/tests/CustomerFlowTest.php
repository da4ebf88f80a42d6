<?php
/**
 * Customers created or updated on every path (reference 1.2, "Customer flows"): one event per
 * customer per request whatever subset of the four hooks the path fires, with the path's origin;
 * users that are not customers, and the agent's own user, make none.
 */
final class CustomerFlowTest extends ML_Connector_Test_Case {

	public function test_rest_created_customer_is_one_created_event() {
		$id = WC_Stand_In_Customer_Flows::rest_create_customer( 'jan@example.nl', 'Jan', 'Jansen' );
		$this->end_request();

		$events = $this->events();
		$this->assertCount( 1, $events );
		$this->assertSame( 'customer.created', $events[0]['kind'] );
		$this->assertSame( $id, $events[0]['object_id'] );
		$this->assertSame( 'rest-api', $events[0]['origin'] );
		$this->assertSame( 'Jansen', $events[0]['payload']['last_name'] );
		$this->assertSame( array( 'user_register', 'woocommerce_created_customer', 'profile_update', 'woocommerce_new_customer' ), $events[0]['hooks'] );
		$this->assertSame( array(), Event_Schema_Check::problems( $events[0] ) );
		$this->assertMatchesFixture( 'customer-created-rest-api', $events[0] );
	}

	public function test_rest_updated_customer_is_one_updated_event() {
		$id = WC_Stand_In_Customer_Flows::rest_create_customer( 'jan@example.nl' );
		$this->end_request();

		WC_Stand_In_Customer_Flows::rest_update_customer( $id, array( 'city' => 'Utrecht', 'country' => 'NL' ) );
		$this->end_request();

		$event = $this->events()[1];
		$this->assertSame( 'customer.updated', $event['kind'] );
		$this->assertSame( 'Utrecht', $event['payload']['billing']['city'] );
		$this->assertSame( array( 'profile_update', 'woocommerce_update_customer' ), $event['hooks'] );
		$this->assertMatchesFixture( 'customer-updated-rest-api', $event );
	}

	public function test_account_created_at_classic_checkout_is_one_customer_event_with_origin_checkout() {
		WC_Stand_In_Order_Flows::classic_checkout( $this->order_args( $this->products() ), 'paid', array( 'email' => 'new@example.com' ) );
		$this->end_request();

		$customers = $this->events_about( 'customer' );
		$this->assertCount( 1, $customers );
		$this->assertSame( 'customer.created', $customers[0]['kind'] );
		$this->assertSame( 'checkout', $customers[0]['origin'] );
		$this->assertSame( array( 'user_register', 'woocommerce_created_customer', 'profile_update', 'woocommerce_update_customer' ), $customers[0]['hooks'] );
		$order = $this->events_about( 'order' )[0];
		$this->assertSame( $customers[0]['object_id'], $order['payload']['customer_id'] );
		$this->assertMatchesFixture( 'customer-created-checkout', $customers[0] );
	}

	public function test_a_logged_in_customer_checking_out_is_updated_with_origin_checkout() {
		$id = WC_Stand_In_Customer_Flows::rest_create_customer( 'regular@example.com' );
		$this->end_request();

		WC_Stand_In_Order_Flows::classic_checkout( $this->order_args( $this->products(), array( 'customer_id' => $id ) ) );
		$this->end_request();

		$customer = $this->events_about( 'customer' )[1];
		$this->assertSame( 'customer.updated', $customer['kind'] );
		$this->assertSame( 'checkout', $customer['origin'] );
		$this->assertSame( 'Köln', $customer['payload']['billing']['city'] );
	}

	public function test_account_created_at_block_checkout_has_origin_store_api() {
		$order_id = WC_Stand_In_Order_Flows::block_checkout_draft( $this->order_args( $this->products() ) );
		$this->end_request();

		WC_Stand_In_Order_Flows::block_checkout_place_order( $order_id, 'paid', array( 'email' => 'block@example.com' ) );
		$this->end_request();

		$customers = $this->events_about( 'customer' );
		$this->assertCount( 1, $customers );
		$this->assertSame( 'customer.created', $customers[0]['kind'] );
		$this->assertSame( 'store-api', $customers[0]['origin'] );
	}

	public function test_my_account_registration_and_edits_have_origin_account() {
		$id = WC_Stand_In_Customer_Flows::account_register( 'reg@example.com' );
		$this->end_request();
		WC_Stand_In_Customer_Flows::account_edit_details( $id, 'Rita', 'Register' );
		$this->end_request();
		WC_Stand_In_Customer_Flows::account_edit_address( $id, 'shipping', array( 'city' => 'Graz', 'country' => 'AT' ) );
		$this->end_request();

		$events = $this->events();
		$this->assertSame( array( 'customer.created', 'customer.updated', 'customer.updated' ), array_column( $events, 'kind' ) );
		$this->assertSame( array( 'account', 'account', 'account' ), array_column( $events, 'origin' ) );
		$this->assertSame( array( 'user_register', 'woocommerce_created_customer' ), $events[0]['hooks'] );
		$this->assertSame( 'Rita', $events[1]['payload']['first_name'] );
		$this->assertSame( 'Graz', $events[2]['payload']['shipping']['city'] );
		$this->assertMatchesFixture( 'customer-created-account', $events[0] );
	}

	public function test_wp_admin_user_screens_make_events_for_customers_only() {
		WP_Shim::$is_admin = true;
		$customer          = WC_Stand_In_Customer_Flows::admin_add_user( 'shopper@example.com' );
		WC_Stand_In_Customer_Flows::admin_add_user( 'editor@example.com', 'editor' );
		$this->end_request();
		WP_Shim::$is_admin = true;
		WC_Stand_In_Customer_Flows::admin_edit_profile( $customer, 'Sam' );
		$this->end_request();

		$events = $this->events();
		$this->assertSame( array( 'customer.created', 'customer.updated' ), array_column( $events, 'kind' ) );
		$this->assertSame( array( $customer, $customer ), array_column( $events, 'object_id' ) );
		$this->assertSame( array( 'admin', 'admin' ), array_column( $events, 'origin' ) );
		$this->assertSame( array( 'profile_update' ), $events[1]['hooks'] );
		$this->assertMatchesFixture( 'customer-created-admin', $events[0] );
	}

	public function test_a_deleted_customer_carries_its_last_representation() {
		$id = WC_Stand_In_Customer_Flows::rest_create_customer( 'gone@example.com', 'Gone', 'Away' );
		$this->end_request();

		WP_Shim::$is_admin = true;
		WC_Stand_In_Customer_Flows::admin_delete_user( $id );
		$this->end_request();

		$event = $this->events()[1];
		$this->assertSame( 'customer.deleted', $event['kind'] );
		$this->assertSame( 'gone@example.com', $event['payload']['email'] );
		$this->assertSame( array( 'delete_user' ), $event['hooks'] );
		$this->assertSame( array(), Event_Schema_Check::problems( $event ) );
		$this->assertMatchesFixture( 'customer-deleted', $event );
	}

	public function test_provisioning_the_agents_own_user_makes_no_customer_event() {
		$this->assertNull( $this->plugin->agent_access()->provision() );
		$this->end_request();

		$this->assertGreaterThan( 0, did_action( 'user_register' ) );
		$this->assertSame( array(), $this->events() );
	}
}
