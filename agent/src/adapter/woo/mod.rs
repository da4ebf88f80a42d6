//! WooCommerce REST API v3 (`{site}/wp-json/wc/v3`). Over HTTPS the consumer key and secret go in
//! Basic auth; over plain HTTP (a co-located agent on loopback) every request is signed with
//! OAuth 1.0a, because real stores refuse keys in clear there. The agent can be told to connect to
//! a local address for the site's host name. Every write carries `X-ML-Connector-Origin: agent` so
//! the plugin can tell the agent's own changes from the shop's.

pub mod customers;
pub mod oauth1;
pub mod refunds;
pub mod stock;
pub mod webhooks;

use base64::Engine;
use reqwest::Method;
use serde::Deserialize;

use super::http::{header, client, Call, Http, Recorder};
use super::{AdapterError, AdapterResult, System};
use crate::config::{Secret, WooSettings};
use crate::model::woo::Order;

pub const ORIGIN_HEADER: &str = "x-ml-connector-origin";
/// Order meta the agent writes: the NAV document number. Without a leading underscore: REST may
/// hide "protected" `_` keys on reads (unconfirmed for WooCommerce; woo-sim hides them, the
/// stricter reading), and the shop manager may see it in the custom fields box.
pub const NAV_NUMBER_META: &str = "ml_connector_nav_number";

pub struct Woo {
    http: Http,
    /// `{site}/wp-json/wc/v3`
    api: String,
    signed: bool,
    consumer_key: String,
    consumer_secret: Secret,
    basic: Secret,
}

/// Reads WooCommerce's error body `{"code","message","data":{"status"}}`.
fn parse_error(body: &str) -> (String, String) {
    #[derive(Deserialize)]
    struct WooError {
        #[serde(default)]
        code: String,
        #[serde(default)]
        message: String,
    }
    match serde_json::from_str::<WooError>(body) {
        Ok(e) => (e.code, e.message),
        Err(_) => (String::new(), super::http::preview(body)),
    }
}

/// A page of a WooCommerce list and its totals from `X-WP-Total` / `X-WP-TotalPages`.
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: u64,
    pub total_pages: u64,
}

impl Woo {
    pub fn new(settings: &WooSettings) -> Result<Woo, String> {
        let site = url::Url::parse(&settings.site_url).map_err(|e| format!("woo.site_url: {e}"))?;
        let resolve = match &settings.connect_to {
            Some(address) => {
                let host = site.host_str().ok_or("woo.site_url has no host")?.to_string();
                let ip: std::net::IpAddr = address
                    .rsplit_once(':')
                    .map(|(ip, _)| ip)
                    .unwrap_or(address)
                    .trim_matches(|c| c == '[' || c == ']')
                    .parse()
                    .map_err(|_| format!("woo.connect_to {address:?} is not an IP address"))?;
                let port = site.port_or_known_default().unwrap_or(80);
                Some((host, std::net::SocketAddr::new(ip, port)))
            }
            None => None,
        };
        let http_client = client(settings.timeout, settings.ca_file.as_deref(), resolve.as_ref().map(|(h, a)| (h.as_str(), *a)))?;
        let basic = base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", settings.consumer_key, settings.consumer_secret.expose()));
        Ok(Woo {
            http: Http { client: http_client, system: System::Woo, pacer: None, parse_error },
            api: format!("{}/wp-json/wc/v3", settings.site_url.trim_end_matches('/')),
            signed: site.scheme() == "http",
            consumer_key: settings.consumer_key.clone(),
            consumer_secret: settings.consumer_secret.clone(),
            basic: Secret::new(format!("Basic {basic}")),
        })
    }

    pub fn describe(&self) -> String {
        format!("WooCommerce REST API at {} ({})", self.api, if self.signed { "OAuth 1.0a over HTTP" } else { "keys over HTTPS" })
    }

