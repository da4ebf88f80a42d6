//! Credit memos on legacy NAV page web services: posted invoices found by their order number
//! (Posted Sales Invoice, page 132, with its lines), draft credit memos applied to an invoice
//! through `Applies-to Doc. No.` (Sales Credit Memo, page 44: header, then each line — pages have
//! no deep insert), and the posted ones (Posted Sales Credit Memo, page 134) so a credit memo
//! someone posted in NAV is still found by its external document number. Posting is not a page
//! web service operation: credit memos made here stay drafts for NAV's users to post.

use reqwest::Method;
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::{json, Value};

use super::{line_body, page_line_type, NavPages};
use crate::adapter::bc_api::credit_memos::{NavCreditMemo, NavInvoice, NavInvoiceLine};
use crate::adapter::http::Recorder;
use crate::adapter::nav::PostedInvoice;
use crate::adapter::odata::{encode, quoted};
use crate::adapter::{AdapterResult, System};
use crate::mapper::credit_memo::CreditMemoDraft;
use crate::model::money::lenient;

/// Lines part of page 132 and of page 44 (their parts' names after the service name).
const INVOICE_LINES: &str = "SalesInvLines";
const CREDIT_MEMO_LINES: &str = "SalesLines";

#[derive(Debug, Deserialize)]
struct PagePostedLine {
    #[serde(rename = "Type", default)]
    kind: String,
    #[serde(rename = "No", default)]
    no: String,
    #[serde(rename = "Variant_Code", default)]
    variant_code: String,
    #[serde(rename = "Description", default)]
    description: String,
    #[serde(rename = "Quantity", default, deserialize_with = "lenient")]
    quantity: Decimal,
    #[serde(rename = "Unit_Price", default, deserialize_with = "lenient")]
    unit_price: Decimal,
    #[serde(rename = "Line_Discount_Amount", default, deserialize_with = "lenient")]
    discount: Decimal,
}

#[derive(Debug, Deserialize)]
struct PagePostedInvoice {
    #[serde(rename = "No")]
    no: String,
    #[serde(rename = "Order_No", default)]
    order_no: String,
    #[serde(rename = "Prices_Including_VAT", default)]
    prices_including_vat: bool,
    #[serde(rename = "Amount_Including_VAT", default, deserialize_with = "lenient")]
    amount_including_vat: Decimal,
    #[serde(default, flatten)]
    rest: serde_json::Map<String, Value>,
}

#[derive(Debug, Deserialize)]
struct PageCreditMemo {
    #[serde(rename = "No")]
    no: String,
    #[serde(rename = "External_Document_No", default)]
    external_document_no: String,
    #[serde(rename = "Applies_to_Doc_No", default)]
    applies_to_doc_no: String,
    #[serde(rename = "Amount_Including_VAT", default, deserialize_with = "lenient")]
    amount_including_vat: Decimal,
    #[serde(rename = "@odata.etag", default)]
    etag: Option<String>,
}

impl PageCreditMemo {
    /// Statuses as API v2.0 names them, so the flows compare one vocabulary.
    fn into_nav(self, posted: bool) -> NavCreditMemo {
        NavCreditMemo {
            id: self.no.clone(),
            number: self.no,
            external_document_number: self.external_document_no,
            status: if posted { "Open".into() } else { "Draft".into() },
            etag: self.etag,
            invoice_number: self.applies_to_doc_no,
            // Page 44 shows no totals; only the posted page does.
            total_including_tax: self.amount_including_vat,
        }
    }
}

fn memo_key(number: &str) -> String {
    super::document_key("Credit Memo", number)
}

impl NavPages {
    async fn posted_invoices_where(&self, filter: &str, rec: &Recorder) -> AdapterResult<Vec<PagePostedInvoice>> {
        let service = &self.names.posted_invoice;
        let url = format!("{}?$filter={}&$expand={service}{INVOICE_LINES}&$orderby=No", self.url(service), encode(filter));
        self.get_all(url, rec).await
    }

