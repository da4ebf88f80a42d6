//! Customers on API v2.0 for the two-way customer sync: one customer with its ETag, a PATCH with
//! If-Match, a create with payment terms and method (by code → id), and the paged reads the NAV →
//! WooCommerce poll (`lastModifiedDateTime` cursor) and first-run linking need. The flows reach
//! them through `adapter::customers`, which adds the Ship-to Address record (not in API v2.0).

use reqwest::Method;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::ledger::Sink;
use super::BcApi;
use crate::adapter::http::Recorder;
use crate::adapter::odata::{encode, quoted, Collection};
use crate::adapter::{AdapterError, AdapterResult, System};
use crate::config::CustomerField;
use crate::mapper::customer_card::{CardAddress, CustomerCard, SHARED};

/// API v2.0 customer properties for these fields of the card (Ship-to is not an API field).
pub fn patch_body(card: &CustomerCard, fields: &[CustomerField]) -> Value {
    let mut body = Map::new();
    for field in fields {
        match field {
            // BC refuses a blank displayName on PATCH; the card never has one (see card_from_woo).
            CustomerField::Name => {
                body.insert("displayName".into(), json!(card.name));
            }
            CustomerField::Email => {
                body.insert("email".into(), json!(card.email));
            }
            CustomerField::Phone => {
                body.insert("phoneNumber".into(), json!(card.phone));
            }
            CustomerField::Address => {
                for (name, value) in super::wire::customer_address(&card.address) {
                    body.insert(name.into(), json!(value));
                }
            }
            CustomerField::TaxId => {
                body.insert("taxRegistrationNumber".into(), json!(card.tax_id));
            }
            CustomerField::ShipTo | CustomerField::PaymentTerms | CustomerField::PaymentMethod | CustomerField::CreditLimit => {}
        }
    }
    Value::Object(body)
}

const FIELDS: &str = "id,number,displayName,type,email,phoneNumber,addressLine1,addressLine2,city,state,postalCode,country,taxRegistrationNumber,lastModifiedDateTime";

/// A NAV customer as the customer sync sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct NavCustomerCard {
    pub id: String,
    pub number: String,
    pub etag: Option<String>,
    /// `lastModifiedDateTime` exactly as BC wrote it (the poll's cursor).
    pub last_modified: String,
    pub card: CustomerCard,
    /// ETag of the Ship-to Address record in `card.ship_to` (when one was read).
    pub ship_to_etag: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ApiCustomerCard {
    id: String,
    number: String,
    #[serde(rename = "@odata.etag", default)]
    etag: Option<String>,
    #[serde(default)]
    display_name: String,
    #[serde(rename = "type", default)]
    kind: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    phone_number: String,
    #[serde(default)]
    address_line1: String,
    #[serde(default)]
    address_line2: String,
    #[serde(default)]
    city: String,
    #[serde(default)]
    state: String,
    #[serde(default)]
    postal_code: String,
    #[serde(default)]
    country: String,
    #[serde(default)]
    tax_registration_number: String,
    #[serde(default)]
    last_modified_date_time: String,
}

impl ApiCustomerCard {
    fn into_card(self) -> NavCustomerCard {
        NavCustomerCard {
            id: self.id,
            number: self.number,
            etag: self.etag,
            last_modified: self.last_modified_date_time,
            card: CustomerCard {
                name: self.display_name,
                person: self.kind == "Person",
                email: self.email,
                phone: self.phone_number,
                address: CardAddress {
                    line1: self.address_line1,
                    line2: self.address_line2,
                    city: self.city,
                    state: self.state,
                    post_code: self.postal_code,
                    country: self.country,
                },
                tax_id: self.tax_registration_number,
                ship_to: None,
            },
            ship_to_etag: None,
        }
    }
}

/// What a new customer gets besides its card.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NewCustomerTerms {
    pub currency_code: Option<String>,
    pub payment_terms: Option<String>,
    pub payment_method: Option<String>,
    /// Customer Card fields API v2.0 lacks, chosen by the rules (codes).
    pub price_group: Option<String>,
    pub posting_groups: crate::config::PostingGroups,
}

impl NewCustomerTerms {
    /// Whether the new customer needs the Customer Card page (fields API v2.0 lacks).
    pub fn needs_card_page(&self) -> bool {
        self.price_group.is_some() || !self.posting_groups.is_empty()
    }
}

impl BcApi {
    /// One customer by number (`None` when NAV has none).
    pub async fn customer_card(&self, number: &str, rec: &Recorder) -> AdapterResult<Option<NavCustomerCard>> {
        let base = self.company_url(rec).await?;
        let filter = encode(&format!("number eq {}", quoted(number)));
        let found: Collection<ApiCustomerCard> = self.get_json(format!("{base}/customers?$filter={filter}&$select={FIELDS}"), rec).await?;
        Ok(found.value.into_iter().next().map(ApiCustomerCard::into_card))
    }

    /// PATCHes the API fields of `card` named in `fields`, with the customer's ETag (no request
    /// when none of them is an API field). The ship-to record is left as it was.
    pub async fn patch_customer(&self, current: &NavCustomerCard, card: &CustomerCard, fields: &[CustomerField], rec: &Recorder) -> AdapterResult<NavCustomerCard> {
        let body = patch_body(card, fields);
        if body.as_object().is_some_and(|b| b.is_empty()) {
            return Ok(current.clone());
        }
        let url = format!("{}/customers({})", self.company_url(rec).await?, current.id);
        let answer = self.send(Method::PATCH, url, Some(&body), Some(current.etag.as_deref().unwrap_or("*")), rec).await?;
        let mut updated = answer.json::<ApiCustomerCard>(System::Nav)?.into_card();
        updated.card.ship_to = current.card.ship_to.clone();
        updated.ship_to_etag = current.ship_to_etag.clone();
        Ok(updated)
    }

