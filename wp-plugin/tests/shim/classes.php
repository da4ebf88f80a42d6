<?php
/**
 * WP_Error, WP_Role, WP_User, WP_REST_Request and an in-memory $wpdb (insert/delete with
 * insert_id and last_error, enough for the REST key table).
 */

class WP_Error {
	private $errors = array();
	private $data   = array();

	public function __construct( $code = '', $message = '', $data = '' ) {
		if ( $code ) {
			$this->errors[ $code ][] = $message;
			if ( '' !== $data ) {
				$this->data[ $code ] = $data;
			}
		}
	}

	public function get_error_code() {
		foreach ( $this->errors as $code => $unused ) {
			return $code;
		}
		return '';
	}

	public function get_error_data( $code = '' ) {
		$code = '' === $code ? $this->get_error_code() : $code;
		return isset( $this->data[ $code ] ) ? $this->data[ $code ] : null;
	}

	public function add( $code, $message ) {
		$this->errors[ $code ][] = $message;
	}

	public function get_error_message() {
		foreach ( $this->errors as $messages ) {
			return $messages[0];
		}
		return '';
	}

	public function has_errors() {
		return (bool) $this->errors;
	}
}

class WP_Role {
	public $name;
	public $capabilities;

	public function __construct( $name, $capabilities ) {
		$this->name         = $name;
		$this->capabilities = $capabilities;
	}

	public function has_cap( $capability ) {
		return ! empty( $this->capabilities[ $capability ] );
	}
}

class WP_User {
	public $ID;
	public $user_login;
	public $roles;

	public function __construct( $id, $login, array $roles ) {
		$this->ID         = $id;
		$this->user_login = $login;
		$this->roles      = $roles;
	}

	public function set_role( $role ) {
		$this->roles = array( $role );
	}

	public function has_cap( $capability ) {
		foreach ( $this->roles as $role ) {
			$object = get_role( $role );
			if ( $object && $object->has_cap( $capability ) ) {
				return true;
			}
		}
		return false;
	}
}

class WP_REST_Request {
	private $method;
	private $route;
	private $params  = array();
	private $headers = array();
	private $body    = '';
	private $query   = array();

	public function __construct( $method = '', $route = '' ) {
		$this->method = $method;
		$this->route  = $route;
	}

	public function get_method() {
		return $this->method;
	}

	public function get_route() {
		return $this->route;
	}

	public function set_param( $key, $value ) {
		$this->params[ $key ] = $value;
	}

	public function get_param( $key ) {
		if ( isset( $this->params[ $key ] ) ) {
			return $this->params[ $key ];
		}
		return isset( $this->query[ $key ] ) ? $this->query[ $key ] : null;
	}

	public function set_query_params( array $params ) {
		$this->query = $params;
	}

	public function get_query_params() {
		return $this->query;
	}

	public function set_header( $key, $value ) {
		$this->headers[ strtolower( str_replace( '-', '_', $key ) ) ] = $value;
	}

	public function set_body( $body ) {
		$this->body = (string) $body;
	}

	public function get_body() {
		return $this->body;
	}

	public function get_header( $key ) {
		$key = strtolower( str_replace( '-', '_', $key ) );
		return isset( $this->headers[ $key ] ) ? $this->headers[ $key ] : null;
	}
}

class wpdb { // phpcs:ignore
	public $prefix     = 'wp_';
	public $insert_id  = 0;
	public $last_error = '';

	/** @var array<string, array<int, array>> table => key => row */
	public $tables = array();

	/** @var bool the next insert fails (as when the table is missing) */
	public $fail_next_insert = false;

	private $next_id = 1;

	public function insert( $table, $data, $format = null ) {
		if ( $this->fail_next_insert ) {
			$this->fail_next_insert = false;
			$this->last_error       = "Table '$table' doesn't exist";
			return false;
		}
		$this->insert_id                      = $this->next_id++;
		$this->tables[ $table ][ $this->insert_id ] = array( 'key_id' => $this->insert_id ) + $data;
		return 1;
	}

	public function delete( $table, $where, $where_format = null ) {
		$deleted = 0;
		foreach ( isset( $this->tables[ $table ] ) ? $this->tables[ $table ] : array() as $key => $row ) {
			if ( array_intersect_assoc( $where, $row ) == $where ) { // phpcs:ignore -- loose: ids may be int or string
				unset( $this->tables[ $table ][ $key ] );
				++$deleted;
			}
		}
		return $deleted;
	}
}
