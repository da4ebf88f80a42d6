//! What the refunds flow needs from API v2.0 (docs/refunds.md): the open order's lines with their
//! ETags and shipped quantities (to reduce a line with `If-Match`), the posted invoices of an
//! order with their lines (`salesInvoices?$filter=orderNumber eq …` — the order itself is gone
//! once fully posted), and sales credit memos: found by `externalDocumentNumber`, created with
//! their lines in one deep insert and applied to an invoice (`invoiceId` + `invoiceNumber`),
//! posted (`Microsoft.NAV.post`) or, while still drafts, deleted.

use reqwest::Method;
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::wire::{line_body, num};
use super::BcApi;
use crate::adapter::nav::VariantIds;
use crate::adapter::odata::{encode, quoted};
use crate::adapter::http::Recorder;
use crate::adapter::{AdapterResult, System};
use crate::mapper::credit_memo::CreditMemoDraft;
use crate::model::money::lenient;
use crate::model::nav::{LineKind, LineSource, SalesLineDraft};

/// A sales order line as a change needs it.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct NavOrderLine {
    pub id: String,
    pub etag: Option<String>,
    pub line_type: String,
    pub number: String,
    pub variant_id: String,
    pub description: String,
    pub quantity: Decimal,
    pub unit_price: Decimal,
    pub discount_amount: Decimal,
    /// Posted shipments: a line cannot go below this.
    pub shipped: Decimal,
    /// NAV's own figures for the line (API v2.0; zero on page services): the tax rate it applies
    /// and the amount including it.
    pub tax_percent: Decimal,
    pub amount_including_tax: Decimal,
}

