//! Starting a simulator: the shared state (`Sim`), the routes (Entra token endpoint, API v2.0
//! online and on-premises, NAV OData V4 page services online and on-premises, `/_sim/` control
//! API) and the pipeline every API and page request goes through: sim-kit's fault layer and
//! journal → authentication → per-user throttle → operation/gateway timeouts → handler.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Request as HttpRequest, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::Router;
use serde::Serialize;
use sim_kit::{FaultLayer, Faults, Journal, Listen, RunningServer};
use tokio::sync::watch;
use uuid::Uuid;

use crate::api::{self, batch, Resolved};
use crate::auth::entra::{self, Directory};
use crate::auth::{basic_user, bearer_user, Tokens};
use crate::config::{Config, PageServices, SCOPE};
use crate::control::{self, Control};
use crate::entities::all_sets;
use crate::error::ApiError;
use crate::odata::query::QueryString;
use crate::odata::schema::ALL_ENUMS;
use crate::pages::{self, PageDefs};
use crate::seed::{self, SeedError, SeedSource};
use crate::store::Store;
use crate::throttle::{gateway_timeout, operation_timeout, Throttle};
use crate::webhooks::{delivery, Webhooks};

/// Largest request body read (BC online allows 350 MB; the fault layer caps at 64 MB).
const MAX_BODY: usize = 64 * 1024 * 1024;

/// The state of one running simulator.
pub struct Sim {
    pub config: Config,
    store: RwLock<Store>,
    pub tokens: Tokens,
    pub throttle: Throttle,
    pub webhooks: Webhooks,
    pub faults: Faults,
    pub journal: Journal,
    pub pages: PageDefs,
    /// What `reset` re-seeds with by default.
    pub seed: Mutex<(SeedSource, usize)>,
    metadata: String,
}

impl Sim {
    pub fn store(&self) -> RwLockReadGuard<'_, Store> {
        self.store.read().unwrap_or_else(|p| p.into_inner())
    }

    pub fn store_mut(&self) -> RwLockWriteGuard<'_, Store> {
        self.store.write().unwrap_or_else(|p| p.into_inner())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Seed(#[from] SeedError),
    #[error("listening on {addr}: {source}")]
    Listen { addr: SocketAddr, source: std::io::Error },
    #[error("fault settings: {0}")]
    Faults(String),
}

#[derive(Clone, Debug, Serialize)]
pub struct CompanyInfo {
    pub id: Uuid,
    pub name: String,
    pub display_name: String,
}

/// Where a running simulator listens and how to log in: also the `--ready-file` JSON.
#[derive(Clone, Debug, Serialize)]
pub struct SimInfo {
    pub listen: SocketAddr,
    pub base_url: String,
    pub tenant: String,
    pub environment: String,
    pub instance: String,
    pub token_url: String,
    pub scope: String,
    pub client_id: String,
    pub client_secret: String,
    pub basic_user: String,
    pub basic_key: String,
    /// `…/v2.0/<tenant>/<environment>/api/v2.0` (Bearer).
    pub api_online: String,
    /// `…/<instance>/api/v2.0` (Basic).
    pub api_on_prem: String,
    /// `…/v2.0/<tenant>/<environment>/ODataV4` (Bearer).
    pub odata_online: String,
    /// `…/<instance>/ODataV4` (Basic).
    pub odata_on_prem: String,
    pub control_url: String,
    pub company_id: Uuid,
    pub company_name: String,
    pub companies: Vec<CompanyInfo>,
    pub page_services: PageServices,
}

/// A simulator running in this process.
pub struct RunningBcSim {
    info: SimInfo,
    control: Control,
    server: RunningServer,
    stop: watch::Sender<bool>,
    notifier: tokio::task::JoinHandle<()>,
}

impl RunningBcSim {
    pub fn info(&self) -> &SimInfo {
        &self.info
    }

    pub fn control(&self) -> &Control {
        &self.control
    }

    pub fn addr(&self) -> SocketAddr {
        self.server.addr
    }

    /// Stops the server and the webhook notifier.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        self.server.shutdown().await;
        let _ = self.notifier.await;
    }
}