    /// Posted invoices of a sales order, with their lines.
    pub async fn order_invoices(&self, order_number: &str, rec: &Recorder) -> AdapterResult<Vec<NavInvoice>> {
        let lines_name = format!("{}{INVOICE_LINES}", self.names.posted_invoice);
        let found = self.posted_invoices_where(&format!("Order_No eq {}", quoted(order_number)), rec).await?;
        Ok(found
            .into_iter()
            .map(|invoice| {
                let lines: Vec<PagePostedLine> = invoice.rest.get(&lines_name).cloned().and_then(|v| serde_json::from_value(v).ok()).unwrap_or_default();
                NavInvoice {
                    id: invoice.no.clone(),
                    number: invoice.no,
                    prices_include_tax: invoice.prices_including_vat,
                    lines: lines
                        .into_iter()
                        .map(|l| NavInvoiceLine {
                            line_type: page_line_type(&l.kind),
                            number: l.no,
                            variant_id: String::new(),
                            variant_code: l.variant_code,
                            description: l.description,
                            quantity: l.quantity,
                            unit_price: l.unit_price,
                            discount_amount: l.discount,
                        })
                        .collect(),
                }
            })
            .collect())
    }

    /// Posted invoices of a sales order (the order is gone once fully invoiced).
    pub async fn posted_invoices(&self, order_number: &str, rec: &Recorder) -> AdapterResult<Vec<PostedInvoice>> {
        let found = self.posted_invoices_where(&format!("Order_No eq {}", quoted(order_number)), rec).await?;
        Ok(found.into_iter().map(posted).collect())
    }

    /// Posted invoices of an order known only by its external document number.
    pub async fn posted_invoices_for_external(&self, external_document_number: &str, rec: &Recorder) -> AdapterResult<Vec<PostedInvoice>> {
        let found = self.posted_invoices_where(&format!("External_Document_No eq {}", quoted(external_document_number)), rec).await?;
        Ok(found.into_iter().map(posted).collect())
    }

    /// Draft and posted credit memos with this external document number.
    pub async fn find_credit_memos(&self, external_document_number: &str, rec: &Recorder) -> AdapterResult<Vec<NavCreditMemo>> {
        let filter = encode(&format!("External_Document_No eq {}", quoted(external_document_number)));
        let drafts: Vec<PageCreditMemo> = self.get_all(format!("{}?$filter={filter}", self.url(&self.names.credit_memo)), rec).await?;
        let posted: Vec<PageCreditMemo> = self.get_all(format!("{}?$filter={filter}", self.url(&self.names.posted_credit_memo)), rec).await?;
        Ok(drafts.into_iter().map(|m| m.into_nav(false)).chain(posted.into_iter().map(|m| m.into_nav(true))).collect())
    }

    /// A draft credit memo applied to the draft's invoice: the header, then each line.
    pub async fn create_credit_memo(&self, draft: &CreditMemoDraft, rec: &Recorder) -> AdapterResult<NavCreditMemo> {
        let mut body = serde_json::Map::new();
        body.insert("Sell_to_Customer_No".into(), json!(draft.customer_number));
        body.insert("External_Document_No".into(), json!(draft.external_document_number));
        body.insert("Prices_Including_VAT".into(), json!(draft.prices_include_tax));
        if !draft.invoice_number.is_empty() {
            body.insert("Applies_to_Doc_Type".into(), json!("Invoice"));
            body.insert("Applies_to_Doc_No".into(), json!(draft.invoice_number));
        }
        let header: PageCreditMemo =
            self.send(Method::POST, self.url(&self.names.credit_memo), Some(&Value::Object(body)), None, rec).await?.json(System::Nav)?;
        let lines_url = format!("{}{}/{}{CREDIT_MEMO_LINES}", self.url(&self.names.credit_memo), memo_key(&header.no), self.names.credit_memo);
        for line in &draft.lines {
            self.send(Method::POST, lines_url.clone(), Some(&line_body(line)), None, rec).await?;
        }
        // The header's ETag changed with each line.
        let current: PageCreditMemo = self.send(Method::GET, format!("{}{}", self.url(&self.names.credit_memo), memo_key(&header.no)), None, None, rec).await?.json(System::Nav)?;
        Ok(current.into_nav(false))
    }

    pub async fn delete_credit_memo(&self, memo: &NavCreditMemo, rec: &Recorder) -> AdapterResult<()> {
        let url = format!("{}{}", self.url(&self.names.credit_memo), memo_key(&memo.number));
        self.send(Method::DELETE, url, None, Some(memo.etag.as_deref().unwrap_or("*")), rec).await.map(|_| ())
    }
}

fn posted(invoice: PagePostedInvoice) -> PostedInvoice {
    PostedInvoice { id: invoice.no.clone(), number: invoice.no, order_number: invoice.order_no, total_including_tax: invoice.amount_including_vat }
}
