//! Test support: a demo simulator per test, HTTP clients that trust the simulator's certificate
//! (verification stays on), and an OAuth 1.0a client written from RFC 5849 — not from the
//! simulator's verifier — so that the two can disagree.
#![allow(dead_code)]

use base64::Engine;
use hmac::{Hmac, Mac};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde_json::Value;
use woo_sim::{Config, RunningWooSim};

pub async fn start() -> RunningWooSim {
    start_with(Config::demo()).await
}

pub async fn start_with(config: Config) -> RunningWooSim {
    woo_sim::start(config).await.expect("simulator starts")
}

/// A client for the HTTPS side that trusts only the simulator's self-signed certificate.
pub fn https_client(sim: &RunningWooSim) -> reqwest::Client {
    let pem = sim.cert_pem.as_ref().expect("https enabled");
    let cert = reqwest::Certificate::from_pem(pem.as_bytes()).expect("certificate parses");
    reqwest::Client::builder().add_root_certificate(cert).tls_built_in_root_certs(false).build().expect("client")
}

pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().expect("client")
}

/// RFC 3986 unreserved characters stay; everything else is percent-encoded (RFC 5849 3.6).
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

pub fn encode(text: &str) -> String {
    utf8_percent_encode(text, UNRESERVED).to_string()
}

#[derive(Clone, Copy)]
pub enum Method {
    Sha1,
    Sha256,
}

/// An OAuth 1.0a one-legged signer (no token).
pub struct OAuth {
    pub key: String,
    pub secret: String,
    pub method: Method,
}

impl OAuth {
    pub fn new(sim: &RunningWooSim) -> Self {
        Self { key: sim.consumer_key.clone(), secret: sim.consumer_secret.clone(), method: Method::Sha1 }
    }

    /// The oauth_* parameters for a request: `url` is the URL the site knows (its home URL +
    /// path), `params` the query/form parameters that will be sent.
    pub fn sign(&self, http_method: &str, url: &str, params: &[(String, String)], timestamp: i64, nonce: &str) -> Vec<(String, String)> {
        let signature_method = match self.method {
            Method::Sha1 => "HMAC-SHA1",
            Method::Sha256 => "HMAC-SHA256",
        };
        let mut oauth = vec![
            ("oauth_consumer_key".to_string(), self.key.clone()),
            ("oauth_nonce".to_string(), nonce.to_string()),
            ("oauth_signature_method".to_string(), signature_method.to_string()),
            ("oauth_timestamp".to_string(), timestamp.to_string()),
            ("oauth_version".to_string(), "1.0".to_string()),
        ];
        let mut all: Vec<(String, String)> = params.iter().chain(oauth.iter()).map(|(k, v)| (encode(k), encode(v))).collect();
        all.sort();
        let normalized = all.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&");
        let base = format!("{}&{}&{}", http_method.to_uppercase(), encode(url), encode(&normalized));
        let key = format!("{}&", encode(&self.secret));
        let raw = match self.method {
            Method::Sha1 => Hmac::<sha1::Sha1>::new_from_slice(key.as_bytes()).unwrap().chain_update(base.as_bytes()).finalize().into_bytes().to_vec(),
            Method::Sha256 => Hmac::<sha2::Sha256>::new_from_slice(key.as_bytes()).unwrap().chain_update(base.as_bytes()).finalize().into_bytes().to_vec(),
        };
        oauth.push(("oauth_signature".to_string(), base64::engine::general_purpose::STANDARD.encode(raw)));
        oauth
    }

    /// A signed URL (params and oauth_* in the query) for `path` on the simulator.
    pub fn url(&self, sim: &RunningWooSim, http_method: &str, path: &str, params: &[(&str, &str)]) -> String {
        let params: Vec<(String, String)> = params.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let oauth = self.sign(http_method, &format!("{}{path}", sim.home_url), &params, now(), &nonce());
        let query = params.iter().chain(oauth.iter()).map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect::<Vec<_>>().join("&");
        format!("{}{path}?{query}", sim.http_url)
    }
}

pub fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

pub fn nonce() -> String {
    format!("{:032x}", rand::random::<u128>())
}

/// GET over HTTPS with Basic auth.
pub async fn get(sim: &RunningWooSim, path_and_query: &str) -> (u16, Value, reqwest::header::HeaderMap) {
    let url = format!("{}/wp-json/wc/v3{path_and_query}", sim.https_url.as_ref().unwrap());
    let response = https_client(sim).get(url).basic_auth(&sim.consumer_key, Some(&sim.consumer_secret)).send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, response.json().await.unwrap_or(Value::Null), headers)
}

