//! What the inventory flow reads from NAV, and how API v2.0 gives it: the item ledger followed by
//! `entryNumber` (the only thing that moves when stock is posted — item `lastModifiedDateTime`
//! does not), item stock totals, item variants, and the open web sales orders with their lines'
//! shipped quantities. The row types read both the API's names and the legacy Item Card / Sales
//! Order pages' names (serde aliases), so the flow sees one shape whichever way NAV is reached.
//!
//! Reads are handed to a sink one page at a time: 100,000 items never sit in memory as JSON.

use reqwest::Method;
use rust_decimal::Decimal;
use serde::de::DeserializeOwned;
use serde::Deserialize;

use super::wire::ApiVariant;
use super::BcApi;
use crate::adapter::http::Recorder;
use crate::adapter::odata::{encode, quoted, Collection};
use crate::adapter::{AdapterResult, System};
use crate::model::money::lenient;
use crate::store::catalog::CatalogVariant;

/// Receives each page of a read.
pub type Sink<'a, T> = &'a mut (dyn FnMut(Vec<T>) + Send);

/// One item's stock: API `items` (`number`, `inventory`, …) or the Item Card page (`No`,
/// `Inventory`, …, FlowFilters applied).
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct NavItemStock {
    #[serde(alias = "No")]
    pub number: String,
    /// SystemId (API only; the pages have none).
    #[serde(default)]
    pub id: String,
    #[serde(default, alias = "GTIN")]
    pub gtin: String,
    #[serde(default, rename = "displayName", alias = "Description")]
    pub display_name: String,
    #[serde(default, alias = "Blocked")]
    pub blocked: bool,
    /// `Inventory`, `Service`, `Non_x002D_Inventory` (only inventory items carry stock).
    #[serde(default, rename = "type", alias = "Type")]
    pub kind: String,
    #[serde(default, alias = "Inventory", deserialize_with = "lenient")]
    pub inventory: Decimal,
}

/// An open sales order as the stock formula needs it.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct OpenSalesOrder {
    #[serde(alias = "No")]
    pub number: String,
    #[serde(default, rename = "externalDocumentNumber", alias = "External_Document_No")]
    pub external_document_number: String,
    #[serde(default, rename = "salesOrderLines", alias = "SalesOrderSalesLines")]
    pub lines: Vec<OpenSalesLine>,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct OpenSalesLine {
    #[serde(default, rename = "lineType", alias = "Type")]
    pub line_type: String,
    #[serde(default, rename = "lineObjectNumber", alias = "No")]
    pub number: String,
    /// API lines name the variant by id…
    #[serde(default, rename = "itemVariantId")]
    pub variant_id: String,
    /// …page lines by code.
    #[serde(default, rename = "Variant_Code")]
    pub variant_code: String,
    #[serde(default, alias = "Quantity", deserialize_with = "lenient")]
    pub quantity: Decimal,
    #[serde(default, rename = "shippedQuantity", alias = "Quantity_Shipped", deserialize_with = "lenient")]
    pub shipped: Decimal,
}

impl OpenSalesLine {
    /// What NAV has still to ship on this line (never below zero: over-shipping is NAV's own).
    pub fn outstanding(&self) -> Decimal {
        (self.quantity - self.shipped).max(Decimal::ZERO)
    }
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct LedgerEntry {
    pub entry_number: i64,
    #[serde(default)]
    pub item_number: String,
}

/// Which stock to read.
#[derive(Clone, Copy, Debug, Default)]
pub struct StockQuery<'a> {
    /// These items only (`None`: every item).
    pub items: Option<&'a [String]>,
    /// Only stock at these locations (empty: every location).
    pub locations: &'a [String],
    /// Only this item variant's stock.
    pub variant: Option<&'a str>,
}

impl StockQuery<'_> {
    /// The `$filter` of the Item Card page (item numbers, FlowFilters), if any.
    pub fn page_filter(&self) -> Option<String> {
        let mut parts = Vec::new();
        if let Some(items) = self.items {
            parts.push(any_of("No", items));
        }
        if !self.locations.is_empty() {
            parts.push(any_of("Location_Filter", self.locations));
        }
        if let Some(variant) = self.variant {
            parts.push(format!("Variant_Filter eq {}", quoted(variant)));
        }
        (!parts.is_empty()).then(|| parts.join(" and "))
    }
}

/// `(field eq 'a' or field eq 'b')`: BC accepts `or` on one field only (and no `in` on v2.0).
pub fn any_of(field: &str, values: &[String]) -> String {
    let alternatives: Vec<String> = values.iter().map(|v| format!("{field} eq {}", quoted(v))).collect();
    format!("({})", alternatives.join(" or "))
}

/// Ledger pages are small rows: larger pages, fewer requests.
const LEDGER_PAGE_SIZE: u32 = 20_000;

impl BcApi {
    /// GETs `first_url` and every `@odata.nextLink` after it, handing each page to `sink`.
    /// Returns the number of requests made.
    async fn each_page<T: DeserializeOwned>(&self, first_url: String, page_size: u32, rec: &Recorder, sink: Sink<'_, T>) -> AdapterResult<u32> {
        let prefer = format!("odata.maxpagesize={page_size}");
        let mut next = Some(first_url);
        let mut requests = 0;
        while let Some(url) = next {
            let page: Collection<T> = self.send_with(Method::GET, url, None, None, Some(&prefer), rec).await?.json(System::Nav)?;
            requests += 1;
            next = page.next_link;
            sink(page.value);
        }
        Ok(requests)
    }

