<?php
/**
 * ML_Connector_Settings: the settings saved in wp-admin (option `ml_connector_settings`) — their
 * defaults, and the sanitising of the settings form. Secrets are write-only: a newly typed secret
 * is encrypted at once with its document path as purpose (`nav.client_secret`, `nav.access_key`)
 * and only the envelope is stored; an empty field keeps the saved one; when the secret cannot be
 * encrypted it is refused with a clear message and never stored in clear.
 *
 * @package ML_Connector
 */

defined( 'ABSPATH' ) || exit;

final class ML_Connector_Settings {

	const OPTION      = 'ml_connector_settings';
	const DEPLOYMENTS = array( 'bc_online', 'bc_onprem', 'nav_onprem' );
	const SKU_MATCH   = array( 'sku', 'gtin', 'variant' );
	/** `refunds.cancellation`: what happens to the open sales order of a cancelled order. */
	const CANCELLATION_MODES = array( 'delete', 'mark' );
	/** `customers.owners`: the fields a side can own (config/customers.rs); the last three only NAV. */
	const CUSTOMER_FIELDS = array( 'name', 'email', 'phone', 'address', 'tax_id', 'ship_to', 'payment_terms', 'payment_method', 'credit_limit' );
	const NAV_ONLY_FIELDS = array( 'payment_terms', 'payment_method', 'credit_limit' );

	/** Secret field => its purpose (its path in the settings document). */
	const SECRETS = array(
		'client_secret' => 'nav.client_secret',
		'access_key'    => 'nav.access_key',
	);

	/** Suffix of the form field where a new secret is typed (the stored envelope is never sent to the page). */
	const NEW_SECRET_SUFFIX = '_new';

	/** @var ML_Connector_Vault */
	private $vault;

	public function __construct( ML_Connector_Vault $vault ) {
		$this->vault = $vault;
	}

	public static function defaults() {
		return array(
			'deployment' => 'bc_online',
			'nav'        => array(
				'tenant'        => '',
				'environment'   => 'production',
				'company'       => '',
				'client_id'     => '',
				'client_secret' => '',
				'base_url'      => '',
				'user'          => '',
				'access_key'    => '',
				'login_url'     => '',
				'api_url'       => '',
				'pages'         => array(
					'customer'    => 'Customer',
					'item'        => 'ItemCard',
					'sales_order' => 'SalesOrder',
					'ship_to'            => 'ShipToAddress',
					'credit_memo'        => 'SalesCreditMemo',
					'posted_invoice'     => 'PostedSalesInvoice',
					'posted_credit_memo' => 'PostedSalesCreditMemo',
				),
			),
			'woo'        => array(
				'connect_to' => '',
				'ca_file'    => '',
			),
			'orders'     => array(
				'statuses'            => array( 'processing', 'completed', 'on-hold' ),
				'guests'              => array(
					'mode'            => 'create',
					'customer_number' => '',
				),
				'shipping'            => array(
					'line_type' => 'account',
					'number'    => '',
				),
				'fees_account'        => '',
				'discounts'           => 'line',
				'discounts_account'   => '',
				'rounding_account'    => '',
				'totals_tolerance'    => '0.05',
				'sku_match'           => self::SKU_MATCH,
				'variant_separator'   => '-',
				'order_number_prefix' => 'WC-',
				'rules'               => array(),
			),
			'schedules'  => array(
				'inventory'        => 'every 15m',
				'inventory_full'   => '0 3 * * *',
				'customers'        => 'every 30m',
				'reconcile_orders' => 'every 5m',
			),
			// Refunds and cancellations (docs/refunds.md). Empty accounts: the agent's defaults.
			'refunds'    => array(
				'cancellation'      => 'delete',
				'shipping_account'  => '',
				'amount_account'    => '',
				'post_credit_memos' => false,
			),
			// Two-way customer sync (docs/customers.md): off, the agent's default. Maps are
			// WooCommerce payment method (or *) => NAV code, and field => woo|nav.
			'customers'  => array(
				'enabled'         => false,
				'ship_to_code'    => '',
				'vat_meta_key'    => '',
				'payment_terms'   => array(),
				'payment_methods' => array(),
				'owners'          => array(),
			),
			// The inventory accelerator (docs/inventory.md): off, the agent's default.
			'bc_notifications' => array(
				'enabled' => false,
				'url'     => '',
			),
		);
	}

	/** The saved settings over the defaults. */
	public function get() {
		$saved = get_option( self::OPTION, array() );
		return self::merge( self::defaults(), is_array( $saved ) ? $saved : array() );
	}

