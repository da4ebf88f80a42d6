//! BC API v2.0 (`/api/v2.0`), online (`{api}/v2.0/{tenant}/{environment}/api/v2.0`) and on-premises
//! (`{server}/{instance}/api/v2.0`). Sales orders are created with one deep insert (header,
//! dimension set lines and lines); what API v2.0 lacks (customer price group) goes through the
//! page web services of the same server.

pub mod auth;
pub mod credit_memos;
pub mod customers;
pub mod ledger;
pub mod subscriptions;
mod wire;

pub use wire::num;

use std::sync::Arc;

use reqwest::Method;
use tokio::sync::OnceCell;

use super::http::{header, Answer, Call, Http, Recorder};
use super::nav::{CompanyCheck, NavCustomer, NavSalesLine, NavSalesOrder, PostedInvoice, VariantIds};
use super::nav_pages::NavPages;
use super::odata::{encode, etag_of, quoted, Collection};
use super::{AdapterError, AdapterResult, System};
use crate::model::nav::{CustomerDraft, SalesLineDraft, SalesOrderDraft};
use crate::store::catalog::{CatalogItem, CatalogVariant};
use auth::Credentials;
use wire::{customer_body, line_body, order_body, order_header_patch, ApiCustomer, ApiInvoice, ApiItem, ApiLine, ApiOrder, ApiVariant};

/// Page size asked for with `Prefer: odata.maxpagesize` when reading whole sets.
const PAGE_SIZE: u32 = 5000;

pub struct BcApi {
    http: Http,
    credentials: Arc<Credentials>,
    api_base: String,
    company: String,
    company_id: OnceCell<String>,
    pages: NavPages,
    /// Payment terms / method codes → ids, looked up once per code (`customers::master_id`):
    /// a new customer's order stays at 3 NAV requests after the first.
    master_ids: std::sync::Mutex<std::collections::HashMap<String, String>>,
}

impl BcApi {
    pub fn new(http: Http, credentials: Arc<Credentials>, api_base: String, company: String, pages: NavPages) -> Self {
        BcApi { http, credentials, api_base, company, company_id: OnceCell::new(), pages, master_ids: Default::default() }
    }

    pub fn pages(&self) -> &NavPages {
        &self.pages
    }

    pub fn describe(&self) -> String {
        format!("Business Central API v2.0 at {} (company {:?})", self.api_base, self.company)
    }

    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    async fn send(&self, method: Method, url: String, body: Option<&serde_json::Value>, if_match: Option<&str>, rec: &Recorder) -> AdapterResult<Answer> {
        self.send_with(method, url, body, if_match, None, rec).await
    }

    /// Sends with the current credentials; after a 401 the token is renewed once (every request
    /// goes through here, so a revoked or expired token is never retried as it is).
    async fn send_with(
        &self,
        method: Method,
        url: String,
        body: Option<&serde_json::Value>,
        if_match: Option<&str>,
        prefer: Option<&str>,
        rec: &Recorder,
    ) -> AdapterResult<Answer> {
        let mut renewed = false;
        loop {
            let authorization = self.credentials.authorization().await?;
            let mut call = Call::new(method.clone(), url.clone())
                .header(header("authorization", authorization.expose()))
                .header(header("accept", "application/json"));
            if let Some(etag) = if_match {
                call = call.header(header("if-match", etag));
            }
            if let Some(prefer) = prefer {
                call = call.header(header("prefer", prefer));
            }
            if let Some(body) = body {
                call = call.json(body);
            }
            match self.http.send(call, rec).await {
                Err(AdapterError::Auth { .. }) if !renewed && matches!(*self.credentials, Credentials::OAuth(_)) => {
                    self.credentials.invalidate().await;
                    renewed = true;
                }
                other => return other,
            }
        }
    }

    async fn company_url(&self, rec: &Recorder) -> AdapterResult<String> {
        let id = self
            .company_id
            .get_or_try_init(|| async {
                let url = format!("{}/companies?$filter={}", self.api_base, encode(&format!("name eq {}", quoted(&self.company))));
                let companies: Collection<serde_json::Value> = self.send(Method::GET, url, None, None, rec).await?.json(System::Nav)?;
                companies
                    .value
                    .first()
                    .and_then(|c| c.get("id"))
                    .and_then(|id| id.as_str())
                    .map(String::from)
                    .ok_or_else(|| AdapterError::NotFound { system: System::Nav, what: format!("company {:?}", self.company) })
            })
            .await?;
        Ok(format!("{}/companies({id})", self.api_base))
    }

