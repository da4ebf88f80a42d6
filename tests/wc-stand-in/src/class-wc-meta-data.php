<?php
/**
 * WC_Meta_Data: one meta row (id, key, value) of a CRUD object; id is null until saved.
 */
class WC_Meta_Data {

	public $id;
	public $key;
	public $value;

	public function __construct( $meta = array() ) {
		$this->id    = isset( $meta['id'] ) ? $meta['id'] : null;
		$this->key   = isset( $meta['key'] ) ? $meta['key'] : '';
		$this->value = isset( $meta['value'] ) ? $meta['value'] : null;
	}

	public function get_data() {
		return array(
			'id'    => $this->id,
			'key'   => $this->key,
			'value' => $this->value,
		);
	}
}
