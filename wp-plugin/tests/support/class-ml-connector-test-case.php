<?php
/**
 * The base of the plugin's tests: every test gets a fresh WordPress (shim), a fresh shop
 * (WooCommerce stand-in), its own temporary spool, key file, wake socket path and PHP error log,
 * and a started plugin. Helpers end a request (fire `shutdown`), read what reached the spool and
 * what was logged, and compare events with the JSON fixtures a Rust test also reads.
 */

use Automattic\WooCommerce\Utilities\FeaturesUtil;
use PHPUnit\Framework\TestCase;

abstract class ML_Connector_Test_Case extends TestCase {

	const FIXTURES = __DIR__ . '/../fixtures/events/';

	/** occurred_at differs every run; fixtures hold this instead. */
	const FIXED_OCCURRED_AT = '2026-11-28T08:40:00.000Z';

	protected $dir;
	protected $spool_path;
	protected $key_path;
	protected $socket_path;
	protected $log_path;

	/** @var ML_Connector_Plugin */
	protected $plugin;

	protected function setUp(): void {
		WP_Shim::reset();
		WC_Stand_In_Store::reset();
		FeaturesUtil::$declarations = array();
		$this->dir         = sys_get_temp_dir() . '/ml-connector-test-' . bin2hex( random_bytes( 6 ) );
		mkdir( $this->dir, 0700, true );
		$this->spool_path  = $this->dir . '/spool.db';
		$this->key_path    = $this->dir . '/vault.key';
		$this->socket_path = $this->dir . '/agent.sock';
		$this->log_path    = $this->dir . '/php-errors.log';
		file_put_contents( $this->key_path, self::vectors()['key_file'] );
		ini_set( 'error_log', $this->log_path );
		add_filter( 'ml_connector_spool_path', function () { return $this->spool_path; } );
		add_filter( 'ml_connector_key_path', function () { return $this->key_path; } );
		add_filter( 'ml_connector_wake_socket', function () { return $this->socket_path; } );
		$this->plugin = ML_Connector_Plugin::start();
	}

	protected function tearDown(): void {
		ini_restore( 'error_log' );
		self::remove( $this->dir );
	}

	/** The end of an HTTP request: WordPress fires `shutdown`; the next request starts clean. */
	protected function end_request() {
		do_action( 'shutdown' );
		WP_Shim::$is_admin = false;
		unset( $_SERVER['HTTP_X_ML_CONNECTOR_ORIGIN'] );
		$_POST    = array();
		$_GET     = array();
		$_REQUEST = array();
	}

	/** @return array[] spool rows (seq, kind, object_id, producer, enqueued_at, body) in order */
	protected function spool_rows() {
		if ( ! is_file( $this->spool_path ) ) {
			return array();
		}
		$pdo = new PDO( 'sqlite:' . $this->spool_path );
		return $pdo->query( 'SELECT seq, kind, object_id, body, producer, enqueued_at FROM events ORDER BY seq' )->fetchAll( PDO::FETCH_ASSOC );
	}

	/** @return array[] the spooled events, decoded */
	protected function events() {
		return array_map(
			function ( $row ) {
				return json_decode( $row['body'], true );
			},
			$this->spool_rows()
		);
	}

	/** @return array[] the spooled events about one kind of object ('order', 'refund', 'customer') */
	protected function events_about( $type ) {
		return array_values(
			array_filter(
				$this->events(),
				function ( $event ) use ( $type ) {
					return 0 === strpos( $event['kind'], $type . '.' );
				}
			)
		);
	}

	/** The spool as the agent opens it: created from schema/spool.sql when new. */
	protected function agent_spool() {
		$pdo = new PDO( 'sqlite:' . $this->spool_path, null, null, array( PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION ) );
		if ( 0 === (int) $pdo->query( 'PRAGMA user_version' )->fetchColumn() ) {
			$pdo->exec( file_get_contents( dirname( __DIR__, 2 ) . '/schema/spool.sql' ) );
		}
		return $pdo;
	}

