<?php
/**
 * ML_Connector_Settings_Form: the settings form's sections and fields, registered with the
 * Settings API, and how each kind of field is drawn. Every value is escaped on output; secret
 * fields are always drawn empty — a saved secret shows only "saved — enter a new value to
 * replace it".
 *
 * @package ML_Connector
 */

defined( 'ABSPATH' ) || exit;

final class ML_Connector_Settings_Form {

	const PAGE = 'ml-connector';

	/** @var ML_Connector_Settings */
	private $settings;

	/** @var ML_Connector_Agent_Reports|null what the agent says its file pins */
	private $reports;

	/** @var array|null the pinned settings, read once per page */
	private $pinned;

	public function __construct( ML_Connector_Settings $settings, ?ML_Connector_Agent_Reports $reports = null ) {
		$this->settings = $settings;
		$this->reports  = $reports;
	}

	/**
	 * The file that pins this field (itself, a part of it, or a section holding it), or null.
	 * The agent merges the file over what is saved here, key by key (docs/settings.md).
	 */
	private function pinned_by( $path ) {
		if ( null === $this->pinned ) {
			$this->pinned = $this->reports ? $this->reports->pinned_settings() : array( 'file' => '', 'paths' => array() );
		}
		foreach ( $this->pinned['paths'] as $pinned ) {
			if ( $pinned === $path || 0 === strpos( $pinned, $path . '.' ) || 0 === strpos( $path, $pinned . '.' ) ) {
				return '' !== $this->pinned['file'] ? $this->pinned['file'] : 'agent.toml';
			}
		}
		return null;
	}

	/** admin_init: sections and fields. */
	public function register() {
		foreach ( $this->sections() as $id => $section ) {
			add_settings_section(
				'ml_connector_' . $id,
				$section['title'],
				function () use ( $section ) {
					echo '<p>' . esc_html( $section['description'] ) . '</p>';
				},
				self::PAGE
			);
			foreach ( $section['fields'] as $field ) {
				add_settings_field(
					'ml_connector_' . str_replace( '.', '_', $field['path'] ),
					$field['label'],
					array( $this, 'render_field' ),
					self::PAGE,
					'ml_connector_' . $id,
					$field + array( 'label_for' => self::id( $field['path'] ) )
				);
			}
		}
	}

	/** Draws one field; $field comes from sections(). */
	public function render_field( array $field ) {
		$value = $this->value( $field['path'] );
		$name  = self::name( $field['path'] );
		$id    = self::id( $field['path'] );
		switch ( $field['type'] ) {
			case 'select':
				printf( '<select id="%s" name="%s">', esc_attr( $id ), esc_attr( $name ) );
				foreach ( $field['options'] as $option => $label ) {
					printf( '<option value="%s"%s>%s</option>', esc_attr( $option ), selected( $value, $option, false ), esc_html( $label ) );
				}
				echo '</select>';
				break;
			case 'secret':
				$saved = $this->settings->has_secret( substr( $field['path'], strlen( 'nav.' ) ) );
				printf( '<input type="password" id="%s" name="%s" value="" class="regular-text" autocomplete="new-password" /> ', esc_attr( $id ), esc_attr( self::name( $field['path'] . ML_Connector_Settings::NEW_SECRET_SUFFIX ) ) );
				echo '<span class="description">' . esc_html( $saved ? __( 'Saved — enter a new value to replace it.', 'ml-connector' ) : __( 'Not saved yet.', 'ml-connector' ) ) . '</span>';
				break;
			case 'statuses':
				printf( '<input type="hidden" name="%s[]" value="" />', esc_attr( $name ) );
				foreach ( wc_get_order_statuses() as $slug => $label ) {
					$slug = substr( $slug, 3 );
					if ( in_array( $slug, ML_Connector_Config::draft_statuses(), true ) ) {
						continue;
					}
					printf( '<label><input type="checkbox" name="%s[]" value="%s"%s /> %s</label><br />', esc_attr( $name ), esc_attr( $slug ), checked( in_array( $slug, (array) $value, true ), true, false ), esc_html( $label ) );
				}
				break;
			case 'checkbox':
				// The hidden 0 is what an unticked box sends.
				printf( '<input type="hidden" name="%s" value="0" /><label><input type="checkbox" id="%s" name="%s" value="1"%s /> %s</label>', esc_attr( $name ), esc_attr( $id ), esc_attr( $name ), checked( (bool) $value, true, false ), esc_html( $field['text'] ) );
				break;
			case 'map':
				$lines = array();
				foreach ( (array) $value as $key => $item ) {
					$lines[] = $key . ' = ' . $item;
				}
				printf( '<textarea id="%s" name="%s" rows="4" class="large-text code">%s</textarea>', esc_attr( $id ), esc_attr( $name ), esc_textarea( implode( "\n", $lines ) ) );
				break;
			case 'list':
				printf( '<input type="text" id="%s" name="%s" value="%s" class="regular-text" />', esc_attr( $id ), esc_attr( $name ), esc_attr( implode( ', ', (array) $value ) ) );
				break;
			case 'rules':
				ML_Connector_Mapping_Rules::render( (array) $value, $name );
				break;
			default:
				printf( '<input type="text" id="%s" name="%s" value="%s" class="regular-text" />', esc_attr( $id ), esc_attr( $name ), esc_attr( (string) $value ) );
		}
		if ( ! empty( $field['description'] ) ) {
			echo '<p class="description">' . esc_html( $field['description'] ) . '</p>';
		}
		$file = $this->pinned_by( $field['path'] );
		if ( null !== $file ) {
			/* translators: %s: the agent's configuration file */
			echo '<p class="description ml-connector-pinned"><strong>' . esc_html( sprintf( __( 'Pinned by %s: the agent uses the value set there, not this one, until it is removed from that file.', 'ml-connector' ), $file ) ) . '</strong></p>';
		}
	}