	/**
	 * Values over defaults, key by key; lists (statuses, rules...) are replaced whole, never merged
	 * index by index. Keys without a default (e.g. a typed secret's field) are kept.
	 */
	private static function merge( array $defaults, array $values ) {
		foreach ( $defaults as $key => $default ) {
			if ( ! array_key_exists( $key, $values ) ) {
				continue;
			}
			$is_map = is_array( $default ) && $default && array_keys( $default ) !== range( 0, count( $default ) - 1 );
			if ( ! $is_map ) {
				$defaults[ $key ] = $values[ $key ];
			} elseif ( is_array( $values[ $key ] ) ) {
				$defaults[ $key ] = self::merge( $default, $values[ $key ] );
			} // A malformed section (not a map where one belongs) keeps its defaults.
		}
		return $defaults + $values;
	}

	/** Whether a secret is saved (as an envelope). */
	public function has_secret( $field ) {
		$settings = $this->get();
		return ML_Connector_Envelope::is_envelope( $settings['nav'][ $field ] );
	}

	/**
	 * The Settings API's sanitize_callback for the option.
	 *
	 * @param mixed $input the submitted form (already unslashed by options.php)
	 */
	public function sanitize( $input ) {
		$previous = $this->get();
		if ( ! is_array( $input ) || ! current_user_can( ML_Connector_Admin_Guard::CAPABILITY ) ) {
			return $previous;
		}
		$input = self::merge( self::defaults(), $input );
		$clean = array(
			'deployment' => in_array( $input['deployment'], self::DEPLOYMENTS, true ) ? $input['deployment'] : $previous['deployment'],
			'nav'        => $this->sanitize_nav( $input['nav'], $previous['nav'] ),
			'woo'        => $this->sanitize_woo( $input['woo'], $previous['woo'] ),
			'orders'     => $this->sanitize_orders( $input['orders'], $previous['orders'] ),
			'schedules'  => $this->sanitize_schedules( $input['schedules'], $previous['schedules'] ),
			'refunds'    => $this->sanitize_refunds( $input['refunds'], $previous['refunds'] ),
			'customers'  => $this->sanitize_customers( $input['customers'], $previous['customers'] ),
			'bc_notifications' => $this->sanitize_bc_notifications( $input['bc_notifications'], $previous['bc_notifications'] ),
		);
		$this->warn_incomplete( $clean );
		return $clean;
	}

	/**
	 * The agent refuses a document that lacks what its deployment needs (and then keeps running
	 * without it), so say at once what is missing. The values are still saved.
	 */
	private function warn_incomplete( array $settings ) {
		$labels  = array(
			'company'       => __( 'company', 'ml-connector' ),
			'tenant'        => __( 'tenant', 'ml-connector' ),
			'client_id'     => __( 'client id', 'ml-connector' ),
			'client_secret' => __( 'client secret', 'ml-connector' ),
			'base_url'      => __( 'server URL', 'ml-connector' ),
			'user'          => __( 'user', 'ml-connector' ),
			'access_key'    => __( 'web service access key', 'ml-connector' ),
		);
		$missing = array();
		foreach ( ML_Connector_Settings_Document::NAV_FIELDS[ $settings['deployment'] ] as $field ) {
			if ( isset( $labels[ $field ] ) && '' === $settings['nav'][ $field ] ) {
				$missing[] = $labels[ $field ];
			}
		}
		if ( $missing ) {
			/* translators: %s: list of missing fields */
			$this->error( 'incomplete', sprintf( __( 'Saved, but the agent cannot connect until these are filled in: %s.', 'ml-connector' ), implode( ', ', $missing ) ), 'warning' );
		}
	}

	private function sanitize_nav( array $nav, array $previous ) {
		$clean = array();
		foreach ( array( 'tenant', 'environment', 'company', 'client_id', 'user' ) as $field ) {
			$clean[ $field ] = sanitize_text_field( self::text( $nav[ $field ] ) );
		}
		$urls = array(
			'base_url'  => __( 'The server URL must start with http:// or https://; the previous URL was kept.', 'ml-connector' ),
			'login_url' => __( 'The sign-in URL must start with http:// or https://; the previous URL was kept.', 'ml-connector' ),
			'api_url'   => __( 'The API URL must start with http:// or https://; the previous URL was kept.', 'ml-connector' ),
		);
		foreach ( $urls as $field => $refused ) {
			$clean[ $field ] = $this->sanitize_url( $field, $nav[ $field ], $previous[ $field ], $refused );
		}
		foreach ( self::SECRETS as $field => $purpose ) {
			$clean[ $field ] = $this->sanitize_secret( $field, $purpose, $nav, $previous[ $field ] );
		}
		$clean['pages'] = array();
		foreach ( array( 'customer', 'item', 'sales_order', 'ship_to', 'credit_memo', 'posted_invoice', 'posted_credit_memo' ) as $page ) {
			$name                    = sanitize_text_field( self::text( $nav['pages'][ $page ] ) );
			$clean['pages'][ $page ] = '' !== $name ? $name : self::defaults()['nav']['pages'][ $page ];
		}
		return $clean;
	}

