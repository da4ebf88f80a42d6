<?php
/**
 * ML_Connector_Change: what happened to one object (order, refund or customer) during the current
 * request — the hooks seen, in firing order, and whether it was created, deleted or restored. The
 * outbox turns it into exactly one event at the end of the request.
 *
 * @package ML_Connector
 */

defined( 'ABSPATH' ) || exit;

final class ML_Connector_Change {

	const ORDER    = 'order';
	const REFUND   = 'refund';
	const CUSTOMER = 'customer';

	/** @var string */
	private $type;

	/** @var int */
	private $id;

	/** @var string[] */
	private $hooks = array();

	private $created  = false;
	private $deleted  = false;
	private $restored = false;

	/** @var int|null */
	private $parent_id;

	/** @var array|null the object's representation taken before a permanent delete */
	private $snapshot;

	public function __construct( $type, $id ) {
		$this->type = $type;
		$this->id   = (int) $id;
	}

	public function type() {
		return $this->type;
	}

	public function id() {
		return $this->id;
	}

	/** Records a hook; each name once, at its first firing (several saves are one change). */
	public function saw( $hook ) {
		if ( ! in_array( $hook, $this->hooks, true ) ) {
			$this->hooks[] = $hook;
		}
		return $this;
	}

	/** @return string[] */
	public function hooks() {
		return $this->hooks;
	}

	public function mark_created() {
		$this->created = true;
		return $this;
	}

	/** @param array|null $snapshot the representation while the object still existed */
	public function mark_deleted( $snapshot = null ) {
		$this->deleted  = true;
		$this->restored = false;
		if ( null !== $snapshot ) {
			$this->snapshot = $snapshot;
		}
		return $this;
	}

	public function mark_restored() {
		$this->restored = true;
		$this->deleted  = false;
		return $this;
	}

	public function set_parent( $parent_id ) {
		if ( $parent_id > 0 ) {
			$this->parent_id = (int) $parent_id;
		}
		return $this;
	}

	public function created() {
		return $this->created;
	}

	public function deleted() {
		return $this->deleted;
	}

	public function restored() {
		return $this->restored;
	}

	public function parent_id() {
		return $this->parent_id;
	}

	public function snapshot() {
		return $this->snapshot;
	}
}