    /// GETs a whole collection, following `@odata.nextLink`.
    async fn get_all<T: serde::de::DeserializeOwned>(&self, first_url: String, rec: &Recorder) -> AdapterResult<Vec<T>> {
        let mut all = Vec::new();
        let mut next = Some(first_url);
        let prefer = format!("odata.maxpagesize={PAGE_SIZE}");
        while let Some(url) = next {
            let page: Collection<T> = self.send_with(Method::GET, url, None, None, Some(&prefer), rec).await?.json(System::Nav)?;
            all.extend(page.value);
            next = page.next_link;
        }
        Ok(all)
    }

    async fn get_json<T: serde::de::DeserializeOwned>(&self, url: String, rec: &Recorder) -> AdapterResult<T> {
        self.send(Method::GET, url, None, None, rec).await?.json(System::Nav)
    }

    pub async fn check_company(&self, rec: &Recorder) -> AdapterResult<CompanyCheck> {
        let companies: Collection<serde_json::Value> = self.get_json(format!("{}/companies", self.api_base), rec).await?;
        let names: Vec<String> = companies.value.iter().filter_map(|c| c.get("name").and_then(|n| n.as_str()).map(String::from)).collect();
        let found = names.iter().any(|n| n == &self.company);
        let item_count = if found {
            let url = format!("{}/items?$select=number&$top=1", self.company_url(rec).await?);
            // One small page is enough to prove access; the count comes from the catalog.
            let _: Collection<serde_json::Value> = self.get_json(url, rec).await?;
            None
        } else {
            None
        };
        Ok(CompanyCheck { companies: names, company_found: found, item_count })
    }

    pub async fn catalog(&self, rec: &Recorder) -> AdapterResult<(Vec<CatalogItem>, Vec<CatalogVariant>)> {
        let base = self.company_url(rec).await?;
        let items: Vec<ApiItem> = self.get_all(format!("{base}/items?$select=id,number,gtin,displayName,blocked"), rec).await?;
        let variants: Vec<ApiVariant> = self.get_all(format!("{base}/itemVariants?$select=id,itemNumber,code"), rec).await?;
        Ok((items.into_iter().map(ApiItem::into_catalog).collect(), variants.into_iter().map(ApiVariant::into_catalog).collect()))
    }

    pub async fn find_item(&self, number_or_gtin: &str, rec: &Recorder) -> AdapterResult<(Vec<CatalogItem>, Vec<CatalogVariant>)> {
        let base = self.company_url(rec).await?;
        let code = crate::model::nav::code(number_or_gtin);
        // `or` across different fields is refused by BC: two requests.
        let mut items: Vec<ApiItem> = Vec::new();
        if code.chars().count() <= 20 {
            let filter = encode(&format!("number eq {}", quoted(&code)));
            items.extend(self.get_all::<ApiItem>(format!("{base}/items?$filter={filter}&$select=id,number,gtin,displayName,blocked"), rec).await?);
        }
        if items.is_empty() && code.chars().count() <= 14 {
            let filter = encode(&format!("gtin eq {}", quoted(&code)));
            items.extend(self.get_all::<ApiItem>(format!("{base}/items?$filter={filter}&$select=id,number,gtin,displayName,blocked"), rec).await?);
        }
        let mut variants = Vec::new();
        for item in &items {
            let filter = encode(&format!("itemNumber eq {}", quoted(&item.number)));
            variants.extend(self.get_all::<ApiVariant>(format!("{base}/itemVariants?$filter={filter}&$select=id,itemNumber,code"), rec).await?);
        }
        Ok((items.into_iter().map(ApiItem::into_catalog).collect(), variants.into_iter().map(ApiVariant::into_catalog).collect()))
    }

    pub async fn find_customers_by_email(&self, email: &str, rec: &Recorder) -> AdapterResult<Vec<NavCustomer>> {
        let base = self.company_url(rec).await?;
        let filter = encode(&format!("email eq {}", quoted(email.trim())));
        let found: Vec<ApiCustomer> = self.get_all(format!("{base}/customers?$filter={filter}&$select=id,number,displayName,email"), rec).await?;
        Ok(found.into_iter().map(ApiCustomer::into_nav).collect())
    }

    pub async fn create_customer(&self, draft: &CustomerDraft, rec: &Recorder) -> AdapterResult<NavCustomer> {
        let base = self.company_url(rec).await?;
        let mut body = customer_body(draft);
        if let serde_json::Value::Object(map) = &mut body {
            if let Some(code) = &draft.payment_terms {
                map.insert("paymentTermsId".into(), serde_json::json!(self.master_id(&base, "paymentTerms", code, rec).await?));
            }
            if let Some(code) = &draft.payment_method {
                map.insert("paymentMethodId".into(), serde_json::json!(self.master_id(&base, "paymentMethods", code, rec).await?));
            }
        }
        let created: ApiCustomer = self.send(Method::POST, format!("{base}/customers"), Some(&body), None, rec).await?.json(System::Nav)?;
        Ok(created.into_nav())
    }