    /// Creates a customer from a card; payment terms and method are given as codes and sent as
    /// the ids API v2.0 wants (one lookup each).
    pub async fn create_customer_card(&self, card: &CustomerCard, terms: &NewCustomerTerms, rec: &Recorder) -> AdapterResult<NavCustomerCard> {
        let base = self.company_url(rec).await?;
        let mut body = patch_body(card, &SHARED);
        if let Value::Object(map) = &mut body {
            map.retain(|_, v| v.as_str().is_none_or(|s| !s.is_empty()));
            map.insert("type".into(), json!(if card.person { "Person" } else { "Company" }));
            if let Some(currency) = &terms.currency_code {
                map.insert("currencyCode".into(), json!(currency));
            }
            if let Some(code) = &terms.payment_terms {
                map.insert("paymentTermsId".into(), json!(self.master_id(&base, "paymentTerms", code, rec).await?));
            }
            if let Some(code) = &terms.payment_method {
                map.insert("paymentMethodId".into(), json!(self.master_id(&base, "paymentMethods", code, rec).await?));
            }
        }
        let answer = self.send(Method::POST, format!("{base}/customers"), Some(&body), None, rec).await?;
        Ok(answer.json::<ApiCustomerCard>(System::Nav)?.into_card())
    }

    /// The id of a payment terms / payment method code, looked up once per code and kept (codes
    /// are master data; a code deleted in NAV makes the create fail and the job retry the lookup).
    pub(super) async fn master_id(&self, base: &str, set: &str, code: &str, rec: &Recorder) -> AdapterResult<String> {
        #[derive(Deserialize)]
        struct Master {
            id: String,
        }
        let key = format!("{base}/{set}/{}", crate::model::nav::code(code));
        if let Some(id) = self.master_ids.lock().unwrap_or_else(|p| p.into_inner()).get(&key) {
            return Ok(id.clone());
        }
        let filter = encode(&format!("code eq {}", quoted(code)));
        let found: Collection<Master> = self.get_json(format!("{base}/{set}?$filter={filter}&$select=id"), rec).await?;
        let id = found
            .value
            .into_iter()
            .next()
            .map(|m| m.id)
            .ok_or_else(|| AdapterError::NotFound { system: System::Nav, what: format!("{set} code {code:?} (see customers.payment_terms / payment_methods)") })?;
        self.master_ids.lock().unwrap_or_else(|p| p.into_inner()).insert(key, id.clone());
        Ok(id)
    }

    /// The newest `lastModifiedDateTime` of any customer (where the poll starts on first run).
    pub async fn newest_customer_change(&self, rec: &Recorder) -> AdapterResult<Option<String>> {
        let base = self.company_url(rec).await?;
        let url = format!("{base}/customers?$select=number,lastModifiedDateTime&$orderby=lastModifiedDateTime%20desc&$top=1");
        let found: Collection<Value> = self.get_json(url, rec).await?;
        Ok(found.value.first().and_then(|c| c.get("lastModifiedDateTime")).and_then(Value::as_str).map(String::from))
    }

    /// Customers changed at or after `since`, oldest first, page by page; returns the requests.
    /// `ge`, not `gt`: another change stamped with the same instant may commit after we read;
    /// the boundary customers come again and their fingerprints show them unchanged.
    pub async fn customers_changed_since(&self, since: &str, rec: &Recorder, sink: Sink<'_, NavCustomerCard>) -> AdapterResult<u32> {
        let base = self.company_url(rec).await?;
        let filter = encode(&format!("lastModifiedDateTime ge {since}"));
        let url = format!("{base}/customers?$filter={filter}&$orderby=lastModifiedDateTime&$select={FIELDS}");
        self.customer_pages(url, rec, sink).await
    }

    /// Every customer, page by page (first-run linking); returns the requests.
    pub async fn all_customers(&self, rec: &Recorder, sink: Sink<'_, NavCustomerCard>) -> AdapterResult<u32> {
        let base = self.company_url(rec).await?;
        self.customer_pages(format!("{base}/customers?$select={FIELDS}"), rec, sink).await
    }

    async fn customer_pages(&self, first: String, rec: &Recorder, sink: Sink<'_, NavCustomerCard>) -> AdapterResult<u32> {
        let prefer = format!("odata.maxpagesize={}", super::PAGE_SIZE);
        let mut next = Some(first);
        let mut requests = 0;
        while let Some(url) = next {
            let page: Collection<ApiCustomerCard> = self.send_with(Method::GET, url, None, None, Some(&prefer), rec).await?.json(System::Nav)?;
            requests += 1;
            next = page.next_link;
            sink(page.value.into_iter().map(ApiCustomerCard::into_card).collect());
        }
        Ok(requests)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patches_carry_only_the_fields_that_move() {
        let card = CustomerCard { phone: "+31 30 123 4567".into(), tax_id: "NL123456789B01".into(), name: "Trader & Sons".into(), ..CustomerCard::default() };
        let body = patch_body(&card, &[CustomerField::Phone, CustomerField::TaxId, CustomerField::ShipTo]);
        assert_eq!(body, json!({"phoneNumber": "+31 30 123 4567", "taxRegistrationNumber": "NL123456789B01"}));
    }
}
