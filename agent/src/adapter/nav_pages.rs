//! Legacy NAV / BC OData V4 page web services: `{server}/{instance}/ODataV4/Company('{name}')/{Page}`.
//! The whole flow for NAV on-premises (no deep insert: header, then each line), and, for BC API
//! deployments, what API v2.0 lacks (customer price group, ship-to addresses). Field names follow
//! the EDMX mangling of the standard pages: Customer Card (21), Item Card (30), Sales Order (42)
//! with its lines subpage, Ship-to Address (300); service names come from the settings.

mod credit_memos;
mod customers;

use std::sync::Arc;

use reqwest::Method;
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::bc_api::auth::Credentials;
use super::bc_api::ledger::{NavItemStock, OpenSalesOrder, Sink, StockQuery};
use super::http::{header, Answer, Call, Http, Recorder};
use super::nav::{CompanyCheck, NavCustomer, NavSalesLine, NavSalesOrder};
use super::odata::{encode, quoted, Collection};
use super::bc_api::num;
use super::{AdapterError, AdapterResult, System};
use crate::model::money::lenient;
use crate::mapper::customer_card::{CardAddress, ShipToCard};
use crate::model::nav::{CustomerDraft, LineKind, PostalAddress, SalesLineDraft, SalesOrderDraft};
use crate::store::catalog::{CatalogItem, CatalogVariant};

pub struct PageNames {
    pub customer: String,
    pub item: String,
    pub sales_order: String,
    pub ship_to: String,
    /// Sales Credit Memo (44), Posted Sales Invoice (132), Posted Sales Credit Memo (134).
    pub credit_memo: String,
    pub posted_invoice: String,
    pub posted_credit_memo: String,
}

