<?php
/**
 * The WooCommerce main class, so "is WooCommerce active?" checks answer yes.
 */
final class WooCommerce {

	public $version = WC_VERSION;
}