	/** An http(s) URL without the trailing slash, or '' (unset); anything else keeps the previous value. */
	private function sanitize_url( $field, $value, $previous, $refused ) {
		$value = trim( self::text( $value ) );
		if ( '' === $value ) {
			return '';
		}
		$url = esc_url_raw( $value, array( 'http', 'https' ) );
		if ( '' === $url ) {
			$this->error( $field, $refused );
			return $previous;
		}
		return untrailingslashit( $url );
	}

	/** A newly typed secret becomes an envelope; an empty field keeps the saved envelope. */
	private function sanitize_secret( $field, $purpose, array $nav, $saved ) {
		$typed = isset( $nav[ $field . self::NEW_SECRET_SUFFIX ] ) ? self::text( $nav[ $field . self::NEW_SECRET_SUFFIX ] ) : '';
		// Only control characters go: a secret is never displayed, and anything else may be part of it.
		$typed = trim( (string) preg_replace( '/[\x00-\x1F\x7F]/', '', $typed ) );
		if ( '' === $typed ) {
			// WordPress sanitises twice when the option is first added; the second pass sees the envelope.
			return ML_Connector_Envelope::is_envelope( $saved ) ? $saved : ( ML_Connector_Envelope::is_envelope( $nav[ $field ] ) ? $nav[ $field ] : '' );
		}
		$envelope = $this->vault->encrypt( $purpose, $typed );
		if ( null === $envelope ) {
			$this->error(
				$field,
				/* translators: 1: setting name, 2: reason */
				sprintf( __( 'The %1$s was NOT saved: it cannot be encrypted (%2$s). Install the ml_connector PHP extension, or make the key file readable by the web server, then enter it again. Secrets are never stored in clear.', 'ml-connector' ), $purpose, $this->vault->last_error() )
			);
			return $saved;
		}
		return $envelope;
	}

	private function sanitize_woo( array $woo, array $previous ) {
		$connect_to = sanitize_text_field( self::text( $woo['connect_to'] ) );
		if ( '' !== $connect_to && ! preg_match( '/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.\-]+):[0-9]{1,5}$/', $connect_to ) ) {
			$this->error( 'connect_to', __( '"Connect to" must be host:port, e.g. 127.0.0.1:80; the previous value was kept.', 'ml-connector' ) );
			$connect_to = $previous['connect_to'];
		}
		return array(
			'connect_to' => $connect_to,
			'ca_file'    => sanitize_text_field( self::text( $woo['ca_file'] ) ),
		);
	}

