<?php
/**
 * Automattic\WooCommerce\Utilities\FeaturesUtil: records compatibility declarations so tests can
 * read them back.
 */
namespace Automattic\WooCommerce\Utilities;

final class FeaturesUtil {

	/** @var array<string, array<string, bool>> feature id => plugin file => compatible */
	public static $declarations = array();

	public static function declare_compatibility( $feature_id, $plugin_file, $positive_compatibility = true ) {
		self::$declarations[ $feature_id ][ $plugin_file ] = (bool) $positive_compatibility;
		return true;
	}
}