    /// Entries after `after`, oldest first.
    pub async fn ledger_entries_after(&self, after: i64, rec: &Recorder, sink: Sink<'_, LedgerEntry>) -> AdapterResult<u32> {
        let base = self.company_url(rec).await?;
        let filter = encode(&format!("entryNumber gt {after}"));
        let url = format!("{base}/itemLedgerEntries?$filter={filter}&$select=entryNumber,itemNumber&$orderby=entryNumber");
        self.each_page(url, LEDGER_PAGE_SIZE, rec, sink).await
    }

    /// The newest entry number (0 for an empty ledger).
    pub async fn last_ledger_entry(&self, rec: &Recorder) -> AdapterResult<i64> {
        let base = self.company_url(rec).await?;
        let url = format!("{base}/itemLedgerEntries?$select=entryNumber&$orderby={}&$top=1", encode("entryNumber desc"));
        let page: Collection<LedgerEntry> = self.get_json(url, rec).await?;
        Ok(page.value.first().map(|e| e.entry_number).unwrap_or(0))
    }

    /// Items with their total stock (every location and variant: API v2.0 has nothing finer).
    pub async fn item_stock(&self, items: Option<&[String]>, rec: &Recorder, sink: Sink<'_, NavItemStock>) -> AdapterResult<u32> {
        let base = self.company_url(rec).await?;
        let mut url = format!("{base}/items?$select=id,number,gtin,displayName,blocked,type,inventory");
        if let Some(items) = items {
            url.push_str(&format!("&$filter={}", encode(&any_of("number", items))));
        }
        self.each_page(url, super::PAGE_SIZE, rec, sink).await
    }

    pub async fn item_variants(&self, rec: &Recorder) -> AdapterResult<Vec<CatalogVariant>> {
        let base = self.company_url(rec).await?;
        let variants: Vec<ApiVariant> = self.get_all(format!("{base}/itemVariants?$select=id,itemNumber,code"), rec).await?;
        Ok(variants.into_iter().map(ApiVariant::into_catalog).collect())
    }

    /// Open sales orders whose external document number starts with `prefix` (every open order
    /// when the prefix is empty), with their lines' quantities and shipped quantities.
    pub async fn open_sales_orders(&self, prefix: &str, rec: &Recorder, sink: Sink<'_, OpenSalesOrder>) -> AdapterResult<u32> {
        let base = self.company_url(rec).await?;
        let mut url = format!(
            "{base}/salesOrders?$select=number,externalDocumentNumber&$expand={}",
            encode("salesOrderLines($select=lineType,lineObjectNumber,itemVariantId,quantity,shippedQuantity)")
        );
        if !prefix.is_empty() {
            url.push_str(&format!("&$filter={}", encode(&format!("startswith(externalDocumentNumber,{})", quoted(prefix)))));
        }
        self.each_page(url, super::PAGE_SIZE, rec, sink).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_and_page_rows_read_into_one_shape() {
        let api: NavItemStock =
            serde_json::from_str(r#"{"id":"g","number":"TSHIRT","gtin":"","displayName":"T","blocked":false,"type":"Inventory","inventory":32}"#).unwrap();
        let page: NavItemStock = serde_json::from_str(r#"{"No":"TSHIRT","GTIN":"","Description":"T","Blocked":false,"Type":"Inventory","Inventory":32}"#).unwrap();
        assert_eq!((api.number.as_str(), api.inventory), (page.number.as_str(), page.inventory));
        let api: OpenSalesOrder = serde_json::from_str(
            r#"{"number":"S1","externalDocumentNumber":"WC-7","salesOrderLines":[{"lineType":"Item","lineObjectNumber":"1896-S","itemVariantId":"00000000-0000-0000-0000-000000000000","quantity":3,"shippedQuantity":1}]}"#,
        )
        .unwrap();
        let page: OpenSalesOrder = serde_json::from_str(
            r#"{"No":"S1","External_Document_No":"WC-7","SalesOrderSalesLines":[{"Type":"Item","No":"1896-S","Variant_Code":"","Quantity":3,"Quantity_Shipped":1}]}"#,
        )
        .unwrap();
        assert_eq!(api.lines[0].outstanding(), Decimal::from(2));
        assert_eq!(page.lines[0].outstanding(), Decimal::from(2));
        assert_eq!(api.external_document_number, page.external_document_number);
    }

    #[test]
    fn item_card_filters_combine_items_locations_and_variant() {
        let items = vec!["TSHIRT".to_string(), "O'NEIL".to_string()];
        let locations = vec!["MAIN".to_string()];
        let query = StockQuery { items: Some(&items), locations: &locations, variant: Some("M") };
        assert_eq!(
            query.page_filter().unwrap(),
            "(No eq 'TSHIRT' or No eq 'O''NEIL') and (Location_Filter eq 'MAIN') and Variant_Filter eq 'M'"
        );
        assert_eq!(StockQuery::default().page_filter(), None);
    }
}
