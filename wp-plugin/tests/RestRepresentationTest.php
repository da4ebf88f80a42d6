<?php
/**
 * Event payloads have the WooCommerce REST v3 shape: the same field names and JSON types as the
 * REST samples (fixtures/rest-v3-samples.json, from the reference), so the agent reads hook
 * events and REST reads with one set of types.
 */
final class RestRepresentationTest extends ML_Connector_Test_Case {

	/** Field names and JSON types; a list is described by its first element; null matches anything. */
	private static function shape( $value ) {
		if ( is_array( $value ) ) {
			if ( array() === $value ) {
				return 'list';
			}
			if ( array_keys( $value ) === range( 0, count( $value ) - 1 ) ) {
				return array( self::shape( $value[0] ) );
			}
			return array_map( array( __CLASS__, 'shape' ), $value );
		}
		if ( is_int( $value ) || is_float( $value ) ) {
			return 'number';
		}
		return null === $value ? null : gettype( $value );
	}

	private function assertSameShape( $expected, $actual, $path ) {
		if ( null === $expected || null === $actual ) {
			return; // a null (an unset date, a missing SKU) stands for any type
		}
		if ( 'list' === $expected || 'list' === $actual ) {
			$this->assertTrue( is_array( $expected ) || is_array( $actual ) || $expected === $actual, "$path: a list on both sides" );
			return;
		}
		if ( is_array( $expected ) ) {
			$this->assertIsArray( $actual, $path );
			$this->assertSame( array_keys( $expected ), array_keys( $actual ), "$path: fields" );
			foreach ( $expected as $key => $shape ) {
				$this->assertSameShape( $shape, $actual[ $key ], "$path.$key" );
			}
			return;
		}
		$this->assertSame( $expected, $actual, $path );
	}

	private function sample( $name ) {
		return json_decode( file_get_contents( self::FIXTURES . '../rest-v3-samples.json' ), true )[ $name ];
	}

	public function test_order_payloads_have_the_rest_v3_order_shape() {
		$order_id = WC_Stand_In_Order_Flows::classic_checkout( $this->order_args( $this->products() ) );
		WC_Stand_In_Order_Flows::refund( $order_id, '10.00' );
		$this->end_request();

		$order = $this->events_about( 'order' )[0]['payload'];
		$this->assertSameShape( self::shape( $this->sample( 'order' ) ), self::shape( $order ), 'order' );
	}

	public function test_refund_payloads_have_the_rest_v3_refund_shape() {
		$order_id = WC_Stand_In_Order_Flows::classic_checkout( $this->order_args( $this->products() ) );
		$item_id  = array_keys( wc_get_order( $order_id )->get_items() )[0];
		WC_Stand_In_Order_Flows::refund( $order_id, '59.29', array( $item_id => 1 ) );
		$this->end_request();

		$refund = $this->events_about( 'refund' )[0]['payload'];
		$this->assertSameShape( self::shape( $this->sample( 'refund' ) ), self::shape( $refund ), 'refund' );
	}

	public function test_customer_payloads_have_the_rest_v3_customer_shape() {
		WC_Stand_In_Customer_Flows::rest_create_customer( 'john.doe@example.com', 'John', 'Doe' );
		$this->end_request();

		$customer = $this->events_about( 'customer' )[0]['payload'];
		$this->assertSameShape( self::shape( $this->sample( 'customer' ) ), self::shape( $customer ), 'customer' );
	}

	public function test_dates_are_site_time_and_gmt_and_money_has_the_store_decimals() {
		WC_Stand_In_Order_Flows::rest_create_order( $this->order_args( $this->products() ) );
		$this->end_request();

		$order = $this->events()[0]['payload'];
		$this->assertSame( '2026-11-28T11:00:00', $order['date_created'], 'Europe/Berlin in November is UTC+1' );
		$this->assertSame( '2026-11-28T10:00:00', $order['date_created_gmt'] );
		$this->assertSame( $order['date_modified_gmt'], $this->events()[0]['modified_gmt'] );
		foreach ( array( 'discount_total', 'shipping_total', 'cart_tax', 'total', 'total_tax' ) as $field ) {
			$this->assertMatchesRegularExpression( '/^-?\d+\.\d\d$/', $order[ $field ], $field );
		}
		$this->assertSame( 'Logo T-Shirt', $order['line_items'][1]['parent_name'] );
		$this->assertSame( 104, $order['line_items'][1]['variation_id'] );
		$this->assertSame( 103, $order['line_items'][1]['product_id'] );
	}
}
