<?php
/**
 * The plugin API: actions and filters with priorities and accepted args, did_action,
 * current_action/current_filter (a stack: hooks fire inside hooks). Like WP_Hook, a callback
 * added while its hook runs still runs if its priority is still ahead.
 */

function add_filter( $hook, $callback, $priority = 10, $accepted_args = 1 ) {
	WP_Shim::$hooks[ $hook ][ $priority ][] = array( $callback, (int) $accepted_args );
	ksort( WP_Shim::$hooks[ $hook ] );
	return true;
}

function add_action( $hook, $callback, $priority = 10, $accepted_args = 1 ) {
	return add_filter( $hook, $callback, $priority, $accepted_args );
}

function has_filter( $hook, $callback = false ) {
	foreach ( isset( WP_Shim::$hooks[ $hook ] ) ? WP_Shim::$hooks[ $hook ] : array() as $priority => $entries ) {
		foreach ( $entries as $entry ) {
			if ( false === $callback || $entry[0] === $callback ) {
				return false === $callback ? true : $priority;
			}
		}
	}
	return false;
}

function has_action( $hook, $callback = false ) {
	return has_filter( $hook, $callback );
}

/**
 * Runs every callback of $hook in priority order; $call receives (callback, accepted args).
 */
function wp_shim_run_hook( $hook, callable $call ) {
	WP_Shim::$current_hooks[] = $hook;
	try {
		$done = array();
		while ( true ) {
			$next = null;
			foreach ( isset( WP_Shim::$hooks[ $hook ] ) ? WP_Shim::$hooks[ $hook ] : array() as $priority => $entries ) {
				foreach ( $entries as $index => $entry ) {
					if ( ! isset( $done[ "$priority:$index" ] ) ) {
						$next = array( "$priority:$index", $entry );
						break 2;
					}
				}
			}
			if ( null === $next ) {
				break;
			}
			$done[ $next[0] ] = true;
			$call( $next[1][0], $next[1][1] );
		}
	} finally {
		array_pop( WP_Shim::$current_hooks );
	}
}

function apply_filters( $hook, $value, ...$args ) {
	wp_shim_run_hook(
		$hook,
		function ( $callback, $accepted ) use ( &$value, $args ) {
			$value = call_user_func_array( $callback, array_slice( array_merge( array( $value ), $args ), 0, $accepted ) );
		}
	);
	return $value;
}

function do_action( $hook, ...$args ) {
	WP_Shim::$actions_done[ $hook ] = did_action( $hook ) + 1;
	if ( ! $args ) {
		$args = array( '' );
	}
	wp_shim_run_hook(
		$hook,
		function ( $callback, $accepted ) use ( $args ) {
			call_user_func_array( $callback, array_slice( $args, 0, $accepted ) );
		}
	);
}

function did_action( $hook ) {
	return isset( WP_Shim::$actions_done[ $hook ] ) ? WP_Shim::$actions_done[ $hook ] : 0;
}

function current_filter() {
	return WP_Shim::$current_hooks ? end( WP_Shim::$current_hooks ) : false;
}

function current_action() {
	return current_filter();
}

