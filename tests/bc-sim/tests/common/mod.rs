//! Test harness: an in-process simulator on an ephemeral port, a client that logs in like a
//! connector (client credentials for online, Basic for on-prem), and a webhook receiver.

#![allow(dead_code)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::post;
use axum::Router;
use base64::Engine;
use bc_sim::{Config, RunningBcSim};
use reqwest::{Method, RequestBuilder, Response};
use serde_json::{json, Value};

pub struct Sim {
    pub sim: RunningBcSim,
    pub http: reqwest::Client,
    pub token: String,
}

impl Sim {
    pub async fn start() -> Sim {
        Self::with(Config::demo()).await
    }

    pub async fn with(config: Config) -> Sim {
        let sim = bc_sim::start(config).await.expect("simulator starts");
        let http = reqwest::Client::new();
        let token = fetch_token(&http, &sim).await;
        Sim { sim, http, token }
    }

    pub fn info(&self) -> &bc_sim::SimInfo {
        self.sim.info()
    }

    pub fn control(&self) -> &bc_sim::Control {
        self.sim.control()
    }

    /// `…/api/v2.0/companies(<demo company>)/<path>`
    pub fn url(&self, path: &str) -> String {
        format!("{}/companies({})/{}", self.info().api_online, self.info().company_id, path)
    }

    pub fn api(&self, path: &str) -> String {
        format!("{}/{}", self.info().api_online, path)
    }

    pub fn request(&self, method: Method, url: &str) -> RequestBuilder {
        self.http.request(method, url).bearer_auth(&self.token)
    }

    pub async fn get(&self, url: &str) -> Response {
        self.request(Method::GET, url).send().await.expect("GET")
    }

    pub async fn get_json(&self, url: &str) -> Value {
        let response = self.get(url).await;
        let status = response.status();
        let body: Value = response.json().await.expect("JSON body");
        assert_eq!(status, 200, "GET {url}: {body}");
        body
    }

    /// GET with query parameters (encoded by reqwest).
    pub async fn query(&self, url: &str, params: &[(&str, &str)]) -> Response {
        self.request(Method::GET, url).query(params).send().await.expect("GET")
    }

    pub async fn post(&self, url: &str, body: Value) -> Response {
        self.request(Method::POST, url).json(&body).send().await.expect("POST")
    }

    pub async fn post_ok(&self, url: &str, body: Value) -> Value {
        let response = self.post(url, body).await;
        let status = response.status();
        let body: Value = response.json().await.expect("JSON body");
        assert_eq!(status, 201, "POST {url}: {body}");
        body
    }

    pub async fn patch(&self, url: &str, etag: Option<&str>, body: Value) -> Response {
        let mut request = self.request(Method::PATCH, url).json(&body);
        if let Some(etag) = etag {
            request = request.header("If-Match", etag);
        }
        request.send().await.expect("PATCH")
    }

    pub async fn delete(&self, url: &str, etag: Option<&str>) -> Response {
        let mut request = self.request(Method::DELETE, url);
        if let Some(etag) = etag {
            request = request.header("If-Match", etag);
        }
        request.send().await.expect("DELETE")
    }

    pub async fn action(&self, url: &str) -> Response {
        self.request(Method::POST, url).send().await.expect("action")
    }

    /// Creates the order of the reference's deep-insert example; returns the created entity.
    pub async fn create_order(&self, external: &str) -> Value {
        self.post_ok(
            &self.url("salesOrders"),
            json!({
                "customerNumber": "10000",
                "externalDocumentNumber": external,
                "dimensionSetLines": [ { "code": "CHANNEL", "valueCode": "WEB" } ],
                "salesOrderLines": [
                    { "lineType": "Item", "lineObjectNumber": "1896-S", "quantity": 2, "unitPrice": 99.5 },
                    { "lineType": "Account", "lineObjectNumber": "8100", "description": "Shipping", "quantity": 1, "unitPrice": 5 }
                ]
            }),
        )
        .await
    }