    async fn send(&self, method: Method, path: &str, params: &[(String, String)], body: Option<&serde_json::Value>, rec: &Recorder) -> AdapterResult<super::http::Answer> {
        let base = format!("{}/{}", self.api, path.trim_start_matches('/'));
        let (url, auth) = if self.signed {
            let query = oauth1::signed_query(method.as_str(), &base, params, &self.consumer_key, self.consumer_secret.expose());
            (format!("{base}?{query}"), None)
        } else {
            let query = params.iter().map(|(k, v)| format!("{}={}", oauth1::rfc3986(k), oauth1::rfc3986(v))).collect::<Vec<_>>().join("&");
            (if query.is_empty() { base.clone() } else { format!("{base}?{query}") }, Some(self.basic.expose().to_string()))
        };
        let audit_url = if params.is_empty() {
            base.clone()
        } else {
            format!("{base}?{}", params.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&"))
        };
        let mut call = Call::new(method.clone(), url).header(header("accept", "application/json"));
        call.audit_url = Some(audit_url);
        if let Some(auth) = auth {
            call = call.header(header("authorization", &auth));
        }
        if method != Method::GET {
            call = call.header(header(ORIGIN_HEADER, "agent"));
        }
        if let Some(body) = body {
            call = call.json(body);
        }
        self.http.send(call, rec).await
    }

    pub async fn get_order(&self, id: i64, rec: &Recorder) -> AdapterResult<Option<Order>> {
        match self.send(Method::GET, &format!("orders/{id}"), &[], None, rec).await {
            Ok(answer) => answer.json(System::Woo).map(Some),
            Err(AdapterError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    pub async fn get_customer(&self, id: i64, rec: &Recorder) -> AdapterResult<Option<crate::model::woo::Customer>> {
        match self.send(Method::GET, &format!("customers/{id}"), &[], None, rec).await {
            Ok(answer) => answer.json(System::Woo).map(Some),
            Err(AdapterError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// A product or variation (for its GTIN, which order line items do not carry).
    pub async fn get_product(&self, product_id: i64, variation_id: i64, rec: &Recorder) -> AdapterResult<Option<crate::model::woo::Product>> {
        let path = if variation_id > 0 { format!("products/{product_id}/variations/{variation_id}") } else { format!("products/{product_id}") };
        match self.send(Method::GET, &path, &[], None, rec).await {
            Ok(answer) => answer.json(System::Woo).map(Some),
            Err(AdapterError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Orders modified after `after_gmt` (UTC, `YYYY-MM-DDTHH:MM:SS`), oldest first.
    pub async fn orders_modified_after(&self, after_gmt: &str, page: u32, rec: &Recorder) -> AdapterResult<Page<Order>> {
        let params = vec![
            ("modified_after".to_string(), after_gmt.to_string()),
            ("dates_are_gmt".to_string(), "true".to_string()),
            ("orderby".to_string(), "modified".to_string()),
            ("order".to_string(), "asc".to_string()),
            ("per_page".to_string(), "100".to_string()),
            ("page".to_string(), page.to_string()),
        ];
        let answer = self.send(Method::GET, "orders", &params, None, rec).await?;
        let total = header_number(&answer.headers, "x-wp-total");
        let total_pages = header_number(&answer.headers, "x-wp-totalpages");
        Ok(Page { items: answer.json(System::Woo)?, total, total_pages })
    }

    /// Writes the NAV document number onto the order (meta) and adds an order note.
    pub async fn write_back_order(&self, id: i64, nav_number: &str, note: &str, rec: &Recorder) -> AdapterResult<()> {
        let meta = serde_json::json!({ "meta_data": [{ "key": NAV_NUMBER_META, "value": nav_number }] });
        self.send(Method::PUT, &format!("orders/{id}"), &[], Some(&meta), rec).await?;
        let note = serde_json::json!({ "note": note, "customer_note": false });
        self.send(Method::POST, &format!("orders/{id}/notes"), &[], Some(&note), rec).await?;
        Ok(())
    }

    /// A small authenticated read: proves the key works and counts products.
    pub async fn check(&self, rec: &Recorder) -> AdapterResult<u64> {
        let answer = self.send(Method::GET, "products", &[("per_page".into(), "1".into())], None, rec).await?;
        Ok(header_number(&answer.headers, "x-wp-total"))
    }
}

fn header_number(headers: &reqwest::header::HeaderMap, name: &str) -> u64 {
    headers.get(name).and_then(|v| v.to_str().ok()).and_then(|v| v.parse().ok()).unwrap_or(0)
}