	/** The agent writes a document into agent_status (heartbeat, snapshot, check:<id>). */
	protected function agent_writes( $name, array $value, $updated_at = null ) {
		$this->agent_spool()->prepare( 'INSERT OR REPLACE INTO agent_status (name, value, updated_at) VALUES (?, ?, ?)' )->execute( array( $name, json_encode( $value ), $updated_at ? $updated_at : gmdate( 'Y-m-d\TH:i:s.000\Z' ) ) );
	}

	/** The agent's heartbeat, $age seconds old. */
	protected function agent_beats( $age = 1 ) {
		$this->agent_writes( 'heartbeat', array( 'at' => gmdate( 'Y-m-d\TH:i:s.000\Z', time() - $age ), 'pid' => 4242, 'version' => '0.1.0' ) );
	}

	protected function log() {
		return is_file( $this->log_path ) ? (string) file_get_contents( $this->log_path ) : '';
	}

	public static function vectors() {
		return json_decode( file_get_contents( dirname( __DIR__, 3 ) . '/agent/formats/testdata/envelope-vectors.json' ), true );
	}

	/** Three products: two simple, one variation with its parent. */
	protected function products() {
		$desk  = WC_Stand_In_Order_Flows::create_product( array( 'name' => 'ATHENS Desk', 'sku' => '1896-S', 'price' => '1000.80', 'stock' => 12 ) );
		$lamp  = WC_Stand_In_Order_Flows::create_product( array( 'name' => 'AMSTERDAM Lamp', 'sku' => 'WEB-LAMP', 'price' => '54.90', 'stock' => 60 ) );
		$shirt = WC_Stand_In_Order_Flows::create_product( array( 'name' => 'Logo T-Shirt', 'sku' => 'TSHIRT', 'price' => '19.90' ) );
		$m     = WC_Stand_In_Order_Flows::create_product( array( 'name' => 'Logo T-Shirt - M', 'sku' => 'TSHIRT-M', 'price' => '19.90', 'parent_id' => $shirt, 'stock' => 15 ) );
		return array( 'desk' => $desk, 'lamp' => $lamp, 'shirt_m' => $m );
	}

	/** An order's arguments for the flow drivers: two lines (one a variation, one discounted), shipping, a fee. */
	protected function order_args( array $products, array $extra = array() ) {
		return $extra + array(
			'lines'    => array(
				array( 'product_id' => $products['lamp'], 'quantity' => 2, 'subtotal' => '109.80', 'total' => '98.82' ),
				array( 'product_id' => $products['shirt_m'], 'quantity' => 3 ),
			),
			'shipping' => array( 'method_id' => 'flat_rate', 'title' => 'Flat rate', 'total' => '4.90' ),
			'fees'     => array( array( 'name' => 'Gift wrap', 'total' => '2.00' ) ),
			'coupons'  => array( array( 'code' => 'spring10', 'discount' => '10.98' ) ),
		);
	}

	/**
	 * Compares an event with its fixture (occurred_at aside), writing the fixture when it is missing
	 * or when ML_CONNECTOR_UPDATE_FIXTURES=1.
	 */
	protected function assertMatchesFixture( $name, array $event ) {
		$event['occurred_at'] = self::FIXED_OCCURRED_AT;
		$json                 = json_encode( $event, JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE ) . "\n";
		$file                 = self::FIXTURES . $name . '.json';
		if ( ! is_file( $file ) || getenv( 'ML_CONNECTOR_UPDATE_FIXTURES' ) ) {
			file_put_contents( $file, $json );
		}
		$this->assertSame( json_decode( file_get_contents( $file ), true ), json_decode( $json, true ), "event differs from fixture $name.json (ML_CONNECTOR_UPDATE_FIXTURES=1 rewrites it)" );
	}

	private static function remove( $path ) {
		if ( is_dir( $path ) && ! is_link( $path ) ) {
			chmod( $path, 0700 );
			foreach ( array_diff( scandir( $path ), array( '.', '..' ) ) as $entry ) {
				self::remove( $path . '/' . $entry );
			}
			rmdir( $path );
		} elseif ( file_exists( $path ) || is_link( $path ) ) {
			unlink( $path );
		}
	}
}
