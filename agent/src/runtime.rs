//! The live parts built from validated settings: the NAV adapter of the configured deployment,
//! the WooCommerce adapter, the keyring, the stores. Rebuilt when settings change.

use std::path::Path;
use std::sync::Arc;

use ml_connector_formats::Keyring;

use crate::adapter::bc_api::auth::{Credentials, TokenSource};
use crate::adapter::bc_api::BcApi;
use crate::adapter::http::{client, Http};
use crate::adapter::nav::{Nav, VariantIds};
use crate::adapter::nav_pages::{NavPages, PageNames};
use crate::adapter::odata;
use crate::adapter::woo::Woo;
use crate::adapter::System;
use crate::config::{Deployment, NavSettings, OnPremAuth, Settings};
use crate::mapper::CatalogLookup;
use crate::pipeline::rate::Pacer;
use crate::store::catalog::{CatalogItem, CatalogVariant};
use crate::store::Store;

/// What the flows need to run.
pub struct Runtime {
    pub settings: Arc<Settings>,
    pub store: Arc<Store>,
    pub keyring: Arc<Keyring>,
    /// `None` until NAV is configured.
    pub nav: Option<Arc<Nav>>,
    pub woo: Option<Arc<Woo>>,
    /// Why NAV / WooCommerce is not usable, in plain words, when it is not.
    pub nav_problem: Option<String>,
    pub woo_problem: Option<String>,
    /// Unix ms when this agent process started: jobs older than this may have been interrupted.
    pub started_at: i64,
}

impl Runtime {
    pub fn build(settings: Arc<Settings>, store: Arc<Store>, keyring: Arc<Keyring>, started_at: i64) -> Runtime {
        let (nav, nav_problem) = match &settings.nav {
            None => (None, Some("NAV is not configured yet: choose the deployment type and credentials in WP admin → ml-connector".to_string())),
            Some(nav) => match build_nav(nav) {
                Ok(nav) => (Some(Arc::new(nav)), None),
                Err(problem) => (None, Some(problem)),
            },
        };
        let (woo, woo_problem) = match &settings.woo {
            None => (None, Some("WooCommerce access is not configured yet: save the settings page once to provision it".to_string())),
            Some(woo) => match Woo::new(woo) {
                Ok(woo) => (Some(Arc::new(woo)), None),
                Err(problem) => (None, Some(problem)),
            },
        };
        Runtime { settings, store, keyring, nav, woo, nav_problem, woo_problem, started_at }
    }

    pub fn catalog(&self) -> StoreCatalog<'_> {
        StoreCatalog(&self.store)
    }
}

pub fn build_nav(settings: &NavSettings) -> Result<Nav, String> {
    let http_client = client(settings.timeout, None, None)?;
    let pacer = Arc::new(Pacer::new(settings.requests_per_second, settings.burst));
    let http = || Http { client: http_client.clone(), system: System::Nav, pacer: Some(pacer.clone()), parse_error: odata::parse_error };
    let names = || PageNames {
        customer: settings.page_customer.clone(),
        item: settings.page_item.clone(),
        sales_order: settings.page_sales_order.clone(),
        ship_to: settings.page_ship_to.clone(),
        credit_memo: settings.page_credit_memo.clone(),
        posted_invoice: settings.page_posted_invoice.clone(),
        posted_credit_memo: settings.page_posted_credit_memo.clone(),
    };
    let oauth = |tenant: &str, client_id: &str, secret: &crate::config::Secret| {
        Arc::new(Credentials::OAuth(TokenSource::new(&settings.login_url, tenant, client_id, secret.clone(), http_client.clone())))
    };
    Ok(match &settings.deployment {
        Deployment::BcOnline { tenant, environment, client_id, client_secret } => {
            let credentials = oauth(tenant, client_id, client_secret);
            let root = format!("{}/v2.0/{tenant}/{environment}", settings.api_url);
            let pages = NavPages::new(http(), credentials.clone(), format!("{root}/ODataV4"), settings.company.clone(), names());
            Nav::Api(Box::new(BcApi::new(http(), credentials, format!("{root}/api/v2.0"), settings.company.clone(), pages)))
        }
        Deployment::BcOnPrem { base_url, auth } => {
            let credentials = match auth {
                OnPremAuth::Basic { user, access_key } => Arc::new(Credentials::basic(user, access_key)),
                OnPremAuth::OAuth { tenant, client_id, client_secret } => oauth(tenant, client_id, client_secret),
            };
            let pages = NavPages::new(http(), credentials.clone(), format!("{base_url}/ODataV4"), settings.company.clone(), names());
            Nav::Api(Box::new(BcApi::new(http(), credentials, format!("{base_url}/api/v2.0"), settings.company.clone(), pages)))
        }
        Deployment::NavOnPrem { base_url, user, access_key } => {
            let credentials = Arc::new(Credentials::basic(user, access_key));
            Nav::Pages(Box::new(NavPages::new(http(), credentials, format!("{base_url}/ODataV4"), settings.company.clone(), names())))
        }
    })
}

/// The store's catalog cache seen through the mapper's and adapters' lookup traits.
pub struct StoreCatalog<'a>(pub &'a Store);

impl CatalogLookup for StoreCatalog<'_> {
    fn item_by_number(&self, number: &str) -> Option<CatalogItem> {
        self.0.item_by_number(number).ok().flatten()
    }
    fn item_by_gtin(&self, gtin: &str) -> Option<CatalogItem> {
        self.0.item_by_gtin(gtin).ok().flatten()
    }
    fn variant(&self, item_number: &str, code: &str) -> Option<CatalogVariant> {
        self.0.variant(item_number, code).ok().flatten()
    }
}

impl VariantIds for StoreCatalog<'_> {
    fn variant_id(&self, item_number: &str, code: &str) -> Option<String> {
        self.0.variant(item_number, code).ok().flatten().map(|v| v.id)
    }
}

/// Loads the key file; the agent cannot run without it (the audit trail is encrypted).
pub fn load_keyring(path: &Path) -> Result<Keyring, String> {
    Keyring::load(path).map_err(|e| format!("{e} (create it with `ml-connector-agent init`)"))
}