	/** `nav.pages.item` → ml_connector_settings[nav][pages][item] */
	private static function name( $path ) {
		$parts = explode( '.', $path );
		return ML_Connector_Settings::OPTION . '[' . implode( '][', $parts ) . ']';
	}

	private static function id( $path ) {
		return 'ml-connector-' . str_replace( '.', '-', $path );
	}

	private function value( $path ) {
		$value = $this->settings->get();
		foreach ( explode( '.', $path ) as $part ) {
			$value = isset( $value[ $part ] ) ? $value[ $part ] : '';
		}
		return $value;
	}

	private function sections() {
		return array(
			'connection' => array(
				'title'       => __( 'Microsoft Dynamics', 'ml-connector' ),
				'description' => __( 'Where the agent sends orders and customers.', 'ml-connector' ),
				'fields'      => array(
					array(
						'path'    => 'deployment',
						'label'   => __( 'Deployment', 'ml-connector' ),
						'type'    => 'select',
						'options' => array(
							'bc_online'  => __( 'Business Central online', 'ml-connector' ),
							'bc_onprem'  => __( 'Business Central on-premises', 'ml-connector' ),
							'nav_onprem' => __( 'Dynamics NAV on-premises', 'ml-connector' ),
						),
					),
					array(
						'path'        => 'nav.company',
						'label'       => __( 'Company', 'ml-connector' ),
						'type'        => 'text',
						'description' => __( 'The company name as Business Central / NAV shows it, e.g. CRONUS International Ltd.', 'ml-connector' ),
					),
				),
			),
			'bc_online'  => array(
				'title'       => __( 'Business Central online', 'ml-connector' ),
				'description' => __( 'Used when the deployment is Business Central online: the Microsoft Entra app registration the agent signs in with.', 'ml-connector' ),
				'fields'      => array(
					array( 'path' => 'nav.tenant', 'label' => __( 'Tenant', 'ml-connector' ), 'type' => 'text', 'description' => __( 'Tenant id or domain, e.g. contoso.onmicrosoft.com', 'ml-connector' ) ),
					array( 'path' => 'nav.environment', 'label' => __( 'Environment', 'ml-connector' ), 'type' => 'text', 'description' => __( 'e.g. production or sandbox', 'ml-connector' ) ),
					array( 'path' => 'nav.client_id', 'label' => __( 'Client id', 'ml-connector' ), 'type' => 'text' ),
					array( 'path' => 'nav.client_secret', 'label' => __( 'Client secret', 'ml-connector' ), 'type' => 'secret' ),
				),
			),
			'endpoints'  => array(
				'title'       => __( 'Business Central online: endpoints (advanced)', 'ml-connector' ),
				'description' => __( 'Leave both empty for Microsoft\'s public cloud. Only for a national cloud, or a test system such as the bundled simulator: where the agent signs in and where it reaches the Business Central API.', 'ml-connector' ),
				'fields'      => array(
					array( 'path' => 'nav.login_url', 'label' => __( 'Sign-in URL', 'ml-connector' ), 'type' => 'text', 'description' => __( 'Empty: https://login.microsoftonline.com', 'ml-connector' ) ),
					array( 'path' => 'nav.api_url', 'label' => __( 'API URL', 'ml-connector' ), 'type' => 'text', 'description' => __( 'Empty: https://api.businesscentral.dynamics.com', 'ml-connector' ) ),
				),
			),
			'onprem'     => array(
				'title'       => __( 'On-premises (Business Central or NAV)', 'ml-connector' ),
				'description' => __( 'Used when the deployment is on-premises: the server, a user and its web service access key.', 'ml-connector' ),
				'fields'      => array(
					array( 'path' => 'nav.base_url', 'label' => __( 'Server URL', 'ml-connector' ), 'type' => 'text', 'description' => __( 'Server and instance, e.g. https://nav.contoso.com:7048/BC', 'ml-connector' ) ),
					array( 'path' => 'nav.user', 'label' => __( 'User', 'ml-connector' ), 'type' => 'text' ),
					array( 'path' => 'nav.access_key', 'label' => __( 'Web service access key', 'ml-connector' ), 'type' => 'secret' ),
					array( 'path' => 'nav.pages.customer', 'label' => __( 'Customer page', 'ml-connector' ), 'type' => 'text', 'description' => __( 'NAV only: the published OData pages.', 'ml-connector' ) ),
					array( 'path' => 'nav.pages.item', 'label' => __( 'Item page', 'ml-connector' ), 'type' => 'text' ),
					array( 'path' => 'nav.pages.sales_order', 'label' => __( 'Sales order page', 'ml-connector' ), 'type' => 'text' ),
					array( 'path' => 'nav.pages.credit_memo', 'label' => __( 'Sales credit memo page', 'ml-connector' ), 'type' => 'text', 'description' => __( 'Page 44, for refunds after posting.', 'ml-connector' ) ),
					array( 'path' => 'nav.pages.posted_invoice', 'label' => __( 'Posted sales invoice page', 'ml-connector' ), 'type' => 'text', 'description' => __( 'Page 132, to find the invoices of an order.', 'ml-connector' ) ),
					array( 'path' => 'nav.pages.posted_credit_memo', 'label' => __( 'Posted sales credit memo page', 'ml-connector' ), 'type' => 'text', 'description' => __( 'Page 134.', 'ml-connector' ) ),
				),
			),
			'woo'        => array(
				'title'       => __( 'The agent\'s access to WooCommerce', 'ml-connector' ),
				'description' => __( 'The agent\'s REST key is created automatically (see below). Only for unusual set-ups:', 'ml-connector' ),
				'fields'      => array(
					array( 'path' => 'woo.connect_to', 'label' => __( 'Connect to', 'ml-connector' ), 'type' => 'text', 'description' => __( 'host:port where the agent reaches this site, e.g. 127.0.0.1:80 when it runs on the web server. Empty: the site URL.', 'ml-connector' ) ),
					array( 'path' => 'woo.ca_file', 'label' => __( 'Extra CA file', 'ml-connector' ), 'type' => 'text', 'description' => __( 'Path to a certificate the agent should trust for this site (self-signed HTTPS).', 'ml-connector' ) ),
				),
			),
			'orders'     => array(
				'title'       => __( 'Orders', 'ml-connector' ),
				'description' => __( 'How WooCommerce orders become sales orders.', 'ml-connector' ),
				'fields'      => array(
					array( 'path' => 'orders.statuses', 'label' => __( 'Send orders in these statuses', 'ml-connector' ), 'type' => 'statuses' ),
					array(
						'path'    => 'orders.guests.mode',
						'label'   => __( 'Guest orders', 'ml-connector' ),
						'type'    => 'select',
						'options' => array(
							'create' => __( 'Create a customer per guest', 'ml-connector' ),
							'fixed'  => __( 'Use one fixed customer', 'ml-connector' ),
						),
					),
					array( 'path' => 'orders.guests.customer_number', 'label' => __( 'Fixed guest customer no.', 'ml-connector' ), 'type' => 'text' ),
					array(
						'path'    => 'orders.shipping.line_type',
						'label'   => __( 'Shipping as', 'ml-connector' ),
						'type'    => 'select',
						'options' => array(
							'account' => __( 'G/L account line', 'ml-connector' ),
							'charge'  => __( 'Item charge line', 'ml-connector' ),
						),
					),
					array( 'path' => 'orders.shipping.number', 'label' => __( 'Shipping account / charge no.', 'ml-connector' ), 'type' => 'text' ),
					array( 'path' => 'orders.fees_account', 'label' => __( 'Fees account', 'ml-connector' ), 'type' => 'text' ),
					array(
						'path'    => 'orders.discounts',
						'label'   => __( 'Discounts', 'ml-connector' ),
						'type'    => 'select',
						'options' => array(
							'line'    => __( 'On the item lines', 'ml-connector' ),
							'account' => __( 'As a separate G/L account line', 'ml-connector' ),
						),
					),
					array( 'path' => 'orders.discounts_account', 'label' => __( 'Discounts account', 'ml-connector' ), 'type' => 'text' ),
					array( 'path' => 'orders.rounding_account', 'label' => __( 'Rounding account', 'ml-connector' ), 'type' => 'text' ),
					array( 'path' => 'orders.totals_tolerance', 'label' => __( 'Totals tolerance', 'ml-connector' ), 'type' => 'text', 'description' => __( 'Within it a rounding line is added; beyond it the order is held.', 'ml-connector' ) ),
					array( 'path' => 'orders.sku_match', 'label' => __( 'SKU matching', 'ml-connector' ), 'type' => 'list', 'description' => __( 'Tried in order, comma-separated: sku, gtin, variant.', 'ml-connector' ) ),
					array( 'path' => 'orders.variant_separator', 'label' => __( 'Variant separator', 'ml-connector' ), 'type' => 'text', 'description' => __( 'A variation SKU TSHIRT-M is item TSHIRT, variant M.', 'ml-connector' ) ),
					array( 'path' => 'orders.order_number_prefix', 'label' => __( 'Order number prefix', 'ml-connector' ), 'type' => 'text', 'description' => __( 'External document no. = prefix + WooCommerce order number.', 'ml-connector' ) ),
				),
			),
			'rules'      => array(
				'title'       => __( 'Mapping rules', 'ml-connector' ),
				'description' => __( 'Dimensions and price groups by kind of order. Rules are tried in order; the first match wins.', 'ml-connector' ),
				'fields'      => array(
					array( 'path' => 'orders.rules', 'label' => __( 'Rules', 'ml-connector' ), 'type' => 'rules' ),
				),
			),
			'schedules'  => array(
				'title'       => __( 'Schedules', 'ml-connector' ),
				'description' => __( '"every 15m", "every 2h", a cron expression such as "0 3 * * *", or "off".', 'ml-connector' ),
				'fields'      => array(
					array( 'path' => 'schedules.inventory', 'label' => __( 'Stock from NAV', 'ml-connector' ), 'type' => 'text' ),
					array( 'path' => 'schedules.inventory_full', 'label' => __( 'Full stock comparison', 'ml-connector' ), 'type' => 'text' ),
					array( 'path' => 'schedules.customers', 'label' => __( 'Customers', 'ml-connector' ), 'type' => 'text' ),
					array( 'path' => 'schedules.reconcile_orders', 'label' => __( 'Order reconciliation', 'ml-connector' ), 'type' => 'text' ),
				),
			),
			'refunds'    => array(
				'title'       => __( 'Refunds and cancellations', 'ml-connector' ),
				'description' => __( 'Before NAV posts an order its sales order is changed; once posted, each refund becomes a sales credit memo applied to the invoice.', 'ml-connector' ),
				'fields'      => array(
					array(
						'path'    => 'refunds.cancellation',
						'label'   => __( 'Cancelled orders', 'ml-connector' ),
						'type'    => 'select',
						'options' => array(
							'delete' => __( 'Delete the open sales order', 'ml-connector' ),
							'mark'   => __( 'Mark it with a comment line for NAV to decide', 'ml-connector' ),
						),
					),
					array( 'path' => 'refunds.shipping_account', 'label' => __( 'Shipping refunds account', 'ml-connector' ), 'type' => 'text', 'description' => __( 'G/L account of shipping refund lines on credit memos. Empty: 8100', 'ml-connector' ) ),
					array( 'path' => 'refunds.amount_account', 'label' => __( 'Amount refunds account', 'ml-connector' ), 'type' => 'text', 'description' => __( 'G/L account of what a refund gives back beyond its lines (a refund of an amount only). Empty: 8500', 'ml-connector' ) ),
					array( 'path' => 'refunds.post_credit_memos', 'label' => __( 'Credit memos', 'ml-connector' ), 'type' => 'checkbox', 'text' => __( 'Post credit memos at once (otherwise they stay drafts for accounting to check)', 'ml-connector' ) ),
				),
			),
			'customers'  => array(
				'title'       => __( 'Customers both ways', 'ml-connector' ),
				'description' => __( 'Registered customers are kept in line in both directions: a change in WooCommerce goes to NAV, a change in NAV comes back. Without it, customers reach NAV with their orders only.', 'ml-connector' ),
				'fields'      => array(
					array( 'path' => 'customers.enabled', 'label' => __( 'Two-way sync', 'ml-connector' ), 'type' => 'checkbox', 'text' => __( 'Keep customers in line both ways', 'ml-connector' ) ),
					array( 'path' => 'customers.ship_to_code', 'label' => __( 'Ship-to code', 'ml-connector' ), 'type' => 'text', 'description' => __( 'The shipping address goes to the NAV Ship-to Address with this code (e.g. WEB). Needs page 300 "Ship-to Address" published as a web service. Empty: not synced; every order still carries its ship-to address.', 'ml-connector' ) ),
					array( 'path' => 'nav.pages.ship_to', 'label' => __( 'Ship-to Address page', 'ml-connector' ), 'type' => 'text', 'description' => __( 'The service name of page 300.', 'ml-connector' ) ),
					array( 'path' => 'customers.vat_meta_key', 'label' => __( 'VAT id meta key', 'ml-connector' ), 'type' => 'text', 'description' => __( 'The customer meta holding the VAT id. Empty: billing_vat_id', 'ml-connector' ) ),
					array( 'path' => 'customers.payment_terms', 'label' => __( 'Payment terms', 'ml-connector' ), 'type' => 'map', 'description' => __( 'One per line: WooCommerce payment method (or *) = NAV payment terms code, e.g. bacs = 30 DAYS', 'ml-connector' ) ),
					array( 'path' => 'customers.payment_methods', 'label' => __( 'Payment methods', 'ml-connector' ), 'type' => 'map', 'description' => __( 'One per line: WooCommerce payment method (or *) = NAV payment method code, e.g. stripe = CARD', 'ml-connector' ) ),
					array( 'path' => 'customers.owners', 'label' => __( 'Field owners', 'ml-connector' ), 'type' => 'map', 'description' => __( 'Who wins when both sides changed a field, one per line: field = woo or nav. Default: WooCommerce owns name, email, phone, address, tax_id, ship_to; NAV owns payment_terms, payment_method, credit_limit.', 'ml-connector' ) ),
				),
			),
			'bc_notifications' => array(
				'title'       => __( 'BC notifications (accelerator)', 'ml-connector' ),
				'description' => __( 'Business Central API v2.0 only, and only when Business Central can reach this site: Business Central tells this site when sales documents change, and the agent updates stock at once instead of at the next scheduled run. Purchase receipts and item journals send no notification; the schedule above stays in force for them.', 'ml-connector' ),
				'fields'      => array(
					array( 'path' => 'bc_notifications.enabled', 'label' => __( 'BC notifications', 'ml-connector' ), 'type' => 'checkbox', 'text' => __( 'Subscribe to Business Central notifications', 'ml-connector' ) ),
					/* translators: %s: this site's notification URL */
					array( 'path' => 'bc_notifications.url', 'label' => __( 'Notification URL', 'ml-connector' ), 'type' => 'text', 'description' => sprintf( __( 'The public URL Business Central posts to. Empty: %s', 'ml-connector' ), ML_Connector_Bc_Notifications::default_url() ) ),
				),
			),
		);
	}
}
