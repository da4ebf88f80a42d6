//! Customers on the legacy Customer Card page (21) for the two-way customer sync: one customer
//! with its ETag, a PATCH with If-Match, a create with payment terms and method (the page takes
//! the codes themselves), and the reads by `Last_Date_Modified` — a date, not a time: page 21
//! has nothing finer, so the poll re-reads whole days and the fingerprints keep them quiet.

use reqwest::Method;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::{page_address, NavPages, PageAddress};
use crate::adapter::bc_api::customers::{NavCustomerCard, NewCustomerTerms};
use crate::adapter::bc_api::ledger::Sink;
use crate::adapter::http::Recorder;
use crate::adapter::odata::{encode, quoted, Collection};
use crate::adapter::{AdapterError, AdapterResult, System};
use crate::config::CustomerField;
use crate::mapper::customer_card::{CustomerCard, SHARED};

const FIELDS: &str = "No,Name,E_Mail,Phone_No,Address,Address_2,City,County,Post_Code,Country_Region_Code,VAT_Registration_No,Last_Date_Modified";

#[derive(Debug, Deserialize)]
struct PageCustomerCard {
    #[serde(rename = "No")]
    no: String,
    #[serde(rename = "@odata.etag", default)]
    etag: Option<String>,
    #[serde(rename = "Name", default)]
    name: String,
    #[serde(rename = "E_Mail", default)]
    email: String,
    #[serde(rename = "Phone_No", default)]
    phone: String,
    #[serde(flatten)]
    address: PageAddress,
    #[serde(rename = "VAT_Registration_No", default)]
    vat: String,
    #[serde(rename = "Last_Date_Modified", default)]
    last_date_modified: String,
}

impl PageCustomerCard {
    fn into_card(self) -> NavCustomerCard {
        NavCustomerCard {
            // Pages have no SystemId: the number is the key.
            id: self.no.clone(),
            number: self.no,
            etag: self.etag,
            last_modified: self.last_date_modified,
            card: CustomerCard {
                name: self.name,
                // Page 21 as published here shows no Contact Type; only a creation uses it.
                person: false,
                email: self.email,
                phone: self.phone,
                address: self.address.card(),
                tax_id: self.vat,
                ship_to: None,
            },
            ship_to_etag: None,
        }
    }
}

/// Customer Card fields for these fields of the card (Ship-to is its own page).
fn patch_body(card: &CustomerCard, fields: &[CustomerField]) -> Map<String, Value> {
    let mut body = Map::new();
    for field in fields {
        let pairs: Vec<(&str, &str)> = match field {
            CustomerField::Name => vec![("Name", &card.name)],
            CustomerField::Email => vec![("E_Mail", &card.email)],
            CustomerField::Phone => vec![("Phone_No", &card.phone)],
            CustomerField::Address => page_address(&card.address).to_vec(),
            CustomerField::TaxId => vec![("VAT_Registration_No", &card.tax_id)],
            CustomerField::ShipTo | CustomerField::PaymentTerms | CustomerField::PaymentMethod | CustomerField::CreditLimit => Vec::new(),
        };
        for (name, value) in pairs {
            body.insert(name.into(), json!(value));
        }
    }
    body
}

impl NavPages {
    fn customer_url(&self, number: &str) -> String {
        format!("{}({})", self.url(&self.names.customer), encode(&quoted(number)))
    }

    /// One customer by number (`None` when NAV has none).
    pub async fn customer_card(&self, number: &str, rec: &Recorder) -> AdapterResult<Option<NavCustomerCard>> {
        let url = format!("{}?$select={FIELDS}", self.customer_url(number));
        match self.send(Method::GET, url, None, None, rec).await {
            Ok(answer) => Ok(Some(answer.json::<PageCustomerCard>(System::Nav)?.into_card())),
            Err(AdapterError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// PATCHes the page fields of `card` named in `fields` with the customer's ETag (no request
    /// when none is a Customer Card field).
    pub async fn patch_customer(&self, current: &NavCustomerCard, card: &CustomerCard, fields: &[CustomerField], rec: &Recorder) -> AdapterResult<NavCustomerCard> {
        let body = patch_body(card, fields);
        if body.is_empty() {
            return Ok(current.clone());
        }
        let answer = self
            .send(Method::PATCH, self.customer_url(&current.number), Some(&Value::Object(body)), Some(current.etag.as_deref().unwrap_or("*")), rec)
            .await?;
        let mut updated = answer.json::<PageCustomerCard>(System::Nav)?.into_card();
        updated.card.ship_to = current.card.ship_to.clone();
        updated.ship_to_etag = current.ship_to_etag.clone();
        Ok(updated)
    }

    /// Creates a customer from a card, with the payment terms and method codes.
    pub async fn create_customer_card(&self, card: &CustomerCard, terms: &NewCustomerTerms, rec: &Recorder) -> AdapterResult<NavCustomerCard> {
        let mut body = patch_body(card, &SHARED);
        body.retain(|_, v| v.as_str().is_none_or(|s| !s.is_empty()));
        for (field, code) in [("Currency_Code", &terms.currency_code), ("Payment_Terms_Code", &terms.payment_terms), ("Payment_Method_Code", &terms.payment_method)] {
            if let Some(code) = code {
                body.insert(field.into(), json!(crate::model::nav::code(code)));
            }
        }
        super::add_card_page_fields(&mut body, terms.price_group.as_deref(), &terms.posting_groups);
        let answer = self.send(Method::POST, self.url(&self.names.customer), Some(&Value::Object(body)), None, rec).await?;
        Ok(answer.json::<PageCustomerCard>(System::Nav)?.into_card())
    }

    /// Customers whose `Last_Date_Modified` is on or after `date` (YYYY-MM-DD), page by page;
    /// returns the requests.
    pub async fn customers_modified_since(&self, date: &str, rec: &Recorder, sink: Sink<'_, NavCustomerCard>) -> AdapterResult<u32> {
        let filter = encode(&format!("Last_Date_Modified ge {date}"));
        // Oldest first: a run that stops at a customer leaves the cursor before it.
        let url = format!("{}?$filter={filter}&$orderby=Last_Date_Modified,No&$select={FIELDS}", self.url(&self.names.customer));
        self.customer_pages(url, rec, sink).await
    }

    /// Every customer, page by page (first-run linking); returns the requests.
    pub async fn all_customer_cards(&self, rec: &Recorder, sink: Sink<'_, NavCustomerCard>) -> AdapterResult<u32> {
        self.customer_pages(format!("{}?$select={FIELDS}", self.url(&self.names.customer)), rec, sink).await
    }

    async fn customer_pages(&self, first: String, rec: &Recorder, sink: Sink<'_, NavCustomerCard>) -> AdapterResult<u32> {
        let mut next = Some(first);
        let mut requests = 0;
        while let Some(url) = next {
            let page: Collection<PageCustomerCard> = self.send(Method::GET, url, None, None, rec).await?.json(System::Nav)?;
            requests += 1;
            next = page.next_link;
            sink(page.value.into_iter().map(PageCustomerCard::into_card).collect());
        }
        Ok(requests)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_patches_use_page_field_names_and_leave_ship_to_out() {
        let card = CustomerCard { phone: "+31 30 123 4567".into(), tax_id: "NL1".into(), ..CustomerCard::default() };
        let body = patch_body(&card, &[CustomerField::Phone, CustomerField::TaxId, CustomerField::ShipTo]);
        assert_eq!(Value::Object(body), json!({"Phone_No": "+31 30 123 4567", "VAT_Registration_No": "NL1"}));
    }
}
