<?php

/**
 * Stubs of the PHP extension `ml_connector` (ml-connector), for PHPStan, Psalm and IDEs.
 * Not loaded at run time: the functions come from the extension.
 *
 * None of these functions throws: a failure returns null/false (or an empty array where the return
 * type is `array`), writes one line `ml_connector: ...` to PHP's error log, and leaves its reason,
 * in plain words, in ml_connector_last_error(). Wrong argument types count as failures too (a
 * `false` from a failed json_encode() does not become a TypeError in the checkout); only a wrong
 * number of arguments is refused by PHP itself.
 *
 * php.ini (PHP_INI_SYSTEM): ml_connector.spool_path, ml_connector.key_path,
 * ml_connector.wake_socket, ml_connector.busy_timeout_ms, ml_connector.durability.
 *
 * @see docs/php-api.md
 */

/**
 * Hands one event to the agent: validates it against the event schema, makes it durable in the
 * spool (committed before this returns), then wakes the agent with a datagram that never blocks.
 * An agent that is down or busy does not make this fail: the event waits in the spool.
 *
 * Waits at most ml_connector.busy_timeout_ms for a spool locked by another process, then gives up.
 *
 * @param string $event_json One event of the event schema (schema 1), as JSON.
 * @return int|null The event's sequence number in the spool, or null (see ml_connector_last_error()).
 */
function ml_connector_enqueue(string $event_json): ?int {}

/**
 * The reason of the last failure in this PHP process (one FPM worker), in plain words: what is
 * wrong, with the path and the cause. A later success does not clear it.
 *
 * @return string|null Null when nothing has failed in this process yet.
 */
function ml_connector_last_error(): ?string {}

/**
 * Encrypts a secret with the vault key (ml_connector.key_path) for one purpose; the envelope only
 * decrypts for that same purpose. The key file is re-read when it changes (key rotation).
 *
 * @param string $purpose   What the secret is for, e.g. `nav_client_secret`.
 * @param string $plaintext The secret; never logged, never in an error message.
 * @return string|null An envelope `mlc1:<key id>:<data>`, or null (e.g. key missing or unreadable).
 */
function ml_connector_encrypt(string $purpose, string $plaintext): ?string {}

/**
 * Stores a settings document in the spool (table `settings`) for the agent. Secrets inside must
 * already be envelopes from ml_connector_encrypt().
 *
 * @param string $name The document's name.
 * @param string $json The document, valid JSON.
 * @return bool True once stored; false on failure (invalid JSON, spool unusable).
 */
function ml_connector_put_setting(string $name, string $json): bool {}

/**
 * The extension's state for the status screen. Only looks: never creates the spool.
 *
 * @return array{
 *     extension_version: string,
 *     spool_path: string,
 *     spool_ok: bool,
 *     spool_error: string|null,
 *     queue_depth: int|null,
 *     key_path: string,
 *     key_ok: bool,
 *     key_id: string|null,
 *     wake_socket: string,
 *     agent_listening: bool,
 *     heartbeat: string|null,
 *     heartbeat_at: string|null,
 *     snapshot: string|null,
 *     snapshot_at: string|null
 * } `heartbeat` and `snapshot` are the agent's JSON documents; the `*_at` values are UTC times.
 */
function ml_connector_status(): array {}

/**
 * One document the agent wrote into `agent_status`, e.g. `heartbeat`, `snapshot` or
 * `check:<request id>` (the answer to a `command.check` event).
 *
 * @param string $name The document's name.
 * @return array{value: string, updated_at: string}|null The JSON document and when it was written
 *     (UTC), or null when there is no such document yet or on failure (see ml_connector_last_error()).
 */
function ml_connector_agent_status(string $name): ?array {}

/**
 * The sync state of orders, for the orders list and the order screen. Ids may be ints or integer
 * strings; other values are skipped.
 *
 * @param array<int|string> $order_ids WooCommerce order ids.
 * @return array<int, array{state: string, nav_number: string|null, reason: string|null, updated_at: string}>
 *     Keyed by order id, only for the orders that have a row. `state` is one of `queued`, `synced`,
 *     `parked`, `held`, `posted`, `deleted`.
 */
function ml_connector_order_sync(array $order_ids): array {}

/**
 * Wakes the agent now, for the last event this process enqueued. Never blocks.
 *
 * @return string `sent`, `agent-down` (no agent listening; events wait in the spool), `busy` (its
 *     queue is full; it will find the events anyway) or `failed` (see ml_connector_last_error()).
 */
function ml_connector_wake(): string {}