	private function sanitize_orders( array $orders, array $previous ) {
		$statuses  = array_values( array_unique( array_filter( array_map( array( $this, 'status_slug' ), (array) $orders['statuses'] ) ) ) );
		$sku_match = array_values( array_intersect( array_map( 'sanitize_key', $this->list_of( $orders['sku_match'] ) ), self::SKU_MATCH ) );
		$tolerance = trim( self::text( $orders['totals_tolerance'] ) );
		if ( ! preg_match( '/^[0-9]+(\.[0-9]+)?$/', $tolerance ) ) {
			$this->error( 'totals_tolerance', __( 'The totals tolerance must be a non-negative amount such as 0.05; the previous value was kept.', 'ml-connector' ) );
			$tolerance = $previous['totals_tolerance'];
		}
		$guests = array(
			'mode'            => 'fixed' === $orders['guests']['mode'] ? 'fixed' : 'create',
			'customer_number' => sanitize_text_field( self::text( $orders['guests']['customer_number'] ) ),
		);
		if ( 'fixed' === $guests['mode'] && '' === $guests['customer_number'] ) {
			$this->error( 'guests', __( 'Guest orders on one fixed customer need that customer\'s number; the previous guest setting was kept.', 'ml-connector' ) );
			$guests = $previous['guests'];
		}
		$discounts         = 'account' === $orders['discounts'] ? 'account' : 'line';
		$discounts_account = sanitize_text_field( self::text( $orders['discounts_account'] ) );
		if ( 'account' === $discounts && '' === $discounts_account ) {
			$this->error( 'discounts', __( 'Discounts on a separate line need the discounts account; the previous discount setting was kept.', 'ml-connector' ) );
			$discounts         = $previous['discounts'];
			$discounts_account = $previous['discounts_account'];
		}
		$prefix = sanitize_text_field( self::text( $orders['order_number_prefix'] ) );
		if ( strlen( $prefix ) > 15 ) {
			$this->error( 'order_number_prefix', __( 'The order number prefix holds at most 15 characters (NAV\'s external document number holds 35); the previous prefix was kept.', 'ml-connector' ) );
			$prefix = $previous['order_number_prefix'];
		}
		$rules    = ML_Connector_Mapping_Rules::from_form( $orders['rules'] );
		$problems = ML_Connector_Mapping_Rules::problems( $rules );
		if ( $problems ) {
			/* translators: %s: what is wrong with the rules */
			$this->error( 'rules', sprintf( __( 'The mapping rules were not saved: %s', 'ml-connector' ), implode( ' ', $problems ) ) );
			$rules = $previous['rules'];
		}
		return array(
			'statuses'            => $statuses,
			'guests'              => $guests,
			'shipping'            => array(
				'line_type' => 'charge' === $orders['shipping']['line_type'] ? 'charge' : 'account',
				'number'    => sanitize_text_field( self::text( $orders['shipping']['number'] ) ),
			),
			'fees_account'        => sanitize_text_field( self::text( $orders['fees_account'] ) ),
			'discounts'           => $discounts,
			'discounts_account'   => $discounts_account,
			'rounding_account'    => sanitize_text_field( self::text( $orders['rounding_account'] ) ),
			'totals_tolerance'    => $tolerance,
			'sku_match'           => $sku_match ? $sku_match : self::SKU_MATCH,
			'variant_separator'   => substr( sanitize_text_field( self::text( $orders['variant_separator'] ) ), 0, 3 ),
			'order_number_prefix' => $prefix,
			'rules'               => $rules,
		);
	}

	/**
	 * Cancellation mode, the two G/L accounts (upper-cased, 1 to 20 characters as the agent checks
	 * them; empty = the agent's default), and whether credit memos are posted. A value the agent
	 * would refuse keeps the previous one and says why, naming the field.
	 */
	private function sanitize_refunds( $refunds, array $previous ) {
		$refunds = is_array( $refunds ) ? $refunds : array();
		$mode    = isset( $refunds['cancellation'] ) ? self::text( $refunds['cancellation'] ) : '';
		if ( ! in_array( $mode, self::CANCELLATION_MODES, true ) ) {
			$this->error( 'refunds_cancellation', __( 'Cancelled orders: choose "Delete the open sales order" or "Mark it with a comment line"; the previous choice was kept.', 'ml-connector' ) );
			$mode = $previous['cancellation'];
		}
		$accounts = array(
			'shipping_account' => __( 'Shipping refunds account: a G/L account number holds at most 20 characters; the previous account was kept.', 'ml-connector' ),
			'amount_account'   => __( 'Amount refunds account: a G/L account number holds at most 20 characters; the previous account was kept.', 'ml-connector' ),
		);
		$clean = array( 'cancellation' => $mode );
		foreach ( $accounts as $field => $refused ) {
			$account = mb_strtoupper( trim( sanitize_text_field( isset( $refunds[ $field ] ) ? self::text( $refunds[ $field ] ) : '' ) ) );
			if ( mb_strlen( $account ) > 20 ) {
				$this->error( 'refunds_' . $field, $refused );
				$account = $previous[ $field ];
			}
			$clean[ $field ] = $account;
		}
		$clean['post_credit_memos'] = ! empty( $refunds['post_credit_memos'] ) && '0' !== $refunds['post_credit_memos'];
		return $clean;
	}

