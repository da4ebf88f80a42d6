<?php
/**
 * ML_Connector_Fallback_Spool: the pure-PHP fallback's access to the spool through PDO SQLite, for
 * when the extension is not loaded. It creates the schema by executing schema/spool.sql as-is (the
 * one definition, also embedded by the Rust side) when PRAGMA user_version is 0, runs in WAL mode
 * with a short busy timeout, validates events against the event schema before writing them
 * (producer `php-fallback`), and reads what the agent writes (agent_status, order_sync).
 *
 * Every failure is an ML_Connector_Error; ML_Connector_Channel catches and logs it.
 *
 * @package ML_Connector
 */

defined( 'ABSPATH' ) || exit;

final class ML_Connector_Fallback_Spool {

	const PRODUCER       = 'php-fallback';
	const SCHEMA_VERSION = 1;

	/** @var string */
	private $path;

	/** @var PDO|null */
	private $pdo;

	/** @var bool WAL, durability and schema are set up on $pdo */
	private $ready_for_writes = false;

	public function __construct( $path ) {
		$this->path = $path;
	}

	public function path() {
		return $this->path;
	}

	/**
	 * Validates the event and makes it durable.
	 *
	 * @return int the sequence number
	 * @throws ML_Connector_Error
	 */
	public function enqueue( $event_json ) {
		$problem = ML_Connector_Event::problem( $event_json );
		if ( null !== $problem ) {
			throw new ML_Connector_Error( $problem );
		}
		$event = json_decode( $event_json, true );
		$pdo   = $this->writable();
		return $this->run(
			function () use ( $pdo, $event, $event_json ) {
				$insert = $pdo->prepare( 'INSERT INTO events (kind, object_id, body, producer, enqueued_at) VALUES (?, ?, ?, ?, ?)' );
				$insert->execute( array( $event['kind'], $event['object_id'], $event_json, self::PRODUCER, ML_Connector_Event::utc_now() ) );
				return (int) $pdo->lastInsertId();
			}
		);
	}

	/** @throws ML_Connector_Error */
	public function put_setting( $name, $json ) {
		$pdo = $this->writable();
		$this->run(
			function () use ( $pdo, $name, $json ) {
				$pdo->prepare(
					'INSERT INTO settings (name, value, updated_at) VALUES (?, ?, ?) '
					. 'ON CONFLICT(name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at'
				)->execute( array( $name, $json, ML_Connector_Event::utc_now() ) );
			}
		);
	}

	/**
	 * A row of agent_status, or null when absent (or when there is no spool yet).
	 *
	 * @return array{value: string, updated_at: string}|null
	 * @throws ML_Connector_Error
	 */
	public function agent_status( $name ) {
		$pdo = $this->readable();
		if ( ! $pdo ) {
			return null;
		}
		return $this->run(
			function () use ( $pdo, $name ) {
				$query = $pdo->prepare( 'SELECT value, updated_at FROM agent_status WHERE name = ?' );
				$query->execute( array( $name ) );
				$row = $query->fetch( PDO::FETCH_ASSOC );
				return $row ? $row : null;
			}
		);
	}

	/**
	 * @param int[] $order_ids
	 * @return array<int, array{state: string, nav_number: ?string, reason: ?string, updated_at: string}>
	 * @throws ML_Connector_Error
	 */
	public function order_sync( array $order_ids ) {
		$order_ids = array_values( array_filter( array_map( 'intval', $order_ids ) ) );
		$pdo       = $this->readable();
		if ( ! $pdo || ! $order_ids ) {
			return array();
		}
		return $this->run(
			function () use ( $pdo, $order_ids ) {
				$marks = implode( ',', array_fill( 0, count( $order_ids ), '?' ) );
				$query = $pdo->prepare( "SELECT order_id, state, nav_number, reason, updated_at FROM order_sync WHERE order_id IN ($marks)" );
				$query->execute( $order_ids );
				$found = array();
				foreach ( $query->fetchAll( PDO::FETCH_ASSOC ) as $row ) {
					$found[ (int) $row['order_id'] ] = array(
						'state'      => $row['state'],
						'nav_number' => $row['nav_number'],
						'reason'     => $row['reason'],
						'updated_at' => $row['updated_at'],
					);
				}
				return $found;
			}
		);
	}