pub struct NavPages {
    http: Http,
    credentials: Arc<Credentials>,
    /// `.../ODataV4`
    root: String,
    company: String,
    names: PageNames,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PageCustomer {
    no: String,
    #[serde(default)]
    name: String,
    #[serde(rename = "E_Mail", default)]
    email: String,
    #[serde(rename = "Customer_Price_Group", default)]
    price_group: String,
}

/// A Ship-to Address record (page 300).
#[derive(Debug, Deserialize)]
pub struct PageShipTo {
    #[serde(rename = "Customer_No")]
    pub customer_no: String,
    #[serde(rename = "Code")]
    pub code: String,
    #[serde(rename = "Name", default)]
    name: String,
    #[serde(rename = "Contact", default)]
    contact: String,
    #[serde(flatten)]
    address: PageAddress,
    #[serde(rename = "Phone_No", default)]
    phone: String,
    /// A Date: page 300 has no modification time.
    #[serde(rename = "Last_Date_Modified", default)]
    pub last_date_modified: String,
    #[serde(rename = "@odata.etag", default)]
    etag: Option<String>,
}

impl PageShipTo {
    pub fn card(&self) -> ShipToCard {
        let a = self.address.card();
        ShipToCard {
            address: PostalAddress {
                name: self.name.clone(),
                contact: self.contact.clone(),
                line1: a.line1,
                line2: a.line2,
                city: a.city,
                state: a.state,
                post_code: a.post_code,
                country: a.country,
            },
            phone: self.phone.clone(),
        }
    }
}

/// The address fields of the Customer Card and the Ship-to Address page, in one place for reads
/// and writes.
#[derive(Clone, Debug, Default, Deserialize)]
struct PageAddress {
    #[serde(rename = "Address", default)]
    line1: String,
    #[serde(rename = "Address_2", default)]
    line2: String,
    #[serde(rename = "City", default)]
    city: String,
    #[serde(rename = "County", default)]
    county: String,
    #[serde(rename = "Post_Code", default)]
    post_code: String,
    #[serde(rename = "Country_Region_Code", default)]
    country: String,
}

impl PageAddress {
    fn card(&self) -> CardAddress {
        CardAddress {
            line1: self.line1.clone(),
            line2: self.line2.clone(),
            city: self.city.clone(),
            state: self.county.clone(),
            post_code: self.post_code.clone(),
            country: self.country.clone(),
        }
    }
}

/// An address as those pages' fields.
fn page_address(a: &CardAddress) -> [(&'static str, &str); 6] {
    [
        ("Address", &a.line1),
        ("Address_2", &a.line2),
        ("City", &a.city),
        ("County", &a.state),
        ("Post_Code", &a.post_code),
        ("Country_Region_Code", &a.country),
    ]
}

#[derive(Debug, Deserialize)]
struct PageItem {
    #[serde(rename = "No")]
    no: String,
    #[serde(rename = "Description", default)]
    description: String,
    #[serde(rename = "GTIN", default)]
    gtin: String,
    #[serde(rename = "Blocked", default)]
    blocked: bool,
}

#[derive(Debug, Deserialize)]
struct PageOrder {
    #[serde(rename = "No")]
    no: String,
    #[serde(rename = "External_Document_No", default)]
    external_document_no: String,
    #[serde(rename = "Sell_to_Customer_No", default)]
    customer_no: String,
    #[serde(rename = "@odata.etag", default)]
    etag: Option<String>,
}

#[derive(Debug, Deserialize)]
struct PageLine {
    #[serde(rename = "Line_No")]
    line_no: i64,
    #[serde(rename = "Type", default)]
    kind: String,
    #[serde(rename = "No", default)]
    no: String,
    #[serde(rename = "Quantity", default, deserialize_with = "lenient")]
    quantity: Decimal,
    #[serde(rename = "Unit_Price", default, deserialize_with = "lenient")]
    unit_price: Decimal,
    #[serde(rename = "Line_Discount_Amount", default, deserialize_with = "lenient")]
    discount: Decimal,
    #[serde(rename = "Line_Amount", default, deserialize_with = "lenient")]
    line_amount: Decimal,
}

/// Page option values of the sales line `Type` (EDMX-escaped captions).
const TYPE_ACCOUNT: &str = "G_x002F_L_x0020_Account";
const TYPE_CHARGE: &str = "Charge_x0020__x0028_Item_x0029_";
const TYPE_COMMENT: &str = "_x0020_";

/// Customer Card fields API v2.0 lacks: price group and posting groups (codes), where set.
fn add_card_page_fields(body: &mut Map<String, Value>, price_group: Option<&str>, groups: &crate::config::PostingGroups) {
    let fields = [
        ("Customer_Price_Group", price_group),
        ("Customer_Posting_Group", groups.customer_posting_group.as_deref()),
        ("Gen_Bus_Posting_Group", groups.gen_bus_posting_group.as_deref()),
        ("VAT_Bus_Posting_Group", groups.vat_bus_posting_group.as_deref()),
    ];
    for (field, value) in fields {
        if let Some(code) = value {
            body.insert(field.into(), json!(crate::model::nav::code(code)));
        }
    }
}

/// A page's line `Type` under the API's `lineType` name, so the flows compare one vocabulary.
fn page_line_type(kind: &str) -> String {
    match kind {
        TYPE_ACCOUNT => "Account".into(),
        TYPE_CHARGE => "Charge".into(),
        TYPE_COMMENT => "Comment".into(),
        other => other.into(),
    }
}

/// A sales line as a page line body (sales order and credit memo subpages alike).
fn line_body(line: &SalesLineDraft) -> Value {
    let kind = match line.kind {
        LineKind::Item => "Item",
        LineKind::Account => TYPE_ACCOUNT,
        LineKind::Charge => TYPE_CHARGE,
        LineKind::Comment => TYPE_COMMENT,
    };
    let mut body = Map::new();
    body.insert("Type".into(), json!(kind));
    body.insert("No".into(), json!(line.number));
    body.insert("Description".into(), json!(line.description));
    body.insert("Quantity".into(), num(line.quantity));
    body.insert("Unit_Price".into(), num(line.unit_price));
    if !line.discount_amount.is_zero() {
        body.insert("Line_Discount_Amount".into(), num(line.discount_amount));
    }
    if let Some(variant) = &line.variant_code {
        body.insert("Variant_Code".into(), json!(variant));
    }
    Value::Object(body)
}

impl PageLine {
    fn into_nav(self) -> NavSalesLine {
        NavSalesLine {
            id: self.line_no.to_string(),
            sequence: self.line_no,
            line_type: page_line_type(&self.kind),
            number: self.no,
            quantity: self.quantity,
            unit_price: self.unit_price,
            discount_amount: self.discount,
        }
    }
}

/// The key of a sales document on its page (`Order`, `Credit Memo`, …).
fn document_key(document_type: &str, number: &str) -> String {
    format!("(Document_Type='{document_type}',No={})", encode(&quoted(number)))
}

fn order_key(number: &str) -> String {
    document_key("Order", number)
}

impl NavPages {
    pub fn new(http: Http, credentials: Arc<Credentials>, root: String, company: String, names: PageNames) -> Self {
        NavPages { http, credentials, root, company, names }
    }

    pub fn describe(&self) -> String {
        format!("NAV OData V4 page web services at {} (company {:?})", self.root, self.company)
    }

    fn url(&self, service: &str) -> String {
        format!("{}/Company({})/{service}", self.root, encode(&quoted(&self.company)))
    }

    async fn send(&self, method: Method, url: String, body: Option<&Value>, if_match: Option<&str>, rec: &Recorder) -> AdapterResult<Answer> {
        let mut renewed = false;
        loop {
            let authorization = self.credentials.authorization().await?;
            let mut call = Call::new(method.clone(), url.clone())
                .header(header("authorization", authorization.expose()))
                .header(header("accept", "application/json"));
            if let Some(etag) = if_match {
                call = call.header(header("if-match", etag));
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

    async fn get_all<T: serde::de::DeserializeOwned>(&self, first: String, rec: &Recorder) -> AdapterResult<Vec<T>> {
        let mut all = Vec::new();
        let mut next = Some(first);
        while let Some(url) = next {
            let page: Collection<T> = self.send(Method::GET, url, None, None, rec).await?.json(System::Nav)?;
            all.extend(page.value);
            next = page.next_link;
        }
        Ok(all)
    }

    pub async fn check_company(&self, rec: &Recorder) -> AdapterResult<CompanyCheck> {
        let companies: Collection<Value> = self.send(Method::GET, format!("{}/Company", self.root), None, None, rec).await?.json(System::Nav)?;
        let names: Vec<String> = companies.value.iter().filter_map(|c| c.get("Name").and_then(|n| n.as_str()).map(String::from)).collect();
        let found = names.iter().any(|n| n == &self.company);
        Ok(CompanyCheck { companies: names, company_found: found, item_count: None })
    }

    pub async fn catalog(&self, rec: &Recorder) -> AdapterResult<(Vec<CatalogItem>, Vec<CatalogVariant>)> {
        let items: Vec<PageItem> = self.get_all(format!("{}?$select=No,Description,GTIN,Blocked", self.url(&self.names.item)), rec).await?;
        Ok((items.into_iter().map(page_item).collect(), Vec::new()))
    }

    pub async fn find_item(&self, number_or_gtin: &str, rec: &Recorder) -> AdapterResult<(Vec<CatalogItem>, Vec<CatalogVariant>)> {
        let code = crate::model::nav::code(number_or_gtin);
        let mut found: Vec<PageItem> = self
            .get_all(format!("{}?$filter={}", self.url(&self.names.item), encode(&format!("No eq {}", quoted(&code)))), rec)
            .await?;
        if found.is_empty() {
            found = self.get_all(format!("{}?$filter={}", self.url(&self.names.item), encode(&format!("GTIN eq {}", quoted(&code)))), rec).await?;
        }
        Ok((found.into_iter().map(page_item).collect(), Vec::new()))
    }

    pub async fn find_customers_by_email(&self, email: &str, rec: &Recorder) -> AdapterResult<Vec<NavCustomer>> {
        let url = format!("{}?$filter={}", self.url(&self.names.customer), encode(&format!("E_Mail eq {}", quoted(email.trim()))));
        let found: Vec<PageCustomer> = self.get_all(url, rec).await?;
        Ok(found.into_iter().map(|c| NavCustomer { id: None, number: c.no, name: c.name, email: c.email }).collect())
    }

    pub async fn create_customer(&self, draft: &CustomerDraft, rec: &Recorder) -> AdapterResult<NavCustomer> {
        let address = CardAddress::from(&draft.address);
        let mut body = Map::new();
        let contact = [("Name", draft.display_name.as_str()), ("E_Mail", &draft.email), ("Phone_No", &draft.phone)];
        for (field, value) in contact.into_iter().chain(page_address(&address)) {
            if !value.is_empty() {
                body.insert(field.into(), json!(value));
            }
        }
        add_card_page_fields(&mut body, draft.price_group.as_deref(), &draft.posting_groups);
        // The Customer Card takes the codes themselves (page 21 fields 27 and 47).
        if let Some(terms) = &draft.payment_terms {
            body.insert("Payment_Terms_Code".into(), json!(crate::model::nav::code(terms)));
        }
        if let Some(method) = &draft.payment_method {
            body.insert("Payment_Method_Code".into(), json!(crate::model::nav::code(method)));
        }
        let created: PageCustomer =
            self.send(Method::POST, self.url(&self.names.customer), Some(&Value::Object(body)), None, rec).await?.json(System::Nav)?;
        Ok(NavCustomer { id: None, number: created.no, name: created.name, email: created.email })
    }

    async fn customer(&self, number: &str, rec: &Recorder) -> AdapterResult<PageCustomer> {
        let url = format!("{}({})", self.url(&self.names.customer), encode(&quoted(number)));
        self.send(Method::GET, url, None, None, rec).await?.json(System::Nav)
    }

    pub async fn customer_price_group(&self, number: &str, rec: &Recorder) -> AdapterResult<Option<String>> {
        let customer = self.customer(number, rec).await?;
        Ok(Some(customer.price_group).filter(|g| !g.is_empty()))
    }

    fn ship_to_url(&self, customer: &str, code: &str) -> String {
        format!("{}(Customer_No={},Code={})", self.url(&self.names.ship_to), encode(&quoted(customer)), encode(&quoted(code)))
    }

    /// The customer's Ship-to Address record `code` with its ETag (`None`: there is none).
    pub async fn ship_to(&self, customer: &str, code: &str, rec: &Recorder) -> AdapterResult<Option<(ShipToCard, Option<String>)>> {
        match self.send(Method::GET, self.ship_to_url(customer, code), None, None, rec).await {
            Ok(answer) => {
                let found: PageShipTo = answer.json(System::Nav)?;
                Ok(Some((found.card(), found.etag)))
            }
            Err(AdapterError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Writes the Ship-to Address record: PATCH with `if_match` when it exists, else POST.
    /// Returns the new ETag.
    pub async fn put_ship_to(&self, customer: &str, code: &str, ship_to: &ShipToCard, if_match: Option<&str>, rec: &Recorder) -> AdapterResult<Option<String>> {
        let a = &ship_to.address;
        let mut body = Map::new();
        let named = [("Name", a.name.as_str()), ("Contact", &a.contact), ("Phone_No", &ship_to.phone)];
        for (field, value) in named.into_iter().chain(page_address(&CardAddress::from(a))) {
            body.insert(field.into(), json!(value));
        }
        let sent = match if_match {
            Some(etag) => self.send(Method::PATCH, self.ship_to_url(customer, code), Some(&Value::Object(body)), Some(etag), rec).await,
            None => {
                body.insert("Customer_No".into(), json!(customer));
                body.insert("Code".into(), json!(code));
                self.send(Method::POST, self.url(&self.names.ship_to), Some(&Value::Object(body)), None, rec).await
            }
        };
        // A POST to the collection answered 404: the page is not published under that name.
        let answer = sent.map_err(|e| match e {
            AdapterError::NotFound { system, what } if if_match.is_none() => AdapterError::NotFound {
                system,
                what: format!("Ship-to Address page web service {:?} ({what}): publish page 300 under that name, or set nav.pages.ship_to", self.names.ship_to),
            },
            other => other,
        })?;
        Ok(answer.json::<PageShipTo>(System::Nav)?.etag)
    }

    /// Whether the Ship-to Address page answers (one record at most); names the service on a 404.
    pub async fn probe_ship_to(&self, rec: &Recorder) -> AdapterResult<()> {
        match self.send(Method::GET, format!("{}?$top=1", self.url(&self.names.ship_to)), None, None, rec).await {
            Ok(_) => Ok(()),
            Err(AdapterError::NotFound { system, what }) => Err(AdapterError::NotFound {
                system,
                what: format!("Ship-to Address page web service {:?} ({what}): publish page 300 under that name, or set nav.pages.ship_to", self.names.ship_to),
            }),
            Err(e) => Err(e),
        }
    }

    /// Ship-to Address records `code` modified on or after `date` (YYYY-MM-DD): page 300 keeps a
    /// date only, so a poll re-reads the whole day and compares fingerprints.
    pub async fn ship_tos_modified_since(&self, code: &str, date: &str, rec: &Recorder) -> AdapterResult<Vec<PageShipTo>> {
        let filter = encode(&format!("Code eq {} and Last_Date_Modified ge {date}", quoted(code)));
        self.get_all(format!("{}?$filter={filter}", self.url(&self.names.ship_to)), rec).await
    }

    pub async fn set_order_price_group(&self, order_number: &str, group: &str, rec: &Recorder) -> AdapterResult<()> {
        let url = format!("{}{}", self.url(&self.names.sales_order), order_key(order_number));
        let body = json!({ "Customer_Price_Group": group });
        self.send(Method::PATCH, url, Some(&body), Some("*"), rec).await.map(|_| ())
    }

    pub async fn find_sales_orders(&self, external_document_number: &str, rec: &Recorder) -> AdapterResult<Vec<NavSalesOrder>> {
        let filter = encode(&format!("External_Document_No eq {}", quoted(external_document_number)));
        let found: Vec<PageOrder> = self.get_all(format!("{}?$filter={filter}", self.url(&self.names.sales_order)), rec).await?;
        Ok(found.into_iter().map(|o| page_order(o, None)).collect())
    }

    fn header_body(draft: &SalesOrderDraft) -> Map<String, Value> {
        let mut body = Map::new();
        body.insert("External_Document_No".into(), json!(draft.external_document_number));
        if let Some(s) = &draft.ship_to {
            for (field, value) in [
                ("Ship_to_Name", &s.name),
                ("Ship_to_Contact", &s.contact),
                ("Ship_to_Address", &s.line1),
                ("Ship_to_Address_2", &s.line2),
                ("Ship_to_City", &s.city),
                ("Ship_to_County", &s.state),
                ("Ship_to_Post_Code", &s.post_code),
                ("Ship_to_Country_Region_Code", &s.country),
            ] {
                body.insert(field.into(), json!(value));
            }
        }
        body
    }

    /// Header first, then each line: page services have no deep insert.
    pub async fn create_sales_order(&self, draft: &SalesOrderDraft, rec: &Recorder) -> AdapterResult<NavSalesOrder> {
        let mut body = Self::header_body(draft);
        body.insert("Sell_to_Customer_No".into(), json!(draft.customer_number));
        if !draft.order_date.is_empty() {
            body.insert("Order_Date".into(), json!(draft.order_date));
        }
        if let Some(currency) = &draft.currency_code {
            body.insert("Currency_Code".into(), json!(currency));
        }
        body.insert("Prices_Including_VAT".into(), json!(draft.prices_include_tax));
        if let Some(group) = &draft.price_group {
            body.insert("Customer_Price_Group".into(), json!(group));
        }
        let header: PageOrder =
            self.send(Method::POST, self.url(&self.names.sales_order), Some(&Value::Object(body)), None, rec).await?.json(System::Nav)?;
        let order = page_order(header, None);
        for line in &draft.lines {
            self.add_line(&order, line, rec).await?;
        }
        Ok(self.get_sales_order(&order.number, rec).await?.unwrap_or(order))
    }

    pub async fn get_sales_order(&self, number: &str, rec: &Recorder) -> AdapterResult<Option<NavSalesOrder>> {
        let url = format!("{}{}", self.url(&self.names.sales_order), order_key(number));
        let header: PageOrder = match self.send(Method::GET, url.clone(), None, None, rec).await {
            Ok(answer) => answer.json(System::Nav)?,
            Err(AdapterError::NotFound { .. }) => return Ok(None),
            Err(e) => return Err(e),
        };
        let lines: Vec<PageLine> = self.get_all(format!("{url}/SalesOrderSalesLines"), rec).await?;
        // The Sales Order page shows no document totals; the lines' amounts give the net total.
        let net: Decimal = lines.iter().map(|l| l.line_amount).sum();
        let mut order = page_order(header, Some(lines.into_iter().map(PageLine::into_nav).collect()));
        order.total_excluding_tax = Some(net);
        Ok(Some(order))
    }

    pub async fn update_sales_order_header(&self, order: &NavSalesOrder, draft: &SalesOrderDraft, rec: &Recorder) -> AdapterResult<NavSalesOrder> {
        let url = format!("{}{}", self.url(&self.names.sales_order), order_key(&order.number));
        let answer = self.send(Method::PATCH, url, Some(&Value::Object(Self::header_body(draft))), Some(order.etag.as_deref().unwrap_or("*")), rec).await?;
        let header: PageOrder = answer.json(System::Nav)?;
        Ok(page_order(header, order.lines.clone()))
    }

    pub async fn add_line(&self, order: &NavSalesOrder, line: &SalesLineDraft, rec: &Recorder) -> AdapterResult<NavSalesLine> {
        let url = format!("{}{}/SalesOrderSalesLines", self.url(&self.names.sales_order), order_key(&order.number));
        let created: PageLine = self.send(Method::POST, url, Some(&line_body(line)), None, rec).await?.json(System::Nav)?;
        Ok(created.into_nav())
    }

    pub async fn delete_line(&self, order: &NavSalesOrder, line: &NavSalesLine, rec: &Recorder) -> AdapterResult<()> {
        let url = format!(
            "{}{}/SalesOrderSalesLines(Document_Type='Order',Document_No={},Line_No={})",
            self.url(&self.names.sales_order),
            order_key(&order.number),
            encode(&quoted(&order.number)),
            line.sequence
        );
        self.send(Method::DELETE, url, None, Some("*"), rec).await.map(|_| ())
    }

    pub async fn delete_sales_order(&self, order: &NavSalesOrder, rec: &Recorder) -> AdapterResult<()> {
        let url = format!("{}{}", self.url(&self.names.sales_order), order_key(&order.number));
        self.send(Method::DELETE, url, None, Some(order.etag.as_deref().unwrap_or("*")), rec).await.map(|_| ())
    }
}

fn page_item(item: PageItem) -> CatalogItem {
    // Pages have no SystemId; the item number is the key.
    CatalogItem { id: item.no.clone(), number: item.no, gtin: item.gtin, display_name: item.description, blocked: item.blocked }
}

fn page_order(order: PageOrder, lines: Option<Vec<NavSalesLine>>) -> NavSalesOrder {
    NavSalesOrder {
        id: order.no.clone(),
        number: order.no,
        external_document_number: order.external_document_no,
        customer_number: order.customer_no,
        etag: order.etag,
        total_including_tax: None,
        total_excluding_tax: None,
        lines,
    }
}

/// Stock reads for the inventory flow (`flows/inventory`): the Item Card's `Inventory` FlowField
/// with `Location_Filter` / `Variant_Filter` (what API v2.0 cannot give), and open web sales
/// orders with their lines' shipped quantities. Pages are handed to `sink` as they arrive.
impl NavPages {
    async fn each_page<T: serde::de::DeserializeOwned>(&self, first: String, rec: &Recorder, sink: Sink<'_, T>) -> AdapterResult<u32> {
        let mut next = Some(first);
        let mut requests = 0;
        while let Some(url) = next {
            let page: Collection<T> = self.send(Method::GET, url, None, None, rec).await?.json(System::Nav)?;
            requests += 1;
            next = page.next_link;
            sink(page.value);
        }
        Ok(requests)
    }

    pub async fn item_card_stock(&self, query: &StockQuery<'_>, rec: &Recorder, sink: Sink<'_, NavItemStock>) -> AdapterResult<u32> {
        let mut url = format!("{}?$select=No,GTIN,Description,Blocked,Type,Inventory", self.url(&self.names.item));
        if let Some(filter) = query.page_filter() {
            url.push_str(&format!("&$filter={}", encode(&filter)));
        }
        self.each_page(url, rec, sink).await
    }

    /// Open sales orders whose external document number starts with `prefix` (all when empty).
    pub async fn open_sales_orders(&self, prefix: &str, rec: &Recorder, sink: Sink<'_, OpenSalesOrder>) -> AdapterResult<u32> {
        let mut url = format!(
            "{}?$select=No,External_Document_No&$expand={}",
            self.url(&self.names.sales_order),
            encode("SalesOrderSalesLines($select=Type,No,Variant_Code,Quantity,Quantity_Shipped)")
        );
        if !prefix.is_empty() {
            url.push_str(&format!("&$filter={}", encode(&format!("startswith(External_Document_No,{})", quoted(prefix)))));
        }
        self.each_page(url, rec, sink).await
    }
}