/// A write over HTTPS with Basic auth and a JSON body.
pub async fn send(sim: &RunningWooSim, method: reqwest::Method, path: &str, body: &Value) -> (u16, Value) {
    send_with(sim, method, path, body, false).await
}

/// As `send`, marked as the agent's own write.
pub async fn send_with(sim: &RunningWooSim, method: reqwest::Method, path: &str, body: &Value, agent: bool) -> (u16, Value) {
    let url = format!("{}/wp-json/wc/v3{path}", sim.https_url.as_ref().unwrap());
    let mut request = https_client(sim).request(method, url).basic_auth(&sim.consumer_key, Some(&sim.consumer_secret)).json(body);
    if agent {
        request = request.header("X-ML-Connector-Origin", "agent");
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

pub fn product_id(sim: &RunningWooSim, sku: &str) -> i64 {
    sim.control().product_by_sku(sku).unwrap()["id"].as_i64().unwrap()
}

pub fn stock_of(sim: &RunningWooSim, sku: &str) -> i64 {
    sim.control().product_by_sku(sku).unwrap()["stock_quantity"].as_i64().unwrap()
}

/// Places a classic-checkout order.
pub async fn place(sim: &RunningWooSim, items: &[(&str, i64)], payment_method: &str) -> Value {
    let request = woo_sim::PlaceOrder {
        items: items.iter().map(|(sku, quantity)| woo_sim::ItemRequest { sku: sku.to_string(), quantity: *quantity }).collect(),
        payment_method: payment_method.to_string(),
        customer_id: 2,
        ..Default::default()
    };
    sim.control().place_order(request).await.unwrap()
}

/// Hook names fired since `since`, optionally for one object id.
pub fn hook_names(sim: &RunningWooSim, since: u64, object_id: Option<i64>) -> Vec<String> {
    sim.control()
        .hooks(since)
        .into_iter()
        .filter(|h| object_id.is_none_or(|id| serde_json::to_value(h.object).unwrap()["id"] == id))
        .map(|h| h.hook)
        .collect()
}

/// A webhook receiver on 127.0.0.1 answering with a settable status.
pub struct Receiver {
    pub url: String,
    pub port: u16,
    pub hits: std::sync::Arc<std::sync::Mutex<Vec<(reqwest::header::HeaderMap, String)>>>,
    pub status: std::sync::Arc<std::sync::atomic::AtomicU16>,
    _server: sim_kit::RunningServer,
}

impl Receiver {
    pub fn hits(&self) -> Vec<(reqwest::header::HeaderMap, String)> {
        self.hits.lock().unwrap().clone()
    }

    pub fn answer(&self, status: u16) {
        self.status.store(status, std::sync::atomic::Ordering::SeqCst);
    }
}

pub async fn receiver() -> Receiver {
    use std::sync::atomic::{AtomicU16, Ordering};
    use std::sync::{Arc, Mutex};
    let hits: Arc<Mutex<Vec<(reqwest::header::HeaderMap, String)>>> = Arc::default();
    let status = Arc::new(AtomicU16::new(200));
    let (h, s) = (hits.clone(), status.clone());
    let router = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: axum::http::HeaderMap, body: String| {
            let (h, s) = (h.clone(), s.clone());
            async move {
                h.lock().unwrap().push((headers, body));
                let code = axum::http::StatusCode::from_u16(s.load(Ordering::SeqCst)).unwrap();
                if code.is_redirection() {
                    return (code, [("location", "/elsewhere")]).into_response();
                }
                code.into_response()
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let server = sim_kit::serve(sim_kit::Listen::Http(listener), router).unwrap();
    let port = server.addr.port();
    Receiver { url: format!("http://127.0.0.1:{port}/hook"), port, hits, status, _server: server }
}

use axum::response::IntoResponse;

/// A simulator whose webhook queue runs only when asked, allowed to deliver to `receiver`.
pub async fn start_for(receiver: &Receiver) -> RunningWooSim {
    start_with(Config { webhook_auto_run: false, webhook_safe_ports: vec![receiver.port], ..Config::demo() }).await
}

pub async fn create_webhook(sim: &RunningWooSim, topic: &str, url: &str, secret: &str) -> Value {
    let (status, body) = send(sim, reqwest::Method::POST, "/webhooks", &serde_json::json!({"topic": topic, "delivery_url": url, "secret": secret})).await;
    assert_eq!(status, 201, "{body}");
    body
}