	/**
	 * Events not yet taken over by the agent; null when there is no spool yet.
	 *
	 * @throws ML_Connector_Error
	 */
	public function depth() {
		$pdo = $this->readable();
		if ( ! $pdo ) {
			return null;
		}
		return $this->run(
			function () use ( $pdo ) {
				return (int) $pdo->query( 'SELECT COUNT(*) FROM events' )->fetchColumn();
			}
		);
	}

	/** Opens (creating file and schema when needed) for writing. */
	private function writable() {
		if ( $this->ready_for_writes ) {
			return $this->pdo;
		}
		$existed = is_file( $this->path );
		$pdo     = $this->pdo ? $this->pdo : $this->open();
		$this->run(
			function () use ( $pdo ) {
				$mode = $pdo->query( 'PRAGMA journal_mode=WAL' )->fetchColumn();
				if ( 'wal' !== strtolower( (string) $mode ) ) {
					throw new ML_Connector_Error( "spool {$this->path} could not switch to WAL mode (got $mode)" );
				}
				$pdo->exec( 'PRAGMA synchronous=' . ( 'normal' === ML_Connector_Config::durability() ? 'NORMAL' : 'FULL' ) );
				$this->create_schema( $pdo );
			}
		);
		if ( ! $existed ) {
			// Group-writable so the web server's workers and the agent share it; never world-readable.
			@chmod( $this->path, 0660 ); // phpcs:ignore WordPress.PHP.NoSilencedErrors, WordPress.WP.AlternativeFunctions.file_system_operations_chmod
		}
		$this->pdo              = $pdo;
		$this->ready_for_writes = true;
		return $pdo;
	}

	/** Opens an existing spool for reading; null when it does not exist or has no schema yet. */
	private function readable() {
		if ( $this->pdo ) {
			return $this->pdo;
		}
		if ( ! is_file( $this->path ) ) {
			return null;
		}
		$pdo     = $this->open();
		$version = $this->run(
			function () use ( $pdo ) {
				return (int) $pdo->query( 'PRAGMA user_version' )->fetchColumn();
			}
		);
		if ( $version < self::SCHEMA_VERSION ) {
			return null;
		}
		$this->pdo = $pdo;
		return $pdo;
	}

	private function open() {
		try {
			$pdo = new PDO( 'sqlite:' . $this->path, null, null, array( PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION ) );
			$pdo->exec( 'PRAGMA busy_timeout = ' . ML_Connector_Config::busy_timeout_ms() );
			return $pdo;
		} catch ( PDOException $e ) {
			throw new ML_Connector_Error( "spool {$this->path}: " . $e->getMessage(), 0, $e );
		}
	}

	/** Runs schema/spool.sql when user_version is 0; IMMEDIATE so two creating processes serialise. */
	private function create_schema( PDO $pdo ) {
		$version = (int) $pdo->query( 'PRAGMA user_version' )->fetchColumn();
		if ( $version > self::SCHEMA_VERSION ) {
			throw new ML_Connector_Error( "spool {$this->path} has schema version $version; this plugin knows up to " . self::SCHEMA_VERSION . ' (update the plugin)' );
		}
		if ( $version === self::SCHEMA_VERSION ) {
			return;
		}
		$sql = file_get_contents( ML_Connector_Config::schema_file() ); // phpcs:ignore WordPress.WP.AlternativeFunctions.file_get_contents_file_get_contents
		if ( false === $sql ) {
			throw new ML_Connector_Error( 'schema file ' . ML_Connector_Config::schema_file() . ' could not be read' );
		}
		$pdo->exec( 'BEGIN IMMEDIATE' );
		try {
			if ( 0 === (int) $pdo->query( 'PRAGMA user_version' )->fetchColumn() ) {
				$pdo->exec( $sql );
			}
			$pdo->exec( 'COMMIT' );
		} catch ( PDOException $e ) {
			$pdo->exec( 'ROLLBACK' );
			throw $e;
		}
	}

	/** Runs a database step, turning PDO's exceptions into ML_Connector_Error with the path. */
	private function run( callable $step ) {
		try {
			return $step();
		} catch ( PDOException $e ) {
			throw new ML_Connector_Error( "spool {$this->path}: " . $e->getMessage(), 0, $e );
		}
	}
}