	/**
	 * The two-way customer sync: on/off, the Ship-to Address code (a NAV code: upper-cased, at
	 * most 10 characters), the VAT id meta key, the payment mappings and the field owners. Maps
	 * come from "key = value" lines. A value the agent would refuse keeps the previous one and
	 * says why, naming the field and the line.
	 */
	private function sanitize_customers( $customers, array $previous ) {
		$customers = is_array( $customers ) ? $customers : array();
		$clean     = array( 'enabled' => ! empty( $customers['enabled'] ) && '0' !== $customers['enabled'] );
		$code      = mb_strtoupper( trim( sanitize_text_field( self::text( isset( $customers['ship_to_code'] ) ? $customers['ship_to_code'] : '' ) ) ) );
		if ( mb_strlen( $code ) > 10 ) {
			$this->error( 'customers_ship_to_code', __( 'Ship-to code: a NAV code holds at most 10 characters; the previous code was kept.', 'ml-connector' ) );
			$code = $previous['ship_to_code'];
		}
		$clean['ship_to_code'] = $code;
		$clean['vat_meta_key'] = trim( sanitize_text_field( self::text( isset( $customers['vat_meta_key'] ) ? $customers['vat_meta_key'] : '' ) ) );
		$code_value            = function ( $value ) {
			$value = mb_strtoupper( $value );
			return mb_strlen( $value ) <= 10 ? $value : null;
		};
		$labels = array(
			'payment_terms'   => __( 'Payment terms', 'ml-connector' ),
			'payment_methods' => __( 'Payment methods', 'ml-connector' ),
		);
		foreach ( $labels as $field => $label ) {
			/* translators: 1: field label, 2: the refused line */
			$clean[ $field ] = $this->sanitize_map( 'customers_' . $field, $label, isset( $customers[ $field ] ) ? $customers[ $field ] : array(), $previous[ $field ], $code_value, __( '%1$s: "%2$s" is not "WooCommerce payment method (or *) = NAV code of 1 to 10 characters"; the previous mapping was kept.', 'ml-connector' ) );
		}
		$side = function ( $value, $key ) {
			$value = strtolower( $value );
			if ( ! in_array( $key, self::CUSTOMER_FIELDS, true ) || ! in_array( $value, array( 'woo', 'nav' ), true ) ) {
				return null;
			}
			return ( 'woo' === $value && in_array( $key, self::NAV_ONLY_FIELDS, true ) ) ? null : $value;
		};
		/* translators: 1: field label, 2: the refused line */
		$clean['owners'] = $this->sanitize_map( 'customers_owners', __( 'Field owners', 'ml-connector' ), isset( $customers['owners'] ) ? $customers['owners'] : array(), $previous['owners'], $side, __( '%1$s: "%2$s" is not "field = woo or nav" (fields: name, email, phone, address, tax_id, ship_to; payment_terms, payment_method and credit_limit only nav); the previous owners were kept.', 'ml-connector' ) );
		return $clean;
	}

	/**
	 * A map from "key = value" lines (the form's textarea) or an array (WP-CLI, a saved option).
	 * $check returns the value to store, or null when the line is refused: then the whole
	 * previous map is kept and $refused names the line.
	 */
	private function sanitize_map( $code, $label, $input, array $previous, callable $check, $refused ) {
		if ( is_array( $input ) ) {
			$lines = array();
			foreach ( $input as $key => $value ) {
				$lines[] = self::text( $key ) . ' = ' . self::text( $value );
			}
		} else {
			$lines = preg_split( '/\r\n|\r|\n/', self::text( $input ) );
		}
		$map = array();
		foreach ( $lines as $line ) {
			$line = trim( sanitize_text_field( $line ) );
			if ( '' === $line ) {
				continue;
			}
			$parts = array_map( 'trim', explode( '=', $line, 2 ) );
			$value = ( 2 === count( $parts ) && '' !== $parts[0] && '' !== $parts[1] ) ? $check( $parts[1], $parts[0] ) : null;
			if ( null === $value ) {
				$this->error( $code, sprintf( $refused, $label, $line ) );
				return $previous;
			}
			$map[ $parts[0] ] = $value;
		}
		return $map;
	}

	/** The checkbox, and the public URL Business Central should post to ('' = this site's REST route). */
	private function sanitize_bc_notifications( $notifications, array $previous ) {
		$notifications = is_array( $notifications ) ? $notifications : array();
		return array(
			'enabled' => ! empty( $notifications['enabled'] ) && '0' !== $notifications['enabled'],
			'url'     => $this->sanitize_url( 'bc_notifications_url', isset( $notifications['url'] ) ? $notifications['url'] : '', $previous['url'], __( 'The notification URL must start with https:// (or http://); the previous URL was kept.', 'ml-connector' ) ),
		);
	}

