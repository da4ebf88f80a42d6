<?php
/**
 * ML_Connector_Order_Sync_Display: the NAV document number and sync state of each order where
 * shop staff look — a column in the orders list and a box on the order screen, on both the HPOS
 * screens (woocommerce_page_wc-orders) and the legacy posts screens (shop_order) — plus the box's
 * "Send again" link (command.resync; nonce + capability).
 *
 * @package ML_Connector
 */

defined( 'ABSPATH' ) || exit;

final class ML_Connector_Order_Sync_Display {

	const COLUMN = 'ml_connector_sync';
	const RESYNC = 'ml_connector_resync';

	/** @var ML_Connector_Agent_Reports */
	private $reports;

	/** @var ML_Connector_Commands */
	private $commands;

	public function __construct( ML_Connector_Agent_Reports $reports, ML_Connector_Commands $commands ) {
		$this->reports  = $reports;
		$this->commands = $commands;
	}

	public function register() {
		add_filter( 'manage_woocommerce_page_wc-orders_columns', array( $this, 'add_column' ) );
		add_action( 'manage_woocommerce_page_wc-orders_custom_column', array( $this, 'render_column' ), 10, 2 );
		add_filter( 'manage_shop_order_posts_columns', array( $this, 'add_column' ) );
		add_action( 'manage_shop_order_posts_custom_column', array( $this, 'render_column' ), 10, 2 );
		add_action( 'add_meta_boxes', array( $this, 'add_box' ), 10, 1 );
		add_action( 'admin_post_' . self::RESYNC, array( $this, 'resync' ) );
	}

	/** The column goes right after the status column (or last when there is none). */
	public function add_column( $columns ) {
		$added = array();
		foreach ( (array) $columns as $key => $label ) {
			$added[ $key ] = $label;
			if ( 'order_status' === $key ) {
				$added[ self::COLUMN ] = __( 'NAV', 'ml-connector' );
			}
		}
		if ( ! isset( $added[ self::COLUMN ] ) ) {
			$added[ self::COLUMN ] = __( 'NAV', 'ml-connector' );
		}
		return $added;
	}

	/** @param WC_Order|int $order_or_id HPOS passes the order, the posts screen its id */
	public function render_column( $column, $order_or_id ) {
		if ( self::COLUMN !== $column ) {
			return;
		}
		$order = wc_get_order( $order_or_id );
		if ( ! $order ) {
			return;
		}
		$sync = $this->reports->order_state( $order );
		echo '<span class="ml-connector-state ml-connector-state-' . esc_attr( $sync['state'] ? $sync['state'] : 'none' ) . '">' . esc_html( self::state_label( $sync['state'] ) ) . '</span>';
		if ( '' !== $sync['nav_number'] ) {
			echo '<br /><strong>' . esc_html( $sync['nav_number'] ) . '</strong>';
		}
	}

	public function add_box( $screen_id ) {
		$order_screen = wc_get_page_screen_id( 'shop-order' );
		if ( $screen_id === $order_screen ) {
			add_meta_box( 'ml-connector-sync', __( 'Business Central / NAV', 'ml-connector' ), array( $this, 'render_box' ), $order_screen, 'side', 'default' );
		}
	}

	/** @param WC_Order|WP_Post $order_or_post HPOS passes the order, the posts screen its post */
	public function render_box( $order_or_post ) {
		$order = $order_or_post instanceof WC_Order ? $order_or_post : wc_get_order( isset( $order_or_post->ID ) ? $order_or_post->ID : 0 );
		if ( ! $order ) {
			return;
		}
		$sync = $this->reports->order_state( $order );
		echo '<p><strong>' . esc_html__( 'State:', 'ml-connector' ) . '</strong> ' . esc_html( self::state_label( $sync['state'] ) ) . '</p>';
		echo '<p><strong>' . esc_html__( 'Sales order:', 'ml-connector' ) . '</strong> ' . esc_html( '' !== $sync['nav_number'] ? $sync['nav_number'] : '—' ) . '</p>';
		if ( '' !== $sync['reason'] ) {
			echo '<p><strong>' . esc_html__( 'Reason:', 'ml-connector' ) . '</strong> ' . esc_html( $sync['reason'] ) . '</p>';
		}
		if ( '' !== $sync['updated_at'] ) {
			echo '<p class="description">' . esc_html( sprintf( /* translators: %s: time */ __( 'Updated %s', 'ml-connector' ), $sync['updated_at'] ) ) . '</p>';
		}
		$url = wp_nonce_url( add_query_arg( array( 'action' => self::RESYNC, 'order_id' => $order->get_id() ), admin_url( 'admin-post.php' ) ), self::RESYNC . '_' . $order->get_id() );
		echo '<p><a class="button" href="' . esc_url( $url ) . '">' . esc_html__( 'Send again', 'ml-connector' ) . '</a></p>';
	}

	/** admin-post: send one order again as it is now. */
	public function resync() {
		$order_id = isset( $_GET['order_id'] ) ? absint( $_GET['order_id'] ) : 0; // phpcs:ignore WordPress.Security.NonceVerification -- verified by the guard next
		ML_Connector_Admin_Guard::require_form( self::RESYNC . '_' . $order_id );
		$queued = wc_get_order( $order_id ) instanceof WC_Order && $this->commands->resync( $order_id, 'admin' );
		if ( ! $queued ) {
			wp_die( esc_html__( 'The order could not be queued for sending. The PHP error log has the details (lines starting with ml_connector:).', 'ml-connector' ) );
		}
		wp_safe_redirect( wp_get_referer() ? wp_get_referer() : admin_url( 'admin.php?page=wc-orders' ) );
		exit;
	}

	public static function state_label( $state ) {
		$labels = array(
			''        => __( 'Not sent yet', 'ml-connector' ),
			'queued'  => __( 'Queued', 'ml-connector' ),
			'synced'  => __( 'Synced', 'ml-connector' ),
			'parked'  => __( 'Parked — see status page', 'ml-connector' ),
			'held'    => __( 'Held — see reason', 'ml-connector' ),
			'posted'  => __( 'Posted', 'ml-connector' ),
			'deleted' => __( 'Deleted in NAV', 'ml-connector' ),
		);
		return isset( $labels[ $state ] ) ? $labels[ $state ] : $state;
	}
}
