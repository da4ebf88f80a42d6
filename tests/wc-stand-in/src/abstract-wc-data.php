<?php
/**
 * WC_Data: props with change tracking and meta CRUD, as in WooCommerce's abstract-wc-data.php
 * (object_read, get_prop/set_prop, get_meta/add_meta_data/update_meta_data/delete_meta_data).
 */
abstract class WC_Data {

	protected $id = 0;

	/** Saved (or default) values. */
	protected $data = array();

	/** Values set since the last save, once the object has been read. */
	protected $changes = array();

	/** @var WC_Meta_Data[] */
	protected $meta_data = array();

	protected $object_read = false;

	/** A copy is a new object: its meta rows get new ids when it is saved. */
	public function __clone() {
		foreach ( $this->meta_data as $index => $meta ) {
			$this->meta_data[ $index ]     = clone $meta;
			$this->meta_data[ $index ]->id = null;
		}
	}

	public function get_id() {
		return $this->id;
	}

	public function set_id( $id ) {
		$this->id = absint( $id );
	}

	public function set_object_read( $read = true ) {
		$this->object_read = (bool) $read;
	}

	public function apply_changes() {
		$this->data    = array_replace_recursive( $this->data, $this->changes );
		$this->changes = array();
	}

	protected function get_prop( $prop, $context = 'view' ) {
		if ( array_key_exists( $prop, $this->changes ) ) {
			return $this->changes[ $prop ];
		}
		return array_key_exists( $prop, $this->data ) ? $this->data[ $prop ] : null;
	}

	protected function set_prop( $prop, $value ) {
		if ( $this->object_read ) {
			if ( array_key_exists( $prop, $this->changes ) || ! array_key_exists( $prop, $this->data ) || $value !== $this->data[ $prop ] ) {
				$this->changes[ $prop ] = $value;
			}
		} else {
			$this->data[ $prop ] = $value;
		}
	}

	protected function set_date_prop( $prop, $value ) {
		if ( null === $value || '' === $value ) {
			$this->set_prop( $prop, null );
			return;
		}
		if ( $value instanceof WC_DateTime ) {
			$this->set_prop( $prop, $value );
			return;
		}
		$date = new WC_DateTime( '@' . ( is_numeric( $value ) ? (int) $value : strtotime( $value ) ) );
		$date->setTimezone( new DateTimeZone( WC_Stand_In_Store::$timezone ) );
		$this->set_prop( $prop, $date );
	}

	public function get_meta( $key = '', $single = true, $context = 'view' ) {
		$values = array();
		foreach ( $this->meta_data as $meta ) {
			if ( $meta->key === $key ) {
				$values[] = $meta->value;
			}
		}
		if ( $single ) {
			return $values ? $values[0] : '';
		}
		return array_map(
			function ( $value ) use ( $key ) {
				return new WC_Meta_Data( array( 'key' => $key, 'value' => $value ) );
			},
			$values
		);
	}

	/** @return WC_Meta_Data[] */
	public function get_meta_data() {
		return array_values( $this->meta_data );
	}

	public function add_meta_data( $key, $value, $unique = false ) {
		if ( $unique ) {
			$this->delete_meta_data( $key );
		}
		$this->meta_data[] = new WC_Meta_Data( array( 'key' => $key, 'value' => $value ) );
	}

	public function update_meta_data( $key, $value, $meta_id = 0 ) {
		foreach ( $this->meta_data as $meta ) {
			if ( $meta->key === $key && ( ! $meta_id || $meta->id === $meta_id ) ) {
				$meta->value = $value;
				return;
			}
		}
		$this->add_meta_data( $key, $value );
	}

	public function delete_meta_data( $key ) {
		$this->meta_data = array_values(
			array_filter(
				$this->meta_data,
				function ( $meta ) use ( $key ) {
					return $meta->key !== $key;
				}
			)
		);
	}

	/** Gives unsaved meta rows their ids (what a data store does while writing them). */
	protected function assign_meta_ids() {
		foreach ( $this->meta_data as $meta ) {
			if ( null === $meta->id ) {
				$meta->id = WC_Stand_In_Store::next_id( 'meta' );
			}
		}
	}

	/** Meta rows as the database keeps them: scalars come back as strings. */
	protected function export_meta() {
		return array_map(
			function ( $meta ) {
				$row          = $meta->get_data();
				$row['value'] = is_scalar( $row['value'] ) ? (string) $row['value'] : $row['value'];
				return $row;
			},
			$this->meta_data
		);
	}

	protected function import_meta( array $rows ) {
		$this->meta_data = array_map(
			function ( $row ) {
				return new WC_Meta_Data( $row );
			},
			$rows
		);
	}
}
