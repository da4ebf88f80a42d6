//! The part of each simulator's control API (`/_sim/...`) that sim-kit owns: faults and the
//! request journal. Merged into each simulator's own control router.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;

use crate::{FaultSettings, Faults, Journal};

#[derive(Clone)]
struct Control {
    faults: Faults,
    journal: Journal,
}

/// `GET|PUT /_sim/faults`, `GET|DELETE /_sim/requests?since=N`.
pub fn router(faults: Faults, journal: Journal) -> Router {
    Router::new()
        .route("/_sim/faults", get(get_faults).put(put_faults).patch(patch_faults))
        .route("/_sim/requests", get(get_requests).delete(clear_requests))
        .with_state(Control { faults, journal })
}

async fn get_faults(State(control): State<Control>) -> Json<FaultSettings> {
    Json(control.faults.get())
}

async fn put_faults(State(control): State<Control>, body: axum::body::Bytes) -> Response {
    match serde_json::from_slice::<FaultSettings>(&body) {
        Ok(settings) => match control.faults.set(settings) {
            Ok(()) => Json(control.faults.get()).into_response(),
            Err(message) => bad_request(message),
        },
        Err(error) => bad_request(format!("fault settings: {error}")),
    }
}

/// Changes only the fields sent.
async fn patch_faults(State(control): State<Control>, body: axum::body::Bytes) -> Response {
    let current = serde_json::to_value(control.faults.get()).unwrap_or_default();
    let patch: serde_json::Value = match serde_json::from_slice(&body) {
        Ok(value) => value,
        Err(error) => return bad_request(format!("fault settings: {error}")),
    };
    let mut merged = current;
    if let (Some(target), Some(source)) = (merged.as_object_mut(), patch.as_object()) {
        for (key, value) in source {
            target.insert(key.clone(), value.clone());
        }
    }
    match serde_json::from_value::<FaultSettings>(merged) {
        Ok(settings) => match control.faults.set(settings) {
            Ok(()) => Json(control.faults.get()).into_response(),
            Err(message) => bad_request(message),
        },
        Err(error) => bad_request(format!("fault settings: {error}")),
    }
}

#[derive(Deserialize)]
struct Since {
    #[serde(default)]
    since: u64,
}

async fn get_requests(State(control): State<Control>, Query(since): Query<Since>) -> Response {
    Json(serde_json::json!({
        "total": control.journal.total(),
        "requests": control.journal.since(since.since),
    }))
    .into_response()
}

async fn clear_requests(State(control): State<Control>) -> StatusCode {
    control.journal.clear();
    StatusCode::NO_CONTENT
}

fn bad_request(message: String) -> Response {
    (StatusCode::BAD_REQUEST, Json(serde_json::json!({ "error": message }))).into_response()
}
