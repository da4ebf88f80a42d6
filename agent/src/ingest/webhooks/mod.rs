//! Webhook mode: the listener that receives WooCommerce's deliveries (`receiver`), and the watch
//! over the agent's own subscriptions (`subscriptions`): created by the agent, checked every
//! `check_interval`, recreated when WooCommerce disabled them, with the gap backfilled through
//! reconciliation. The shared webhook secret lives in the vault (encrypted in the state database
//! with the vault key); it is generated here, alphanumeric because WooCommerce HTML-decodes
//! secrets before signing, and never logged.

mod receiver;
mod subscriptions;

/// The delivery checks, public for the fuzz targets (tests/fuzz).
pub use receiver::{event_of, signature_matches};

use std::sync::Arc;

use rand::distributions::Alphanumeric;
use rand::Rng;
use tokio::sync::{watch, Notify};

use crate::config::{Secret, WebhookSettings};
use crate::pipeline::runner::SharedRuntime;
use crate::runtime::Runtime;
use crate::status::StatusBoard;

/// Where the secret is kept: a cursor holding an envelope of this purpose.
pub const SECRET_CURSOR: &str = "ingest.webhooks.secret";
const SECRET_PURPOSE: &str = "ingest.webhook_secret";

/// What the receiver and the watch share.
pub struct Endpoint {
    pub settings: WebhookSettings,
    pub secret: Secret,
    /// Answered to a GET on the listener: the watch's probe through the public URL recognises
    /// its own agent by it (not a secret).
    pub instance: String,
    /// True when the secret was made now: subscriptions found from before carry another one.
    pub new_secret: bool,
}

/// Runs the listener and the watch until `stop`.
pub async fn run(settings: WebhookSettings, runtime: SharedRuntime, wake: Arc<Notify>, board: Arc<StatusBoard>, lookback_hours: i64, stop: watch::Receiver<bool>) {
    let rt = runtime.read().await.clone();
    let (secret, new_secret) = match load_or_make_secret(&rt) {
        Ok(pair) => pair,
        Err(error) => {
            tracing::error!(%error, "webhook mode: the webhook secret cannot be kept in the vault; webhooks are not used (reconciliation still runs)");
            return;
        }
    };
    let instance: String = rand::thread_rng().sample_iter(&Alphanumeric).take(16).map(char::from).collect();
    let endpoint = Arc::new(Endpoint { settings, secret, instance, new_secret });
    let listener = receiver::serve(endpoint.clone(), runtime.clone(), wake, stop.clone());
    let watch = subscriptions::watch(endpoint, runtime, board, lookback_hours, stop);
    tokio::join!(listener, watch);
}

/// The secret from the vault, or a new one stored there (then `true`).
fn load_or_make_secret(rt: &Runtime) -> Result<(Secret, bool), String> {
    if let Some(envelope) = rt.store.cursor(SECRET_CURSOR).map_err(|e| e.to_string())? {
        match rt.keyring.decrypt_string(SECRET_PURPOSE, &envelope) {
            Ok(secret) => return Ok((Secret::new(secret), false)),
            Err(error) => tracing::warn!(%error, "the stored webhook secret cannot be decrypted with the vault key; making a new one and recreating the subscriptions"),
        }
    }
    let secret: String = rand::thread_rng().sample_iter(&Alphanumeric).take(48).map(char::from).collect();
    rt.store.set_cursor(SECRET_CURSOR, &rt.keyring.encrypt(SECRET_PURPOSE, secret.as_bytes())).map_err(|e| e.to_string())?;
    Ok((Secret::new(secret), true))
}