	/** "every <n>m|h", a five-field cron expression, or "off". */
	private function sanitize_schedules( array $schedules, array $previous ) {
		$clean = array();
		foreach ( array_keys( self::defaults()['schedules'] ) as $name ) {
			$value = strtolower( trim( preg_replace( '/\s+/', ' ', sanitize_text_field( self::text( $schedules[ $name ] ) ) ) ) );
			if ( ! self::is_schedule( $value ) ) {
				/* translators: %s: schedule name */
				$this->error( 'schedule_' . $name, sprintf( __( 'Schedule "%s" must be "every 15m", "every 2h", a cron expression such as "0 3 * * *", or "off"; the previous value was kept.', 'ml-connector' ), $name ) );
				$value = $previous[ $name ];
			}
			$clean[ $name ] = $value;
		}
		return $clean;
	}

	/** Form values are strings; anything else (a crafted array) counts as empty. */
	public static function text( $value ) {
		return is_scalar( $value ) ? (string) $value : '';
	}

	/**
	 * "off", "every <n>m|h" (at most 366 days), or five cron fields within minute, hour, day,
	 * month, weekday ranges that run at least once — the agent's own rules (config/schedule.rs), so
	 * a value saved here is never refused there.
	 */
	public static function is_schedule( $value ) {
		if ( 'off' === $value ) {
			return true;
		}
		if ( preg_match( '/^every ([1-9][0-9]{0,8})([mh])$/', $value, $every ) ) {
			return (int) $every[1] * ( 'h' === $every[2] ? 60 : 1 ) <= 366 * 24 * 60;
		}
		$fields = explode( ' ', $value );
		if ( 5 !== count( $fields ) ) {
			return false;
		}
		$values = array();
		foreach ( array( array( 0, 59 ), array( 0, 23 ), array( 1, 31 ), array( 1, 12 ), array( 0, 7 ) ) as $index => $range ) {
			$values[ $index ] = self::cron_values( $fields[ $index ], $range[0], $range[1] );
			if ( null === $values[ $index ] ) {
				return false;
			}
		}
		// Day of month alone (weekday "*"): some chosen month must have one of the chosen days
		// ("0 0 31 2 *" never runs). With a weekday restricted too, either matching is enough.
		if ( '*' !== $fields[2][0] && '*' === $fields[4][0] ) {
			$longest = max( array_map( fn ( $month ) => 2 === $month ? 29 : ( in_array( $month, array( 4, 6, 9, 11 ), true ) ? 30 : 31 ), $values[3] ) );
			return min( $values[2] ) <= $longest;
		}
		return true;
	}

	/** The values one cron field selects, or null when it is malformed or out of range. */
	private static function cron_values( $field, $min, $max ) {
		$values = array();
		foreach ( explode( ',', $field ) as $part ) {
			if ( ! preg_match( '/^(\*|(\d+)(?:-(\d+))?)(?:\/([1-9]\d*))?$/', $part, $match ) ) {
				return null;
			}
			if ( '*' === $match[1] ) {
				list( $low, $high ) = array( $min, $max );
			} else {
				$low  = (int) $match[2];
				$high = isset( $match[3] ) && '' !== $match[3] ? (int) $match[3] : ( isset( $match[4] ) && '' !== $match[4] ? $max : $low );
			}
			if ( $low < $min || $high > $max || $low > $high ) {
				return null;
			}
			$values = array_merge( $values, range( $low, $high, isset( $match[4] ) && '' !== $match[4] ? (int) $match[4] : 1 ) );
		}
		return array_values( array_unique( $values ) );
	}

	private function status_slug( $status ) {
		$status = sanitize_key( self::text( $status ) );
		$status = 0 === strpos( $status, 'wc-' ) ? substr( $status, 3 ) : $status;
		return in_array( $status, ML_Connector_Config::draft_statuses(), true ) ? '' : $status;
	}

	private function list_of( $value ) {
		$items = is_array( $value ) ? array_map( array( __CLASS__, 'text' ), $value ) : explode( ',', self::text( $value ) );
		return array_values( array_filter( array_map( 'trim', $items ), 'strlen' ) );
	}

	private function error( $code, $message, $type = 'error' ) {
		$code = 'ml_connector_' . $code;
		// The first save of a new option is sanitised twice by WordPress: say it once.
		if ( in_array( $code, array_column( get_settings_errors( self::OPTION ), 'code' ), true ) ) {
			return;
		}
		// Settings errors are printed as HTML by WordPress: escape here.
		add_settings_error( self::OPTION, $code, esc_html( $message ), $type );
	}
}
