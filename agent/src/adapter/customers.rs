//! Customers for the two-way sync over both ways to reach NAV: the BC API v2.0 (`bc_api::customers`)
//! and the legacy Customer Card page (`nav_pages::customers`), plus the Ship-to Address record
//! (page 300 on either: API v2.0 has none) that holds the WooCommerce shipping address when
//! `customers.ship_to_code` is set. Change marks differ: API v2.0 has `lastModifiedDateTime`, the
//! pages a `Last Date Modified` date; the poll's cursor is whichever this NAV gives.

use chrono::{Datelike, Duration, NaiveDate, Utc};

use super::bc_api::customers::{NavCustomerCard, NewCustomerTerms};
use super::bc_api::ledger::Sink;
use super::http::Recorder;
use super::nav::Nav;
use super::nav_pages::{NavPages, PageShipTo};
use super::AdapterResult;
use crate::config::CustomerField;
use crate::mapper::customer_card::CustomerCard;

impl Nav {
    /// Page web services: on their own, or beside the API for what it lacks.
    pub fn page_services(&self) -> &NavPages {
        match self {
            Nav::Api(api) => api.pages(),
            Nav::Pages(pages) => pages,
        }
    }

    /// One customer by number (`None` when NAV has none), with its Ship-to Address record
    /// `ship_to_code` when given.
    pub async fn customer_card(&self, number: &str, ship_to_code: Option<&str>, rec: &Recorder) -> AdapterResult<Option<NavCustomerCard>> {
        let found = match self {
            Nav::Api(api) => api.customer_card(number, rec).await?,
            Nav::Pages(pages) => pages.customer_card(number, rec).await?,
        };
        let Some(mut customer) = found else { return Ok(None) };
        if let Some(code) = ship_to_code {
            self.read_ship_to(&mut customer, code, rec).await?;
        }
        Ok(Some(customer))
    }

    /// Fills in the customer's Ship-to Address record `code` (none: `None`).
    pub async fn read_ship_to(&self, customer: &mut NavCustomerCard, code: &str, rec: &Recorder) -> AdapterResult<()> {
        let found = self.page_services().ship_to(&customer.number, code, rec).await?;
        customer.ship_to_etag = found.as_ref().and_then(|(_, etag)| etag.clone());
        customer.card.ship_to = found.map(|(ship_to, _)| ship_to);
        Ok(())
    }

    /// Writes the fields of `card` named in `fields`: the customer's own with its ETag, the
    /// shipping address to the Ship-to Address record `ship_to_code` (created when missing). A
    /// shipping address removed in WooCommerce leaves NAV's record alone: open documents may use
    /// it (`mapper::customer_card::reconcile` does not ask for it).
    pub async fn update_customer_card(&self, current: &NavCustomerCard, card: &CustomerCard, fields: &[CustomerField], ship_to_code: Option<&str>, rec: &Recorder) -> AdapterResult<NavCustomerCard> {
        let mut updated = match self {
            Nav::Api(api) => api.patch_customer(current, card, fields, rec).await?,
            Nav::Pages(pages) => pages.patch_customer(current, card, fields, rec).await?,
        };
        if let (true, Some(code), Some(ship_to)) = (fields.contains(&CustomerField::ShipTo), ship_to_code, &card.ship_to) {
            let if_match = current.card.ship_to.is_some().then(|| current.ship_to_etag.as_deref().unwrap_or("*"));
            updated.ship_to_etag = self.page_services().put_ship_to(&current.number, code, ship_to, if_match, rec).await?;
            updated.card.ship_to = Some(ship_to.clone());
        }
        Ok(updated)
    }

    /// Creates a customer from a card, and its Ship-to Address record when it has a shipping
    /// address and `ship_to_code` is given.
    pub async fn create_customer_card(&self, card: &CustomerCard, terms: &NewCustomerTerms, ship_to_code: Option<&str>, rec: &Recorder) -> AdapterResult<NavCustomerCard> {
        let mut created = match self {
            // Fields API v2.0 lacks go with the creation through the Customer Card, so a code NAV
            // refuses creates nothing; the API's view (id, ETag) is read after.
            Nav::Api(api) if terms.needs_card_page() => {
                let made = api.pages().create_customer_card(card, terms, rec).await?;
                api.customer_card(&made.number, rec).await?.ok_or_else(|| super::AdapterError::NotFound {
                    system: super::System::Nav,
                    what: format!("customer {} just created through the Customer Card", made.number),
                })?
            }
            Nav::Api(api) => api.create_customer_card(card, terms, rec).await?,
            Nav::Pages(pages) => pages.create_customer_card(card, terms, rec).await?,
        };
        if let (Some(code), Some(ship_to)) = (ship_to_code, &card.ship_to) {
            created.ship_to_etag = self.page_services().put_ship_to(&created.number, code, ship_to, None, rec).await?;
            created.card.ship_to = Some(ship_to.clone());
        }
        Ok(created)
    }

    /// Where a first poll starts: now. API v2.0: the newest `lastModifiedDateTime` (an empty
    /// company: the beginning of time, as BC writes a blank DateTime). Pages: today's date.
    pub async fn customer_poll_start(&self, rec: &Recorder) -> AdapterResult<String> {
        match self {
            Nav::Api(api) => Ok(api.newest_customer_change(rec).await?.unwrap_or_else(|| "0001-01-01T00:00:00Z".into())),
            Nav::Pages(_) => Ok(Utc::now().date_naive().to_string()),
        }
    }

    /// Customers changed at or after the cursor, oldest first where NAV can sort; returns the
    /// requests.
    pub async fn customers_changed_since(&self, cursor: &str, rec: &Recorder, sink: Sink<'_, NavCustomerCard>) -> AdapterResult<u32> {
        match self {
            Nav::Api(api) => api.customers_changed_since(cursor, rec, sink).await,
            Nav::Pages(pages) => pages.customers_modified_since(&day_before(cursor), rec, sink).await,
        }
    }

    /// Ship-to Address records `code` modified on or after the cursor's day.
    pub async fn ship_tos_modified_since(&self, code: &str, cursor: &str, rec: &Recorder) -> AdapterResult<Vec<PageShipTo>> {
        self.page_services().ship_tos_modified_since(code, &day_before(cursor), rec).await
    }

    /// Every customer, page by page (first-run linking); returns the requests.
    pub async fn all_customers(&self, rec: &Recorder, sink: Sink<'_, NavCustomerCard>) -> AdapterResult<u32> {
        match self {
            Nav::Api(api) => api.all_customers(rec, sink).await,
            Nav::Pages(pages) => pages.all_customer_cards(rec, sink).await,
        }
    }
}

/// The day before a date cursor (or a DateTime cursor's date). NAV stamps `Last Date Modified`
/// with the server's local date, which may be a day behind UTC: one day earlier is re-read, and
/// the fingerprints keep those records quiet.
fn day_before(cursor: &str) -> String {
    let date = cursor.get(..10).and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()).unwrap_or_else(|| Utc::now().date_naive());
    date.checked_sub_signed(Duration::days(1)).filter(|d| d.year() >= 1).unwrap_or(date).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_cursors_reach_one_day_back() {
        assert_eq!(day_before("2026-03-01"), "2026-02-28");
        assert_eq!(day_before("2026-11-29T10:15:00Z"), "2026-11-28", "a cursor written by the API poll");
        assert_eq!(day_before("0001-01-01T00:00:00Z"), "0001-01-01", "OData dates start at year 1");
    }
}
