<?php
/**
 * ML_Connector_Mapping_Rules: the editable list of mapping rules (docs/settings.md, orders.rules) —
 * parsing the editor's form rows into rules and rendering rules back into the editor. A rule's
 * conditions all must hold (a list means "any of"); its outcome sets dimensions, a price group,
 * and the posting groups of a customer created for the order.
 * Rules are evaluated by the agent in order; the first match wins.
 *
 * @package ML_Connector
 */

defined( 'ABSPATH' ) || exit;

final class ML_Connector_Mapping_Rules {

	/** Conditions written as comma-separated lists. */
	const LIST_CONDITIONS = array( 'created_via', 'payment_method', 'status', 'role', 'email_domain', 'country' );

	/** Outcomes for a customer created for the order (Customer Card fields, codes of 1 to 20). */
	const POSTING_GROUPS = array( 'customer_posting_group', 'gen_bus_posting_group', 'vat_bus_posting_group' );

	/**
	 * @param mixed $rows the editor's rows: name, the conditions, customer, meta ("key=value" lines),
	 *                    dimensions ("CODE=VALUE" lines or commas), price_group, the posting
	 *                    groups, position, remove
	 * @return array[] rules in evaluation order
	 */
	public static function from_form( $rows ) {
		$rules = array();
		foreach ( is_array( $rows ) ? $rows : array() as $row ) {
			if ( ! is_array( $row ) || ! empty( $row['remove'] ) ) {
				continue;
			}
			$rule = self::rule_from_row( $row );
			if ( $rule ) {
				$rules[] = array( 'position' => isset( $row['position'] ) ? (int) $row['position'] : PHP_INT_MAX, 'rule' => $rule );
			}
		}
		// Stable: equal positions keep the order they had on the page.
		$keyed = array();
		foreach ( $rules as $index => $entry ) {
			$keyed[] = array( $entry['position'], $index, $entry['rule'] );
		}
		sort( $keyed );
		return array_map(
			function ( $entry ) {
				return $entry[2];
			},
			$keyed
		);
	}

	private static function rule_from_row( array $row ) {
		if ( isset( $row['when'] ) || isset( $row['then'] ) ) {
			// Already a rule: WordPress sanitises a newly added option twice.
			$row = self::row_from_rule( $row );
		}
		$when = array();
		foreach ( self::LIST_CONDITIONS as $condition ) {
			$values = self::split( isset( $row[ $condition ] ) ? $row[ $condition ] : '' );
			$values = array_map( array( __CLASS__, 'normalise_' . ( in_array( $condition, array( 'status', 'email_domain', 'country' ), true ) ? $condition : 'text' ) ), $values );
			$values = array_values( array_filter( $values, 'strlen' ) );
			if ( $values ) {
				$when[ $condition ] = $values;
			}
		}
		$customer = isset( $row['customer'] ) ? sanitize_key( ML_Connector_Settings::text( $row['customer'] ) ) : '';
		if ( in_array( $customer, array( 'guest', 'registered' ), true ) ) {
			$when['customer'] = $customer;
		}
		$meta = self::pairs( isset( $row['meta'] ) ? $row['meta'] : '' );
		if ( $meta ) {
			$when['meta'] = $meta;
		}
		$then       = array();
		$dimensions = self::pairs( isset( $row['dimensions'] ) ? $row['dimensions'] : '' );
		if ( $dimensions ) {
			$then['dimensions'] = array_change_key_case( $dimensions, CASE_UPPER );
		}
		foreach ( array_merge( array( 'price_group' ), self::POSTING_GROUPS ) as $field ) {
			$code = isset( $row[ $field ] ) ? mb_strtoupper( trim( sanitize_text_field( ML_Connector_Settings::text( $row[ $field ] ) ) ) ) : '';
			if ( '' !== $code ) {
				$then[ $field ] = $code;
			}
		}
		$name = isset( $row['name'] ) ? sanitize_text_field( ML_Connector_Settings::text( $row['name'] ) ) : '';
		if ( '' === $name && ! $when && ! $then ) {
			return null; // the editor's empty row
		}
		return array(
			'name' => '' !== $name ? $name : __( 'Unnamed rule', 'ml-connector' ),
			'when' => $when,
			'then' => $then,
		);
	}

