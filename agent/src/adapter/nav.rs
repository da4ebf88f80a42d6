//! One interface over the two ways to reach NAV — the BC API v2.0 (online and on-premises) and the
//! legacy OData V4 page web services — chosen by the deployment setting. The flows only see this.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::bc_api::ledger::{LedgerEntry, NavItemStock, OpenSalesOrder, Sink, StockQuery};
use super::bc_api::credit_memos::{NavCreditMemo, NavInvoice, NavOrderLine};
use super::bc_api::BcApi;
use super::http::Recorder;
use super::nav_pages::NavPages;
use super::AdapterResult;
use crate::mapper::credit_memo::CreditMemoDraft;
use crate::model::nav::{CustomerDraft, SalesLineDraft, SalesOrderDraft};
use crate::store::catalog::{CatalogItem, CatalogVariant};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NavCustomer {
    pub id: Option<String>,
    pub number: String,
    pub name: String,
    pub email: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NavSalesLine {
    pub id: String,
    pub sequence: i64,
    pub line_type: String,
    pub number: String,
    pub quantity: Decimal,
    pub unit_price: Decimal,
    pub discount_amount: Decimal,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NavSalesOrder {
    pub id: String,
    pub number: String,
    pub external_document_number: String,
    pub customer_number: String,
    pub etag: Option<String>,
    /// API v2.0 gives both totals; the legacy Sales Order page only the lines' net amounts.
    pub total_including_tax: Option<Decimal>,
    pub total_excluding_tax: Option<Decimal>,
    pub lines: Option<Vec<NavSalesLine>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PostedInvoice {
    pub id: String,
    pub number: String,
    pub order_number: String,
    pub total_including_tax: Decimal,
}

/// What a live check found.
#[derive(Clone, Debug, Serialize)]
pub struct CompanyCheck {
    pub companies: Vec<String>,
    pub company_found: bool,
    pub item_count: Option<u64>,
}

pub enum Nav {
    Api(Box<BcApi>),
    Pages(Box<NavPages>),
}

impl Nav {
    pub async fn check_company(&self, rec: &Recorder) -> AdapterResult<CompanyCheck> {
        match self {
            Nav::Api(api) => api.check_company(rec).await,
            Nav::Pages(pages) => pages.check_company(rec).await,
        }
    }

    /// Every item and variant, for the catalog cache.
    pub async fn catalog(&self, rec: &Recorder) -> AdapterResult<(Vec<CatalogItem>, Vec<CatalogVariant>)> {
        match self {
            Nav::Api(api) => api.catalog(rec).await,
            Nav::Pages(pages) => pages.catalog(rec).await,
        }
    }

    /// Looks one item number (or GTIN) up, for a catalog miss.
    pub async fn find_item(&self, number_or_gtin: &str, rec: &Recorder) -> AdapterResult<(Vec<CatalogItem>, Vec<CatalogVariant>)> {
        match self {
            Nav::Api(api) => api.find_item(number_or_gtin, rec).await,
            Nav::Pages(pages) => pages.find_item(number_or_gtin, rec).await,
        }
    }

    pub async fn find_customers_by_email(&self, email: &str, rec: &Recorder) -> AdapterResult<Vec<NavCustomer>> {
        match self {
            Nav::Api(api) => api.find_customers_by_email(email, rec).await,
            Nav::Pages(pages) => pages.find_customers_by_email(email, rec).await,
        }
    }

    /// Creates a customer. With a price group (not in API v2.0) it goes through the Customer page,
    /// so the group is set in the same request.
    pub async fn create_customer(&self, draft: &CustomerDraft, rec: &Recorder) -> AdapterResult<NavCustomer> {
        match self {
            Nav::Api(api) if draft.price_group.is_some() || !draft.posting_groups.is_empty() => api.pages().create_customer(draft, rec).await,
            Nav::Api(api) => api.create_customer(draft, rec).await,
            Nav::Pages(pages) => pages.create_customer(draft, rec).await,
        }
    }

    /// The customer's price group (page web service: API v2.0 has no such field).
    pub async fn customer_price_group(&self, number: &str, rec: &Recorder) -> AdapterResult<Option<String>> {
        match self {
            Nav::Api(api) => api.pages().customer_price_group(number, rec).await,
            Nav::Pages(pages) => pages.customer_price_group(number, rec).await,
        }
    }

    pub async fn find_sales_orders(&self, external_document_number: &str, rec: &Recorder) -> AdapterResult<Vec<NavSalesOrder>> {
        match self {
            Nav::Api(api) => api.find_sales_orders(external_document_number, rec).await,
            Nav::Pages(pages) => pages.find_sales_orders(external_document_number, rec).await,
        }
    }

    /// Creates the sales order with its lines (one deep insert on the API).
    pub async fn create_sales_order(&self, draft: &SalesOrderDraft, catalog: &dyn VariantIds, rec: &Recorder) -> AdapterResult<NavSalesOrder> {
        match self {
            Nav::Api(api) => api.create_sales_order(draft, catalog, rec).await,
            Nav::Pages(pages) => pages.create_sales_order(draft, rec).await,
        }
    }

    pub async fn get_sales_order(&self, order: &NavSalesOrder, rec: &Recorder) -> AdapterResult<Option<NavSalesOrder>> {
        match self {
            Nav::Api(api) => api.get_sales_order(&order.id, rec).await,
            Nav::Pages(pages) => pages.get_sales_order(&order.number, rec).await,
        }
    }

    /// Applies header changes to an unposted order (with If-Match).
    pub async fn update_sales_order_header(&self, order: &NavSalesOrder, draft: &SalesOrderDraft, rec: &Recorder) -> AdapterResult<NavSalesOrder> {
        match self {
            Nav::Api(api) => api.update_sales_order_header(order, draft, rec).await,
            Nav::Pages(pages) => pages.update_sales_order_header(order, draft, rec).await,
        }
    }

    pub async fn add_line(&self, order: &NavSalesOrder, line: &SalesLineDraft, catalog: &dyn VariantIds, rec: &Recorder) -> AdapterResult<NavSalesLine> {
        match self {
            Nav::Api(api) => api.add_line(order, line, catalog, rec).await,
            Nav::Pages(pages) => pages.add_line(order, line, rec).await,
        }
    }

    pub async fn delete_line(&self, order: &NavSalesOrder, line: &NavSalesLine, rec: &Recorder) -> AdapterResult<()> {
        match self {
            Nav::Api(api) => api.delete_line(line, rec).await,
            Nav::Pages(pages) => pages.delete_line(order, line, rec).await,
        }
    }

    /// Sets the order's customer price group (page web service).
    pub async fn set_order_price_group(&self, order: &NavSalesOrder, group: &str, rec: &Recorder) -> AdapterResult<()> {
        match self {
            Nav::Api(api) => api.pages().set_order_price_group(&order.number, group, rec).await,
            Nav::Pages(pages) => pages.set_order_price_group(&order.number, group, rec).await,
        }
    }

    /// Posted invoices made from a sales order (the order itself is gone once fully posted).
    pub async fn posted_invoices(&self, order_number: &str, rec: &Recorder) -> AdapterResult<Vec<PostedInvoice>> {
        match self {
            Nav::Api(api) => api.posted_invoices(order_number, rec).await,
            Nav::Pages(pages) => pages.posted_invoices(order_number, rec).await,
        }
    }

    /// Posted invoices of an order known only by its external document number.
    pub async fn posted_invoices_for_external(&self, external_document_number: &str, rec: &Recorder) -> AdapterResult<Vec<PostedInvoice>> {
        match self {
            Nav::Api(api) => api.posted_invoices_for_external(external_document_number, rec).await,
            Nav::Pages(pages) => pages.posted_invoices_for_external(external_document_number, rec).await,
        }
    }

    pub async fn delete_sales_order(&self, order: &NavSalesOrder, rec: &Recorder) -> AdapterResult<()> {
        match self {
            Nav::Api(api) => api.delete_sales_order(order, rec).await,
            Nav::Pages(pages) => pages.delete_sales_order(order, rec).await,
        }
    }

    /// The API v2.0 adapter; `None` on legacy page web services. The two-way customer sync
    /// (flows/customers) needs `lastModifiedDateTime` and ETags, which only the API has.
    pub fn api(&self) -> Option<&BcApi> {
        match self {
            Nav::Api(api) => Some(api),
            Nav::Pages(_) => None,
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Nav::Api(api) => api.describe(),
            Nav::Pages(pages) => pages.describe(),
        }
    }

    // ---- stock (flows/inventory) ------------------------------------------------------------

    /// Whether stock movements can be followed in the item ledger (API v2.0). Legacy page
    /// services publish no ledger: the Item Card is scanned instead.
    pub fn follows_ledger(&self) -> bool {
        matches!(self, Nav::Api(_))
    }

    /// The newest item ledger entry number (`None` without a ledger).
    pub async fn last_ledger_entry(&self, rec: &Recorder) -> AdapterResult<Option<i64>> {
        match self {
            Nav::Api(api) => api.last_ledger_entry(rec).await.map(Some),
            Nav::Pages(_) => Ok(None),
        }
    }

    /// Item ledger entries after `after`, page by page; returns the requests made.
    pub async fn ledger_entries_after(&self, after: i64, rec: &Recorder, sink: Sink<'_, LedgerEntry>) -> AdapterResult<u32> {
        match self {
            Nav::Api(api) => api.ledger_entries_after(after, rec, sink).await,
            Nav::Pages(_) => Ok(0),
        }
    }

    /// Item stock, page by page; returns the requests made. Totals come from API v2.0 `items`;
    /// stock limited to locations or of one variant only from the Item Card page's FlowFilters.
    pub async fn item_stock(&self, query: &StockQuery<'_>, rec: &Recorder, sink: Sink<'_, NavItemStock>) -> AdapterResult<u32> {
        match self {
            Nav::Api(api) if query.locations.is_empty() && query.variant.is_none() => api.item_stock(query.items, rec, sink).await,
            Nav::Api(api) => api.pages().item_card_stock(query, rec, sink).await,
            Nav::Pages(pages) => pages.item_card_stock(query, rec, sink).await,
        }
    }

    /// Item variants (the page services list none).
    pub async fn item_variants(&self, rec: &Recorder) -> AdapterResult<Vec<CatalogVariant>> {
        match self {
            Nav::Api(api) => api.item_variants(rec).await,
            Nav::Pages(_) => Ok(Vec::new()),
        }
    }

    /// Open sales orders with this external document number prefix and their lines.
    pub async fn open_sales_orders(&self, prefix: &str, rec: &Recorder, sink: Sink<'_, OpenSalesOrder>) -> AdapterResult<u32> {
        match self {
            Nav::Api(api) => api.open_sales_orders(prefix, rec, sink).await,
            Nav::Pages(pages) => pages.open_sales_orders(prefix, rec, sink).await,
        }
    }
}

/// Refunds and cancellations (flows/refunds, docs/refunds.md). Legacy page services can change
/// and delete an open order's lines (no line ETags there: a change is delete + add), find posted
/// invoices and make draft credit memos; posting those is API v2.0 only.
impl Nav {
    /// Whether a credit memo can be posted from here (API v2.0's `Microsoft.NAV.post`).
    pub fn can_post_credit_memos(&self) -> bool {
        matches!(self, Nav::Api(_))
    }

    pub async fn order_lines(&self, order: &NavSalesOrder, rec: &Recorder) -> AdapterResult<Vec<NavOrderLine>> {
        match self {
            Nav::Api(api) => api.order_lines(&order.id, rec).await,
            Nav::Pages(pages) => Ok(pages
                .get_sales_order(&order.number, rec)
                .await?
                .and_then(|o| o.lines)
                .unwrap_or_default()
                .into_iter()
                .map(|l| NavOrderLine {
                    id: l.id,
                    etag: None,
                    line_type: l.line_type,
                    number: l.number,
                    variant_id: String::new(),
                    description: String::new(),
                    quantity: l.quantity,
                    unit_price: l.unit_price,
                    discount_amount: l.discount_amount,
                    shipped: Decimal::ZERO,
                    tax_percent: Decimal::ZERO,
                    amount_including_tax: Decimal::ZERO,
                })
                .collect()),
        }
    }

    /// Sets an open order line's quantity: PATCH with `If-Match` on the API; on page services the
    /// line is deleted and added again as `wanted` says.
    pub async fn set_line_quantity(&self, order: &NavSalesOrder, line: &NavOrderLine, wanted: &SalesLineDraft, rec: &Recorder) -> AdapterResult<()> {
        match self {
            Nav::Api(api) => api.set_line_quantity(line, wanted.quantity, wanted.discount_amount, rec).await,
            Nav::Pages(pages) => {
                pages.delete_line(order, &page_line(line), rec).await?;
                pages.add_line(order, wanted, rec).await.map(|_| ())
            }
        }
    }

    pub async fn delete_order_line(&self, order: &NavSalesOrder, line: &NavOrderLine, rec: &Recorder) -> AdapterResult<()> {
        match self {
            Nav::Api(api) => api.delete_order_line(line, rec).await,
            Nav::Pages(pages) => pages.delete_line(order, &page_line(line), rec).await,
        }
    }

    /// Posted invoices of a sales order with their lines.
    pub async fn order_invoices(&self, order_number: &str, rec: &Recorder) -> AdapterResult<Vec<NavInvoice>> {
        match self {
            Nav::Api(api) => api.order_invoices(order_number, rec).await,
            Nav::Pages(pages) => pages.order_invoices(order_number, rec).await,
        }
    }

    pub async fn find_credit_memos(&self, external_document_number: &str, rec: &Recorder) -> AdapterResult<Vec<NavCreditMemo>> {
        match self {
            Nav::Api(api) => api.find_credit_memos(external_document_number, rec).await,
            Nav::Pages(pages) => pages.find_credit_memos(external_document_number, rec).await,
        }
    }

    pub async fn create_credit_memo(&self, draft: &CreditMemoDraft, catalog: &dyn VariantIds, rec: &Recorder) -> AdapterResult<NavCreditMemo> {
        match self {
            Nav::Api(api) => api.create_credit_memo(draft, catalog, rec).await,
            Nav::Pages(pages) => pages.create_credit_memo(draft, rec).await,
        }
    }

    pub async fn post_credit_memo(&self, memo: &NavCreditMemo, rec: &Recorder) -> AdapterResult<NavCreditMemo> {
        match self {
            Nav::Api(api) => api.post_credit_memo(memo, rec).await,
            Nav::Pages(_) => Err(no_posting()),
        }
    }

    pub async fn delete_credit_memo(&self, memo: &NavCreditMemo, rec: &Recorder) -> AdapterResult<()> {
        match self {
            Nav::Api(api) => api.delete_credit_memo(memo, rec).await,
            Nav::Pages(pages) => pages.delete_credit_memo(memo, rec).await,
        }
    }
}

fn page_line(line: &NavOrderLine) -> NavSalesLine {
    NavSalesLine {
        id: line.id.clone(),
        sequence: line.id.parse().unwrap_or_default(),
        line_type: line.line_type.clone(),
        number: line.number.clone(),
        quantity: line.quantity,
        unit_price: line.unit_price,
        discount_amount: line.discount_amount,
    }
}

fn no_posting() -> super::AdapterError {
    super::AdapterError::Rejected {
        system: super::System::Nav,
        status: 501,
        code: "NotSupported".into(),
        message: "page web services cannot post a credit memo (no Post action); it stays a draft for NAV's users".into(),
    }
}

/// Variant ids by item number and code (API lines reference variants by id only).
pub trait VariantIds: Send + Sync {
    fn variant_id(&self, item_number: &str, code: &str) -> Option<String>;
}
