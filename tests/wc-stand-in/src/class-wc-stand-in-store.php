<?php
/**
 * The stand-in's "database": rows of orders, refunds, order items, products and customers kept in
 * memory, the id sequences (orders and refunds share one, like posts), the shop's clock and the
 * storage knobs. Objects are rebuilt from rows on every read, so what a hook sees through
 * wc_get_order() is what has been saved, not the caller's in-memory object. export() and
 * import() carry the whole state from one request to the next when the stand-in runs inside a
 * real WordPress (tests/wp-e2e keeps it in an option).
 */
final class WC_Stand_In_Store {

	/** @var bool HPOS (custom order tables) is the authoritative order storage. */
	public static $hpos = true;

	/** @var bool Model WooCommerce before ≈9.1: woocommerce_new_order fires for a block-checkout draft. */
	public static $draft_new_order = false;

	/**
	 * @var bool Customers are real WordPress users (wp_users + user meta), not rows of this store —
	 *           true inside a real WordPress (see WC_Stand_In_Users).
	 */
	public static $users_in_wordpress = false;

	/** @var int The shop's clock (UNIX seconds); every save advances it by one second. */
	public static $now = 1795860000; // 2026-11-28T10:00:00Z

	/** @var string The site's home URL. */
	public static $site_url = 'https://shop.example';

	/** @var string Site timezone (the non-_gmt REST dates are in it). */
	public static $timezone = 'Europe/Berlin';

	/** @var array|null The one tax rate every taxable line pays (id, code, label, percent); null: no tax. */
	public static $tax_rate = array( 'id' => 1, 'code' => 'DE-VAT-1', 'label' => 'VAT', 'percent' => 20.0 );

	/** @var array<int, array> id => ['class' => ..., 'props' => ..., 'meta' => ...] */
	public static $orders = array();

	/** @var array<int, array> item id => ['class', 'order_id', 'props', 'meta'] */
	public static $items = array();

	/** @var array<int, array> */
	public static $products = array();

	/** @var array<int, array> */
	public static $customers = array();

	/** @var array<string, int> */
	private static $sequences = array();

	public static function reset() {
		self::$hpos            = true;
		self::$draft_new_order = false;
		self::$now             = 1795860000;
		self::$tax_rate        = array( 'id' => 1, 'code' => 'DE-VAT-1', 'label' => 'VAT', 'percent' => 20.0 );
		self::$orders          = array();
		self::$items           = array();
		self::$products        = array();
		self::$customers       = array();
		self::$sequences       = array( 'post' => 100, 'item' => 0, 'meta' => 0, 'user' => 1 );
		// WPINC is defined by a real WordPress's wp-settings.php, never by the plugin's test shim.
		self::$users_in_wordpress = defined( 'WPINC' );
	}

	/** The whole state, to be kept between requests. */
	public static function export() {
		return array(
			'now'       => self::$now,
			'orders'    => self::$orders,
			'items'     => self::$items,
			'products'  => self::$products,
			'customers' => self::$customers,
			'sequences' => self::$sequences,
		);
	}

	/** Continues from a state export() gave; the storage knobs stay as they are. */
	public static function import( array $state ) {
		self::$now       = (int) $state['now'];
		self::$orders    = $state['orders'];
		self::$items     = $state['items'];
		self::$products  = $state['products'];
		self::$customers = $state['customers'];
		self::$sequences = $state['sequences'];
	}

	public static function next_id( $sequence ) {
		if ( ! isset( self::$sequences[ $sequence ] ) ) {
			self::$sequences[ $sequence ] = 0;
		}
		return ++self::$sequences[ $sequence ];
	}

	/** The current time as a WC_DateTime in the site's timezone; advances the clock. */
	public static function tick() {
		$date = new WC_DateTime( '@' . self::$now );
		$date->setTimezone( new DateTimeZone( self::$timezone ) );
		++self::$now;
		return $date;
	}

	/** @return WC_Order_Item[] the saved items of an order, in id order. */
	public static function items_of( $order_id ) {
		$found = array();
		foreach ( self::$items as $item_id => $row ) {
			if ( $row['order_id'] === $order_id ) {
				$class = $row['class'];
				$item  = new $class();
				$item->load( $item_id, $row );
				$found[ $item_id ] = $item;
			}
		}
		return $found;
	}
}

WC_Stand_In_Store::reset();