	/**
	 * What NAV cannot hold, as the agent checks it: dimension codes and values 1–20 characters,
	 * price groups 1–10.
	 *
	 * @return string[] one sentence per problem
	 */
	public static function problems( array $rules ) {
		$problems = array();
		foreach ( $rules as $rule ) {
			$then = $rule['then'];
			foreach ( isset( $then['dimensions'] ) ? $then['dimensions'] : array() as $code => $value ) {
				if ( '' === trim( (string) $value ) || strlen( $code ) > 20 || strlen( $value ) > 20 ) {
					/* translators: 1: rule name, 2: dimension code, 3: dimension value */
					$problems[] = sprintf( __( 'Rule "%1$s": dimension %2$s=%3$s — codes and values hold 1 to 20 characters.', 'ml-connector' ), $rule['name'], $code, $value );
				}
			}
			if ( isset( $then['price_group'] ) && strlen( $then['price_group'] ) > 10 ) {
				/* translators: 1: rule name, 2: price group */
				$problems[] = sprintf( __( 'Rule "%1$s": price group %2$s — at most 10 characters.', 'ml-connector' ), $rule['name'], $then['price_group'] );
			}
			foreach ( self::POSTING_GROUPS as $field ) {
				if ( isset( $then[ $field ] ) && mb_strlen( $then[ $field ] ) > 20 ) {
					/* translators: 1: rule name, 2: posting group code */
					$problems[] = sprintf( __( 'Rule "%1$s": posting group %2$s — at most 20 characters.', 'ml-connector' ), $rule['name'], $then[ $field ] );
				}
			}
		}
		return $problems;
	}

	/** Renders the editor: one row per rule plus an empty row to add one. */
	public static function render( array $rules, $field_name ) {
		echo '<table class="widefat striped ml-connector-rules"><thead><tr>';
		foreach ( array( __( 'Order', 'ml-connector' ), __( 'Rule', 'ml-connector' ), __( 'When (all given conditions hold; a list means any of)', 'ml-connector' ), __( 'Then', 'ml-connector' ), __( 'Remove', 'ml-connector' ) ) as $heading ) {
			echo '<th scope="col">' . esc_html( $heading ) . '</th>';
		}
		echo '</tr></thead><tbody>';
		$rules[] = array( 'name' => '', 'when' => array(), 'then' => array() );
		foreach ( array_values( $rules ) as $index => $rule ) {
			self::render_row( $rule, $field_name . '[' . $index . ']', $index );
		}
		echo '</tbody></table>';
		echo '<p class="description">' . esc_html__( 'Conditions: created via (checkout, store-api, admin, rest-api), payment method, status, role, e-mail domain, country — comma-separated; customer guest or registered; order meta as key=value lines. Dimensions as CODE=VALUE lines. Fill in the last row to add a rule.', 'ml-connector' ) . '</p>';
	}

	/** A rule as the editor's row of text fields (the inverse of rule_from_row()). */
	private static function row_from_rule( array $rule ) {
		$when = isset( $rule['when'] ) ? (array) $rule['when'] : array();
		$then = isset( $rule['then'] ) ? (array) $rule['then'] : array();
		$row  = array(
			'name'        => isset( $rule['name'] ) ? ML_Connector_Settings::text( $rule['name'] ) : '',
			'customer'    => isset( $when['customer'] ) ? ML_Connector_Settings::text( $when['customer'] ) : '',
			'meta'        => self::join_pairs( isset( $when['meta'] ) ? (array) $when['meta'] : array() ),
			'dimensions'  => self::join_pairs( isset( $then['dimensions'] ) ? (array) $then['dimensions'] : array() ),
			'price_group' => isset( $then['price_group'] ) ? ML_Connector_Settings::text( $then['price_group'] ) : '',
		);
		foreach ( self::POSTING_GROUPS as $field ) {
			$row[ $field ] = isset( $then[ $field ] ) ? ML_Connector_Settings::text( $then[ $field ] ) : '';
		}
		foreach ( self::LIST_CONDITIONS as $condition ) {
			$row[ $condition ] = isset( $when[ $condition ] ) ? implode( ', ', array_map( array( 'ML_Connector_Settings', 'text' ), (array) $when[ $condition ] ) ) : '';
		}
		return $row;
	}

