<?php
/**
 * ML_Connector_Error: the one exception the plugin's own code throws (spool, key file, envelope).
 * It never leaves the plugin: the channel and vault catch it, log it and answer null/false.
 * Messages name paths and reasons, never secrets.
 *
 * @package ML_Connector
 */

defined( 'ABSPATH' ) || exit;

class ML_Connector_Error extends RuntimeException {
}
