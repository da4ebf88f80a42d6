<?php
/**
 * WC_DateTime: a DateTime in the site's timezone that also knows its "offset timestamp" (local wall
 * time as if it were UTC), which is what WooCommerce formats the non-`_gmt` REST dates from.
 */
class WC_DateTime extends DateTime {

	public function __toString() {
		return $this->format( DATE_ATOM );
	}

	/** Local wall-clock time as a UNIX timestamp (timestamp + UTC offset). */
	public function getOffsetTimestamp() {
		return $this->getTimestamp() + $this->getOffset();
	}
}