/// A posted sales invoice with its lines.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct NavInvoice {
    pub id: String,
    pub number: String,
    pub prices_include_tax: bool,
    pub lines: Vec<NavInvoiceLine>,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct NavInvoiceLine {
    pub line_type: String,
    pub number: String,
    /// API v2.0 names a variant by id, the pages by code (the other one is empty).
    pub variant_id: String,
    pub variant_code: String,
    pub description: String,
    pub quantity: Decimal,
    pub unit_price: Decimal,
    pub discount_amount: Decimal,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct NavCreditMemo {
    pub id: String,
    pub number: String,
    pub external_document_number: String,
    /// `Draft`, `Open`, `Paid`, `Canceled`, `Corrective` (escaped as BC sends enums).
    pub status: String,
    pub etag: Option<String>,
    pub invoice_number: String,
    pub total_including_tax: Decimal,
}

impl NavCreditMemo {
    pub fn is_draft(&self) -> bool {
        self.status == "Draft"
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ApiDocLine {
    #[serde(default)]
    id: String,
    #[serde(rename = "@odata.etag", default)]
    etag: Option<String>,
    #[serde(default)]
    line_type: String,
    #[serde(default)]
    line_object_number: String,
    #[serde(default)]
    item_variant_id: Option<String>,
    #[serde(default)]
    description: String,
    #[serde(default, deserialize_with = "lenient")]
    quantity: Decimal,
    #[serde(default, deserialize_with = "lenient")]
    unit_price: Decimal,
    #[serde(default, deserialize_with = "lenient")]
    discount_amount: Decimal,
    #[serde(default, deserialize_with = "lenient")]
    shipped_quantity: Decimal,
    #[serde(default, deserialize_with = "lenient")]
    tax_percent: Decimal,
    #[serde(default, deserialize_with = "lenient")]
    amount_including_tax: Decimal,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ApiInvoiceWithLines {
    id: String,
    number: String,
    #[serde(default)]
    prices_include_tax: bool,
    #[serde(default)]
    sales_invoice_lines: Vec<ApiDocLine>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ApiCreditMemo {
    id: String,
    #[serde(default)]
    number: String,
    #[serde(default)]
    external_document_number: String,
    #[serde(default)]
    status: String,
    #[serde(rename = "@odata.etag", default)]
    etag: Option<String>,
    #[serde(default)]
    invoice_number: String,
    #[serde(default, deserialize_with = "lenient")]
    total_amount_including_tax: Decimal,
}

impl ApiCreditMemo {
    fn into_nav(self) -> NavCreditMemo {
        NavCreditMemo {
            id: self.id,
            number: self.number,
            external_document_number: self.external_document_number,
            status: self.status,
            etag: self.etag,
            invoice_number: self.invoice_number,
            total_including_tax: self.total_amount_including_tax,
        }
    }
}

impl From<ApiDocLine> for NavOrderLine {
    fn from(l: ApiDocLine) -> Self {
        NavOrderLine {
            id: l.id,
            etag: l.etag,
            line_type: l.line_type,
            number: l.line_object_number,
            variant_id: variant(l.item_variant_id),
            description: l.description,
            quantity: l.quantity,
            unit_price: l.unit_price,
            discount_amount: l.discount_amount,
            shipped: l.shipped_quantity,
            tax_percent: l.tax_percent,
            amount_including_tax: l.amount_including_tax,
        }
    }
}

const EMPTY_GUID: &str = "00000000-0000-0000-0000-000000000000";

fn variant(id: Option<String>) -> String {
    id.filter(|v| v != EMPTY_GUID).unwrap_or_default()
}

/// The body of a credit memo with its lines (deep insert).
pub fn credit_memo_body(draft: &CreditMemoDraft, catalog: &dyn VariantIds) -> AdapterResult<Value> {
    let mut body = Map::new();
    body.insert("customerNumber".into(), json!(draft.customer_number));
    body.insert("externalDocumentNumber".into(), json!(draft.external_document_number));
    if !draft.invoice_id.is_empty() {
        body.insert("invoiceId".into(), json!(draft.invoice_id));
        body.insert("invoiceNumber".into(), json!(draft.invoice_number));
    }
    let lines = draft.lines.iter().map(|l| line_body(l, catalog)).collect::<AdapterResult<Vec<_>>>()?;
    body.insert("salesCreditMemoLines".into(), Value::Array(lines));
    Ok(Value::Object(body))
}

impl BcApi {
    /// The lines of an open sales order, with ETags (for `If-Match`) and shipped quantities.
    pub async fn order_lines(&self, order_id: &str, rec: &Recorder) -> AdapterResult<Vec<NavOrderLine>> {
        let url = format!("{}/salesOrders({order_id})/salesOrderLines", self.company_url(rec).await?);
        let lines: Vec<ApiDocLine> = self.get_all(url, rec).await?;
        Ok(lines
            .into_iter()
            .map(NavOrderLine::from)
            .collect())
    }

    /// Changes a line's quantity (and its discount, which BC keeps as an amount) with `If-Match`.
    pub async fn set_line_quantity(&self, line: &NavOrderLine, quantity: Decimal, discount: Decimal, rec: &Recorder) -> AdapterResult<()> {
        let url = format!("{}/salesOrderLines({})", self.company_url(rec).await?, line.id);
        let mut body = Map::new();
        body.insert("quantity".into(), num(quantity));
        if discount != line.discount_amount {
            body.insert("discountAmount".into(), num(discount));
        }
        self.send(Method::PATCH, url, Some(&Value::Object(body)), Some(line.etag.as_deref().unwrap_or("*")), rec).await.map(|_| ())
    }

    /// A draft credit memo's lines, with NAV's tax rate and amount including tax for each.
    pub async fn credit_memo_lines(&self, memo: &NavCreditMemo, rec: &Recorder) -> AdapterResult<Vec<NavOrderLine>> {
        let url = format!("{}/salesCreditMemos({})/salesCreditMemoLines", self.company_url(rec).await?, memo.id);
        let lines: Vec<ApiDocLine> = self.get_all(url, rec).await?;
        Ok(lines
            .into_iter()
            .map(NavOrderLine::from)
            .collect())
    }

    /// Sets a draft credit memo line's unit price (`If-Match` on the line's ETag), then reads the
    /// credit memo back for its new total.
    pub async fn set_credit_memo_line_price(&self, memo: &NavCreditMemo, line: &NavOrderLine, unit_price: Decimal, rec: &Recorder) -> AdapterResult<NavCreditMemo> {
        let base = self.company_url(rec).await?;
        let mut body = Map::new();
        body.insert("unitPrice".into(), num(unit_price));
        let url = format!("{base}/salesCreditMemos({})/salesCreditMemoLines({})", memo.id, line.id);
        self.send(Method::PATCH, url, Some(&Value::Object(body)), Some(line.etag.as_deref().unwrap_or("*")), rec).await?;
        let reread: ApiCreditMemo = self.get_json(format!("{base}/salesCreditMemos({})", memo.id), rec).await?;
        Ok(reread.into_nav())
    }

    /// Removes a line with `If-Match` (its ETag as read: someone else's change is a conflict).
    pub async fn delete_order_line(&self, line: &NavOrderLine, rec: &Recorder) -> AdapterResult<()> {
        let url = format!("{}/salesOrderLines({})", self.company_url(rec).await?, line.id);
        self.send(Method::DELETE, url, None, Some(line.etag.as_deref().unwrap_or("*")), rec).await.map(|_| ())
    }

    /// Posted invoices made from a sales order, oldest first, with their lines.
    pub async fn order_invoices(&self, order_number: &str, rec: &Recorder) -> AdapterResult<Vec<NavInvoice>> {
        let base = self.company_url(rec).await?;
        let filter = encode(&format!("orderNumber eq {}", quoted(order_number)));
        let url = format!("{base}/salesInvoices?$filter={filter}&$select=id,number,pricesIncludeTax&$expand=salesInvoiceLines&$orderby=number");
        let found: Vec<ApiInvoiceWithLines> = self.get_all(url, rec).await?;
        Ok(found
            .into_iter()
            .map(|i| NavInvoice {
                id: i.id,
                number: i.number,
                prices_include_tax: i.prices_include_tax,
                lines: i
                    .sales_invoice_lines
                    .into_iter()
                    .map(|l| NavInvoiceLine {
                        line_type: l.line_type,
                        number: l.line_object_number,
                        variant_id: variant(l.item_variant_id),
                        variant_code: String::new(),
                        description: l.description,
                        quantity: l.quantity,
                        unit_price: l.unit_price,
                        discount_amount: l.discount_amount,
                    })
                    .collect(),
            })
            .collect())
    }

    pub async fn find_credit_memos(&self, external_document_number: &str, rec: &Recorder) -> AdapterResult<Vec<NavCreditMemo>> {
        let base = self.company_url(rec).await?;
        let filter = encode(&format!("externalDocumentNumber eq {}", quoted(external_document_number)));
        let url = format!("{base}/salesCreditMemos?$filter={filter}&$select=id,number,externalDocumentNumber,status,invoiceNumber,totalAmountIncludingTax");
        let found: Vec<ApiCreditMemo> = self.get_all(url, rec).await?;
        Ok(found.into_iter().map(ApiCreditMemo::into_nav).collect())
    }

    pub async fn create_credit_memo(&self, draft: &CreditMemoDraft, catalog: &dyn VariantIds, rec: &Recorder) -> AdapterResult<NavCreditMemo> {
        let url = format!("{}/salesCreditMemos", self.company_url(rec).await?);
        let body = credit_memo_body(draft, catalog)?;
        let created: ApiCreditMemo = self.send(Method::POST, url, Some(&body), None, rec).await?.json(System::Nav)?;
        Ok(created.into_nav())
    }

    /// `Microsoft.NAV.post` (draft only); the credit memo keeps its id and gets a posted number.
    pub async fn post_credit_memo(&self, memo: &NavCreditMemo, rec: &Recorder) -> AdapterResult<NavCreditMemo> {
        let base = self.company_url(rec).await?;
        self.send(Method::POST, format!("{base}/salesCreditMemos({})/Microsoft.NAV.post", memo.id), None, None, rec).await?;
        // The action's answer carries no entity (204): read the posted document back.
        let posted: ApiCreditMemo = self.get_json(format!("{base}/salesCreditMemos({})", memo.id), rec).await?;
        Ok(posted.into_nav())
    }

    pub async fn delete_credit_memo(&self, memo: &NavCreditMemo, rec: &Recorder) -> AdapterResult<()> {
        let url = format!("{}/salesCreditMemos({})", self.company_url(rec).await?, memo.id);
        self.send(Method::DELETE, url, None, Some(memo.etag.as_deref().unwrap_or("*")), rec).await.map(|_| ())
    }
}

/// An invoice line as a credit memo line (a cancellation credits every line as invoiced).
pub fn invoice_line_draft(line: &NavInvoiceLine, variant_code: Option<String>) -> SalesLineDraft {
    let kind = match line.line_type.as_str() {
        "Item" => LineKind::Item,
        "Charge" => LineKind::Charge,
        "Comment" => LineKind::Comment,
        _ => LineKind::Account,
    };
    SalesLineDraft {
        kind,
        number: line.number.clone(),
        variant_code,
        description: line.description.clone(),
        quantity: line.quantity,
        unit_price: line.unit_price,
        discount_amount: line.discount_amount,
        // Not sent to NAV: a cancellation's lines stand for the whole invoice, not one shop line.
        source: LineSource::Refund(0),
    }
}
