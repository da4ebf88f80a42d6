<?php
/**
 * WC_Customer: a customer — a WordPress user, kept by WC_Stand_In_Users (a row of the stand-in's
 * store, or a real user inside WordPress). save() fires what WC_Customer_Data_Store and WordPress
 * fire: on create wc_create_new_customer()'s hooks then profile_update and
 * woocommerce_new_customer; on update profile_update then woocommerce_update_customer. Reading an
 * unknown id throws, like the real data store.
 */
class WC_Customer extends WC_Data {

	public function __construct( $customer = 0 ) {
		$address    = array(
			'first_name' => '',
			'last_name'  => '',
			'company'    => '',
			'address_1'  => '',
			'address_2'  => '',
			'city'       => '',
			'state'      => '',
			'postcode'   => '',
			'country'    => '',
		);
		$this->data = array(
			'email'              => '',
			'first_name'         => '',
			'last_name'          => '',
			'role'               => 'customer',
			'username'           => '',
			'date_created'       => null,
			'date_modified'      => null,
			'billing'            => $address + array( 'email' => '', 'phone' => '' ),
			'shipping'           => $address + array( 'phone' => '' ),
			'is_paying_customer' => false,
		);
		if ( $customer ) {
			$row = WC_Stand_In_Users::read( $customer );
			if ( null === $row ) {
				throw new Exception( 'Invalid customer.' );
			}
			$this->id   = (int) $customer;
			$this->data = array_replace( $this->data, $row['props'] );
			$this->import_meta( $row['meta'] );
		}
		$this->object_read = true;
	}

	public function get_email( $context = 'view' ) {
		return $this->get_prop( 'email' );
	}

	public function get_first_name( $context = 'view' ) {
		return $this->get_prop( 'first_name' );
	}

	public function get_last_name( $context = 'view' ) {
		return $this->get_prop( 'last_name' );
	}

	public function get_role( $context = 'view' ) {
		return $this->get_prop( 'role' );
	}

	public function get_username( $context = 'view' ) {
		return $this->get_prop( 'username' );
	}

	public function get_date_created( $context = 'view' ) {
		return $this->get_prop( 'date_created' );
	}

	public function get_date_modified( $context = 'view' ) {
		return $this->get_prop( 'date_modified' );
	}

	public function get_billing( $context = 'view' ) {
		return $this->get_prop( 'billing' );
	}

	public function get_shipping( $context = 'view' ) {
		return $this->get_prop( 'shipping' );
	}

	public function get_is_paying_customer( $context = 'view' ) {
		return $this->get_prop( 'is_paying_customer' );
	}

	public function get_avatar_url() {
		return 'https://secure.gravatar.com/avatar/' . md5( strtolower( trim( $this->get_email() ) ) ) . '?s=96&d=mm&r=g';
	}

	public function set_email( $email ) {
		$this->set_prop( 'email', $email );
	}

	public function set_first_name( $name ) {
		$this->set_prop( 'first_name', $name );
	}

	public function set_last_name( $name ) {
		$this->set_prop( 'last_name', $name );
	}

	public function set_role( $role ) {
		$this->set_prop( 'role', $role );
	}

	public function set_billing( array $address ) {
		$this->set_prop( 'billing', array_merge( $this->get_billing(), $address ) );
	}

	public function set_shipping( array $address ) {
		$this->set_prop( 'shipping', array_merge( $this->get_shipping(), $address ) );
	}

	public function save() {
		if ( ! $this->id ) {
			$this->id = wc_create_new_customer( $this->get_email(), $this->get_username(), '', array( 'role' => $this->get_role() ) );
			$this->set_date_created( WC_Stand_In_Users::read( $this->id )['props']['date_created'] );
			$this->write_row();
			do_action( 'woocommerce_new_customer', $this->id, $this );
			return $this->id;
		}
		$this->write_row();
		do_action( 'woocommerce_update_customer', $this->id, $this );
		return $this->id;
	}

	public function delete( $force_delete = false ) {
		$id = $this->id;
		WC_Stand_In_Users::delete( $id );
		do_action( 'woocommerce_delete_customer', $id );
		return true;
	}

	/** Stores the customer; profile_update fires (WC_Stand_In_Users::update()). */
	private function write_row() {
		$this->set_date_modified( WC_Stand_In_Store::tick() );
		$this->apply_changes();
		$this->assign_meta_ids();
		WC_Stand_In_Users::update( $this->id, $this->data, $this->export_meta() );
	}

	private function set_date_modified( $date ) {
		$this->set_date_prop( 'date_modified', $date );
	}

	private function set_date_created( $date ) {
		$this->set_date_prop( 'date_created', $date );
	}
}