/// Starts a simulator on `config.listen` (use port 0 for an ephemeral port).
pub async fn start(config: Config) -> Result<RunningBcSim, StartError> {
    config.faults.validate().map_err(StartError::Faults)?;
    let seed = seed::load(&config.seed)?;
    let synthetic = config.synthetic_items;
    let store = tokio::task::spawn_blocking(move || seed::build(&seed, synthetic))
        .await
        .map_err(|e| StartError::Faults(format!("seeding task failed: {e}")))??;
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|source| StartError::Listen { addr: config.listen, source })?;
    let addr = listener.local_addr().map_err(|source| StartError::Listen { addr: config.listen, source })?;
    let metadata = api::metadata::edmx("Microsoft.NAV", &all_sets(), ALL_ENUMS, api::metadata::API_ACTIONS);
    let sim = Arc::new(Sim {
        store: RwLock::new(store),
        tokens: Tokens::new(config.token_ttl),
        throttle: Throttle::new(config.limits.clone()),
        webhooks: Webhooks::new(config.webhooks.clone()),
        faults: Faults::new(config.faults.clone()),
        journal: Journal::new(),
        pages: pages::defs::build(&config.pages),
        seed: Mutex::new((config.seed.clone(), config.synthetic_items)),
        metadata,
        config,
    });
    let layer =
        FaultLayer { faults: sim.faults.clone(), journal: sim.journal.clone(), error_body: Arc::new(fault_response) };
    let simulated = Router::new()
        .route("/", any(dispatch))
        .route("/{*path}", any(dispatch))
        .with_state(sim.clone())
        .layer(axum::middleware::from_fn_with_state(layer, faults_except_entra));
    let app = simulated
        .merge(control::router(sim.clone(), addr))
        .merge(sim_kit::control::router(sim.faults.clone(), sim.journal.clone()));
    let server = sim_kit::serve(Listen::Http(listener), app).map_err(|source| StartError::Listen { addr, source })?;
    let (stop, stopped) = watch::channel(false);
    let notifier = tokio::spawn(delivery::run(sim.clone(), stopped));
    let info = info(&sim, addr);
    Ok(RunningBcSim { info, control: Control::new(sim, addr), server, stop, notifier })
}

pub fn info(sim: &Sim, addr: SocketAddr) -> SimInfo {
    let c = &sim.config;
    let base = format!("http://{addr}");
    let companies: Vec<CompanyInfo> = sim
        .store()
        .companies
        .iter()
        .map(|co| CompanyInfo { id: co.id, name: co.name.clone(), display_name: co.display_name.clone() })
        .collect();
    let first = companies.first().cloned().unwrap_or(CompanyInfo {
        id: Uuid::nil(),
        name: String::new(),
        display_name: String::new(),
    });
    SimInfo {
        listen: addr,
        base_url: base.clone(),
        tenant: c.tenant.clone(),
        environment: c.environment.clone(),
        instance: c.instance.clone(),
        token_url: format!("{base}/{}/oauth2/v2.0/token", c.tenant),
        scope: SCOPE.to_string(),
        client_id: c.client_id.clone(),
        client_secret: c.client_secret.clone(),
        basic_user: c.basic_user.clone(),
        basic_key: c.basic_key.clone(),
        api_online: format!("{base}/v2.0/{}/{}/api/v2.0", c.tenant, c.environment),
        api_on_prem: format!("{base}/{}/api/v2.0", c.instance),
        odata_online: format!("{base}/v2.0/{}/{}/ODataV4", c.tenant, c.environment),
        odata_on_prem: format!("{base}/{}/ODataV4", c.instance),
        control_url: format!("{base}/_sim"),
        company_id: first.id,
        company_name: first.name,
        companies,
        page_services: c.pages.clone(),
    }
}

/// BC's error body for faults injected by sim-kit; 502 and 503 carry `retry-after`.
fn fault_response(status: StatusCode) -> Response {
    let (code, message) = match status.as_u16() {
        429 => ("Application_TooManyRequests", "Too many requests reached."),
        408 => ("Internal_OperationTimeout", "The operation has timed out."),
        502 => ("Internal_BadGateway", "The data plane is temporarily unavailable."),
        503 => ("Internal_ServiceUnavailable", "The service is temporarily unavailable."),
        504 => ("Internal_GatewayTimeout", "The request exceeded the maximum execution time."),
        413 => ("BadRequest_RequestEntityTooLarge", "The request is too large."),
        _ => ("Internal_ServerError", "An unexpected error occurred on the server."),
    };
    let mut error = ApiError::new(status, code, message);
    if matches!(status.as_u16(), 502 | 503) {
        error = error.with_retry_after(5);
    }
    error.into_response()
}