    pub async fn item(&self, number: &str) -> Value {
        let list = self.get_json(&format!("{}?$filter=number eq '{number}'", self.url("items"))).await;
        list["value"][0].clone()
    }

    /// Basic authorization header value for the on-prem endpoints.
    pub fn basic(&self) -> String {
        let raw = format!("{}:{}", self.info().basic_user, self.info().basic_key);
        format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(raw))
    }

    pub async fn shutdown(self) {
        self.sim.shutdown().await;
    }
}

pub async fn fetch_token(http: &reqwest::Client, sim: &RunningBcSim) -> String {
    let info = sim.info();
    let response: Value = http
        .post(&info.token_url)
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", info.client_id.as_str()),
            ("client_secret", info.client_secret.as_str()),
            ("scope", info.scope.as_str()),
        ])
        .send()
        .await
        .expect("token request")
        .json()
        .await
        .expect("token JSON");
    response["access_token"].as_str().expect("access_token").to_string()
}

pub async fn error_of(response: Response) -> (u16, String, String) {
    let status = response.status().as_u16();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    (
        status,
        body["error"]["code"].as_str().unwrap_or("").to_string(),
        body["error"]["message"].as_str().unwrap_or("").to_string(),
    )
}

pub fn etag(entity: &Value) -> String {
    entity["@odata.etag"].as_str().expect("@odata.etag").to_string()
}

/// Polls `check` until it returns `Some`, for at most 10 seconds.
pub async fn eventually<T, F, Fut>(mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    for _ in 0..500 {
        if let Some(value) = check().await {
            return value;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("condition not reached within 10 s");
}

/// A notification endpoint: answers the validation handshake with the token (when
/// `handshake_ok`), and notifications with `status`; records every request.
#[derive(Clone)]
pub struct Receiver {
    pub url: String,
    pub received: Arc<Mutex<Vec<Received>>>,
    pub status: Arc<Mutex<u16>>,
    pub handshake_ok: Arc<Mutex<bool>>,
}

#[derive(Clone, Debug)]
pub struct Received {
    pub validation_token: Option<String>,
    pub body: Value,
    pub headers: Vec<(String, String)>,
}

#[derive(serde::Deserialize)]
struct Validation {
    #[serde(rename = "validationToken")]
    validation_token: Option<String>,
}

async fn receive(
    State(receiver): State<Receiver>,
    Query(validation): Query<Validation>,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> axum::response::Response {
    let record = Received {
        validation_token: validation.validation_token.clone(),
        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
        headers: headers.iter().map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string())).collect(),
    };
    receiver.received.lock().unwrap().push(record);
    if let Some(token) = validation.validation_token {
        if *receiver.handshake_ok.lock().unwrap() {
            return (StatusCode::OK, token).into_response();
        }
        return (StatusCode::OK, "wrong").into_response();
    }
    let status = *receiver.status.lock().unwrap();
    StatusCode::from_u16(status).unwrap().into_response()
}

impl Receiver {
    pub async fn start() -> Receiver {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let receiver = Receiver {
            url,
            received: Arc::new(Mutex::new(Vec::new())),
            status: Arc::new(Mutex::new(200)),
            handshake_ok: Arc::new(Mutex::new(true)),
        };
        let app = Router::new().route("/hook", post(receive)).with_state(receiver.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        receiver
    }

    /// Notification bodies received (handshakes excluded).
    pub fn notifications(&self) -> Vec<Received> {
        self.received.lock().unwrap().iter().filter(|r| r.validation_token.is_none()).cloned().collect()
    }

    pub fn handshakes(&self) -> usize {
        self.received.lock().unwrap().iter().filter(|r| r.validation_token.is_some()).count()
    }

    pub fn set_status(&self, status: u16) {
        *self.status.lock().unwrap() = status;
    }
}