    pub async fn find_sales_orders(&self, external_document_number: &str, rec: &Recorder) -> AdapterResult<Vec<NavSalesOrder>> {
        let base = self.company_url(rec).await?;
        let filter = encode(&format!("externalDocumentNumber eq {}", quoted(external_document_number)));
        let found: Vec<ApiOrder> = self
            .get_all(format!("{base}/salesOrders?$filter={filter}&$select=id,number,externalDocumentNumber,customerNumber,totalAmountIncludingTax,totalAmountExcludingTax"), rec)
            .await?;
        Ok(found.into_iter().map(|o| o.into_nav(None)).collect())
    }

    pub async fn create_sales_order(&self, draft: &SalesOrderDraft, catalog: &dyn VariantIds, rec: &Recorder) -> AdapterResult<NavSalesOrder> {
        let url = format!("{}/salesOrders", self.company_url(rec).await?);
        let body = order_body(draft, catalog)?;
        let answer = self.send(Method::POST, url, Some(&body), None, rec).await?;
        let created: ApiOrder = answer.json(System::Nav)?;
        Ok(created.into_nav(None))
    }

    pub async fn get_sales_order(&self, id: &str, rec: &Recorder) -> AdapterResult<Option<NavSalesOrder>> {
        let url = format!("{}/salesOrders({id})?$expand=salesOrderLines", self.company_url(rec).await?);
        match self.get_json::<ApiOrder>(url, rec).await {
            Ok(order) => {
                let lines = order.lines.clone().map(|lines| lines.into_iter().map(ApiLine::into_nav).collect());
                Ok(Some(order.into_nav(lines)))
            }
            Err(AdapterError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    pub async fn update_sales_order_header(&self, order: &NavSalesOrder, draft: &SalesOrderDraft, rec: &Recorder) -> AdapterResult<NavSalesOrder> {
        let url = format!("{}/salesOrders({})", self.company_url(rec).await?, order.id);
        let etag = order.etag.as_deref().unwrap_or("*");
        let updated: ApiOrder = self.send(Method::PATCH, url, Some(&order_header_patch(draft)), Some(etag), rec).await?.json(System::Nav)?;
        Ok(updated.into_nav(order.lines.clone()))
    }

    pub async fn add_line(&self, order: &NavSalesOrder, line: &SalesLineDraft, catalog: &dyn VariantIds, rec: &Recorder) -> AdapterResult<NavSalesLine> {
        let url = format!("{}/salesOrders({})/salesOrderLines", self.company_url(rec).await?, order.id);
        let created: ApiLine = self.send(Method::POST, url, Some(&line_body(line, catalog)?), None, rec).await?.json(System::Nav)?;
        Ok(created.into_nav())
    }

    pub async fn delete_line(&self, line: &NavSalesLine, rec: &Recorder) -> AdapterResult<()> {
        let url = format!("{}/salesOrderLines({})", self.company_url(rec).await?, line.id);
        self.send(Method::DELETE, url, None, Some("*"), rec).await.map(|_| ())
    }

    pub async fn posted_invoices(&self, order_number: &str, rec: &Recorder) -> AdapterResult<Vec<PostedInvoice>> {
        let base = self.company_url(rec).await?;
        let filter = encode(&format!("orderNumber eq {}", quoted(order_number)));
        let found: Vec<ApiInvoice> =
            self.get_all(format!("{base}/salesInvoices?$filter={filter}&$select=id,number,orderNumber,totalAmountIncludingTax"), rec).await?;
        Ok(found.into_iter().map(ApiInvoice::into_nav).collect())
    }

    /// Posted invoices carrying this external document number (posting copies it from the order).
    pub async fn posted_invoices_for_external(&self, external_document_number: &str, rec: &Recorder) -> AdapterResult<Vec<PostedInvoice>> {
        let base = self.company_url(rec).await?;
        let filter = encode(&format!("externalDocumentNumber eq {}", quoted(external_document_number)));
        let found: Vec<ApiInvoice> =
            self.get_all(format!("{base}/salesInvoices?$filter={filter}&$select=id,number,orderNumber,totalAmountIncludingTax"), rec).await?;
        Ok(found.into_iter().map(ApiInvoice::into_nav).collect())
    }

    pub async fn delete_sales_order(&self, order: &NavSalesOrder, rec: &Recorder) -> AdapterResult<()> {
        let url = format!("{}/salesOrders({})", self.company_url(rec).await?, order.id);
        self.send(Method::DELETE, url, None, Some(order.etag.as_deref().unwrap_or("*")), rec).await.map(|_| ())
    }
}

/// The ETag of an entity in a 2xx answer.
pub fn answer_etag(answer: &Answer) -> Option<String> {
    serde_json::from_str::<serde_json::Value>(&answer.body).ok().as_ref().and_then(etag_of)
}