/// How a request authenticates.
#[derive(Clone, Debug)]
enum Realm {
    Online { tenant: String },
    OnPrem,
}

fn not_found(path: &str) -> Response {
    ApiError::resource_not_found(path.trim_start_matches('/')).into_response()
}

async fn dispatch(State(sim): State<Arc<Sim>>, request: HttpRequest) -> Response {
    let (parts, body) = request.into_parts();
    let body = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(bytes) => bytes,
        Err(_) => return fault_response(StatusCode::PAYLOAD_TOO_LARGE),
    };
    let path = parts.uri.path().to_string();
    let segs: Vec<&str> = path.trim_start_matches('/').splitn(6, '/').collect();
    let c = &sim.config;
    let host = parts.headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("127.0.0.1").to_string();
    let base = format!("http://{host}");
    match segs.as_slice() {
        [tenant, "oauth2", "v2.0", "token"] => token_endpoint(&sim, tenant, &parts, &body),
        ["v2.0", tenant, env, service, rest @ ..] => {
            if !tenant.eq_ignore_ascii_case(&c.tenant) || !env.eq_ignore_ascii_case(&c.environment) {
                return ApiError::new(
                    StatusCode::NOT_FOUND,
                    "BadRequest_ResourceNotFound",
                    format!("The environment '{env}' of tenant '{tenant}' does not exist."),
                )
                .into_response();
            }
            let realm = Realm::Online { tenant: tenant.to_string() };
            let prefix = format!("{base}/v2.0/{tenant}/{env}");
            route_service(&sim, realm, &prefix, service, rest, parts, body).await
        }
        [instance, service, rest @ ..] if instance.eq_ignore_ascii_case(&c.instance) => {
            let prefix = format!("{base}/{instance}");
            route_service(&sim, Realm::OnPrem, &prefix, service, rest, parts, body).await
        }
        _ => not_found(&path),
    }
}

async fn route_service(
    sim: &Arc<Sim>,
    realm: Realm,
    prefix: &str,
    service: &str,
    rest: &[&str],
    parts: Parts,
    body: Bytes,
) -> Response {
    let rest = rest.join("/");
    match service {
        "api" => match rest.split_once('/') {
            Some(("v2.0", below)) => {
                serve_api(sim, realm, format!("{prefix}/api/v2.0"), below.to_string(), parts, body).await
            }
            None if rest == "v2.0" => {
                serve_api(sim, realm, format!("{prefix}/api/v2.0"), String::new(), parts, body).await
            }
            _ => not_found(&rest),
        },
        "ODataV4" => serve_pages(sim, realm, format!("{prefix}/ODataV4"), rest, parts, body).await,
        _ => not_found(service),
    }
}

/// Entra ID is another service than BC: BC's faults do not take it down, and its requests
/// (which carry the client secret) stay out of the journal.
async fn faults_except_entra(
    State(layer): State<FaultLayer>,
    request: HttpRequest,
    next: axum::middleware::Next,
) -> Response {
    if request.uri().path().ends_with("/oauth2/v2.0/token") {
        return next.run(request).await;
    }
    FaultLayer::middleware(State(layer), request, next).await
}

fn token_endpoint(sim: &Sim, tenant: &str, parts: &Parts, body: &[u8]) -> Response {
    if parts.method != Method::POST {
        return (
            StatusCode::METHOD_NOT_ALLOWED,
            axum::Json(serde_json::json!({
                "error": "invalid_request",
                "error_description": format!("AADSTS900561: The endpoint only accepts POST requests. Received a {} request.", parts.method),
                "error_codes": [900561],
            })),
        )
            .into_response();
    }
    let c = &sim.config;
    let directory = Directory { tenant: &c.tenant, client_id: &c.client_id, client_secret: &c.client_secret };
    entra::token(&directory, &sim.tokens, tenant, &parts.headers, body)
}

