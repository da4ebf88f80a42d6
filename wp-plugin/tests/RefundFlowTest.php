<?php
/**
 * Refunds (reference 1.2, wc_create_refund): each makes a refund.created carrying its order as
 * parent_id, and one order.updated for the order (its refunds list, maybe its status).
 */
final class RefundFlowTest extends ML_Connector_Test_Case {

	private function paid_order() {
		$order_id = WC_Stand_In_Order_Flows::classic_checkout( $this->order_args( $this->products() ) );
		$this->end_request();
		return $order_id;
	}

	private function first_line_item_id( $order_id ) {
		return array_keys( wc_get_order( $order_id )->get_items() )[0];
	}

	public function test_a_partial_refund_makes_a_refund_event_with_parent_id_and_one_order_update() {
		$order_id = $this->paid_order();
		$item_id  = $this->first_line_item_id( $order_id );
		WP_Shim::$is_admin = true;

		$refund_id = WC_Stand_In_Order_Flows::refund( $order_id, '59.29', array( $item_id => 1 ), true, 'Lamp arrived broken' );
		$this->end_request();

		$events = array_slice( $this->events(), 1 );
		$this->assertSame( array( 'refund.created', 'order.updated' ), array_column( $events, 'kind' ) );
		$refund = $events[0];
		$this->assertSame( $refund_id, $refund['object_id'] );
		$this->assertSame( $order_id, $refund['parent_id'] );
		$this->assertSame( 'admin', $refund['origin'] );
		$this->assertSame( '59.29', $refund['payload']['amount'] );
		$this->assertSame( 'Lamp arrived broken', $refund['payload']['reason'] );
		$this->assertSame( -1, $refund['payload']['line_items'][0]['quantity'] );
		$this->assertSame( '-49.41', $refund['payload']['line_items'][0]['total'] );
		$this->assertSame( (string) $item_id, array_column( $refund['payload']['line_items'][0]['meta_data'], 'value', 'key' )['_refunded_item_id'], 'meta values come back from the database as strings' );
		$this->assertSame( array( 'woocommerce_refund_created', 'woocommerce_order_refunded' ), array_slice( $refund['hooks'], -2 ) );
		$this->assertSame( array(), Event_Schema_Check::problems( $refund ) );
		$order = $events[1];
		$this->assertSame( 'processing', $order['payload']['status'] );
		$this->assertSame( array( array( 'id' => $refund_id, 'reason' => 'Lamp arrived broken', 'total' => '-59.29' ) ), $order['payload']['refunds'] );
		$this->assertSame( array( 'woocommerce_order_partially_refunded', 'woocommerce_update_order', 'woocommerce_order_refunded' ), $order['hooks'] );
		$this->assertMatchesFixture( 'refund-created', $refund );
	}

	public function test_a_full_refund_also_moves_the_order_to_refunded() {
		$order_id = $this->paid_order();
		WP_Shim::$is_admin = true;

		WC_Stand_In_Order_Flows::refund( $order_id, wc_get_order( $order_id )->get_total(), array(), false, 'Cancelled by phone' );
		$this->end_request();

		$events = array_slice( $this->events(), 1 );
		$this->assertSame( array( 'refund.created', 'order.updated' ), array_column( $events, 'kind' ) );
		$this->assertSame( 'refunded', $events[1]['payload']['status'] );
		$this->assertContains( 'woocommerce_order_fully_refunded', $events[1]['hooks'] );
		$this->assertContains( 'woocommerce_order_status_changed', $events[1]['hooks'] );
	}

	public function test_setting_the_status_to_refunded_records_the_rest_as_an_itemless_refund() {
		$order_id = $this->paid_order();
		WP_Shim::$is_admin = true;

		WC_Stand_In_Order_Flows::admin_change_status( $order_id, 'refunded' );
		$this->end_request();

		$events = array_slice( $this->events(), 1 );
		$this->assertSame( array( 'order.updated', 'refund.created' ), array_column( $events, 'kind' ) );
		$this->assertSame( 'refunded', $events[0]['payload']['status'] );
		$this->assertSame( wc_get_order( $order_id )->get_total(), $events[1]['payload']['amount'] );
		$this->assertSame( array(), $events[1]['payload']['line_items'] );
		$this->assertSame( $order_id, $events[1]['parent_id'] );
	}

	public function test_a_deleted_refund_makes_refund_deleted_with_parent_id_and_an_order_update() {
		$order_id  = $this->paid_order();
		$refund_id = WC_Stand_In_Order_Flows::refund( $order_id, '10.00' );
		$this->end_request();

		WC_Stand_In_Request::rest(
			'DELETE',
			"/wc/v3/orders/$order_id/refunds/$refund_id",
			function () use ( $refund_id ) {
				WC_Stand_In_Order_Flows::delete_refund( $refund_id );
			}
		);
		$this->end_request();

		$events = array_slice( $this->events(), 3 );
		$this->assertSame( array( 'refund.deleted', 'order.updated' ), array_column( $events, 'kind' ) );
		$this->assertSame( $order_id, $events[0]['parent_id'] );
		$this->assertSame( array( 'id' => $refund_id ), $events[0]['payload'] );
		$this->assertSame( 'rest-api', $events[0]['origin'] );
		$this->assertSame( array(), $events[1]['payload']['refunds'] );
		$this->assertSame( array(), Event_Schema_Check::problems( $events[0] ) );
		$this->assertMatchesFixture( 'refund-deleted', $events[0] );
	}
}