	private static function render_row( array $rule, $name, $index ) {
		$row = self::row_from_rule( $rule );
		echo '<tr>';
		printf( '<td><input type="number" class="small-text" name="%s" value="%d" /></td>', esc_attr( $name . '[position]' ), (int) $index + 1 );
		printf( '<td><input type="text" class="regular-text" name="%s" value="%s" /></td>', esc_attr( $name . '[name]' ), esc_attr( $row['name'] ) );
		echo '<td>';
		$labels = array(
			'created_via'    => __( 'Created via', 'ml-connector' ),
			'payment_method' => __( 'Payment method', 'ml-connector' ),
			'status'         => __( 'Status', 'ml-connector' ),
			'role'           => __( 'Role', 'ml-connector' ),
			'email_domain'   => __( 'E-mail domain', 'ml-connector' ),
			'country'        => __( 'Country', 'ml-connector' ),
		);
		foreach ( $labels as $condition => $label ) {
			printf( '<label>%s <input type="text" name="%s" value="%s" /></label><br />', esc_html( $label ), esc_attr( $name . '[' . $condition . ']' ), esc_attr( $row[ $condition ] ) );
		}
		printf( '<label>%s <select name="%s">', esc_html__( 'Customer', 'ml-connector' ), esc_attr( $name . '[customer]' ) );
		foreach ( array( '' => __( 'any', 'ml-connector' ), 'guest' => __( 'guest', 'ml-connector' ), 'registered' => __( 'registered', 'ml-connector' ) ) as $value => $label ) {
			printf( '<option value="%s"%s>%s</option>', esc_attr( $value ), selected( $row['customer'], $value, false ), esc_html( $label ) );
		}
		echo '</select></label><br />';
		printf( '<label>%s <textarea rows="2" name="%s">%s</textarea></label>', esc_html__( 'Order meta', 'ml-connector' ), esc_attr( $name . '[meta]' ), esc_textarea( $row['meta'] ) );
		echo '</td><td>';
		printf( '<label>%s <textarea rows="3" name="%s">%s</textarea></label><br />', esc_html__( 'Dimensions', 'ml-connector' ), esc_attr( $name . '[dimensions]' ), esc_textarea( $row['dimensions'] ) );
		printf( '<label>%s <input type="text" name="%s" value="%s" /></label><br />', esc_html__( 'Price group', 'ml-connector' ), esc_attr( $name . '[price_group]' ), esc_attr( $row['price_group'] ) );
		$posting = array(
			'customer_posting_group' => __( 'New customer: customer posting group', 'ml-connector' ),
			'gen_bus_posting_group'  => __( 'Gen. bus. posting group', 'ml-connector' ),
			'vat_bus_posting_group'  => __( 'VAT bus. posting group', 'ml-connector' ),
		);
		foreach ( $posting as $field => $label ) {
			printf( '<label>%s <input type="text" name="%s" value="%s" /></label><br />', esc_html( $label ), esc_attr( $name . '[' . $field . ']' ), esc_attr( $row[ $field ] ) );
		}
		echo '</td>';
		printf( '<td><input type="checkbox" name="%s" value="1" /></td>', esc_attr( $name . '[remove]' ) );
		echo '</tr>';
	}

	/** "A=1\nB=2" or "A=1, B=2" → ['A' => '1', 'B' => '2'] */
	private static function pairs( $text ) {
		$pairs = array();
		foreach ( self::split( $text ) as $line ) {
			$parts = array_map( 'trim', explode( '=', $line, 2 ) );
			if ( 2 === count( $parts ) && '' !== $parts[0] ) {
				$pairs[ sanitize_text_field( $parts[0] ) ] = sanitize_text_field( $parts[1] );
			}
		}
		return $pairs;
	}

	private static function join_pairs( array $pairs ) {
		$lines = array();
		foreach ( $pairs as $key => $value ) {
			$lines[] = $key . '=' . ML_Connector_Settings::text( $value );
		}
		return implode( "\n", $lines );
	}

	/** Comma- or line-separated text → its non-empty items. */
	private static function split( $text ) {
		return array_filter( array_map( 'trim', preg_split( '/[,\n]/', ML_Connector_Settings::text( $text ) ) ), 'strlen' );
	}

	private static function normalise_text( $value ) {
		return sanitize_text_field( $value );
	}

	private static function normalise_status( $value ) {
		$value = sanitize_key( $value );
		return 0 === strpos( $value, 'wc-' ) ? substr( $value, 3 ) : $value;
	}

	private static function normalise_email_domain( $value ) {
		return strtolower( ltrim( sanitize_text_field( $value ), '@' ) );
	}

	private static function normalise_country( $value ) {
		$value = strtoupper( sanitize_text_field( $value ) );
		return preg_match( '/^[A-Z]{2}$/', $value ) ? $value : '';
	}
}