/// Authenticates a request; on-premises 401s ask for Basic credentials.
fn authenticate(sim: &Sim, realm: &Realm, parts: &Parts) -> Result<String, Box<Response>> {
    let result = match realm {
        Realm::Online { tenant } => bearer_user(&sim.tokens, &parts.headers, tenant),
        Realm::OnPrem => basic_user(&parts.headers, &sim.config.basic_user, &sim.config.basic_key),
    };
    result.map_err(|error| {
        let mut response = error.into_response();
        if matches!(realm, Realm::OnPrem) {
            let challenge = format!("Basic realm=\"{}\"", sim.config.instance);
            if let Ok(value) = HeaderValue::from_str(&challenge) {
                response.headers_mut().insert(header::WWW_AUTHENTICATE, value);
            }
        }
        Box::new(response)
    })
}

/// Throttle (online, or on-premises when configured), then the handler within the timeouts.
async fn guarded(sim: &Sim, realm: &Realm, user: &str, weight: u32, work: impl Future<Output = Response>) -> Response {
    let limits = sim.throttle.limits();
    let throttled = matches!(realm, Realm::Online { .. }) || limits.throttle_on_prem;
    let admission = if throttled {
        match sim.throttle.admit(user, weight).await {
            Ok(admission) => Some(admission),
            Err(error) => return error.into_response(),
        }
    } else {
        None
    };
    let queued = admission.as_ref().map(|a| a.queued).unwrap_or_default();
    let gateway = Duration::from_millis(limits.gateway_timeout_ms).saturating_sub(queued);
    let operation = Duration::from_millis(limits.operation_timeout_ms);
    let (budget, timed_out): (Duration, fn() -> ApiError) =
        if operation <= gateway { (operation, operation_timeout) } else { (gateway, gateway_timeout) };
    let delay = Duration::from_millis(limits.processing_delay_ms);
    let result = tokio::time::timeout(budget, async {
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        work.await
    })
    .await;
    drop(admission);
    result.unwrap_or_else(|_| timed_out().into_response())
}

fn api_request(root: String, path: String, parts: Parts, body: Bytes) -> api::Request {
    api::Request {
        query: QueryString::parse(parts.uri.query()),
        method: parts.method,
        path,
        headers: parts.headers,
        body,
        root,
    }
}

async fn serve_api(sim: &Arc<Sim>, realm: Realm, root: String, path: String, parts: Parts, body: Bytes) -> Response {
    let user = match authenticate(sim, &realm, &parts) {
        Ok(user) => user,
        Err(response) => return *response,
    };
    let req = api_request(root, path, parts, body);
    // Each operation of a $batch counts against the rate limit (stricter reading; unconfirmed).
    let weight = if req.path.trim_matches('/') == "$batch" { batch::operation_count(&req.body) } else { 1 };
    guarded(sim, &realm, &user, weight, handle_api(sim, req, user.clone())).await
}

async fn handle_api(sim: &Sim, req: api::Request, user: String) -> Response {
    let limits = sim.throttle.limits();
    let resolved = {
        let store = sim.store();
        api::resolve(&store, &req)
    };
    let resolved = match resolved {
        Ok(resolved) => resolved,
        Err(error) => return error.into_response(),
    };
    let reply = match &resolved {
        Resolved::Metadata => {
            return (
                [(header::CONTENT_TYPE, "application/xml"), (header::HeaderName::from_static("odata-version"), "4.0")],
                sim.metadata.clone(),
            )
                .into_response()
        }
        Resolved::Subscriptions(key) => return crate::webhooks::handle(sim, &req, key.clone(), &user).await,
        Resolved::Batch => {
            let mut store = sim.store_mut();
            batch::run(&mut store, &req, &limits)
        }
        _ if req.method == Method::GET => {
            let store = sim.store();
            api::read::get(&store, &req, &resolved, &limits)
        }
        _ => {
            let mut store = sim.store_mut();
            api::execute(&mut store, &req, &resolved, &limits)
        }
    };
    if req.method != Method::GET {
        sim.webhooks.poke();
    }
    match reply {
        Ok(reply) => reply.into_response(),
        Err(error) => error.into_response(),
    }
}

async fn serve_pages(sim: &Arc<Sim>, realm: Realm, root: String, path: String, parts: Parts, body: Bytes) -> Response {
    let user = match authenticate(sim, &realm, &parts) {
        Ok(user) => user,
        Err(response) => return *response,
    };
    let req = api_request(root, path, parts, body);
    guarded(sim, &realm, &user, 1, async {
        let response = pages::handle(sim, &req);
        if req.method != Method::GET {
            sim.webhooks.poke();
        }
        response
    })
    .await
}
