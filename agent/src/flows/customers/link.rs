//! First-run linking: every WooCommerce customer is matched to the NAV customer with its e-mail
//! (case-insensitive), reading both sides page by page. The report names matches, conflicts (the
//! customer or the NAV customer is already linked differently), duplicates (several NAV customers
//! share the e-mail: reported, never guessed) and customers without a NAV match. Writing stores
//! the new links with each side's current fingerprint: linking copies no data, the next change
//! on either side is synced from there.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use crate::adapter::bc_api::customers::NavCustomerCard;
use crate::adapter::http::Recorder;
use crate::mapper::customer_card::{card_fingerprint, card_from_woo};
use crate::model::woo::Customer;
use crate::runtime::Runtime;
use crate::store::bindings::{customer_key_for_id, CustomerLink};

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Match {
    pub woo_id: i64,
    pub email: String,
    pub nav_number: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LinkConflict {
    pub woo_id: i64,
    pub email: String,
    /// The NAV customer the e-mail matches.
    pub nav_number: String,
    pub reason: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Duplicate {
    pub woo_id: i64,
    pub email: String,
    pub nav_numbers: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Unmatched {
    pub woo_id: i64,
    pub email: String,
}

#[derive(Debug, Default, Serialize)]
pub struct LinkReport {
    pub woo_customers: usize,
    pub nav_customers: usize,
    pub matches: Vec<Match>,
    pub already_linked: usize,
    pub conflicts: Vec<LinkConflict>,
    pub duplicates: Vec<Duplicate>,
    pub unmatched: Vec<Unmatched>,
    pub woo_requests: u32,
    pub nav_requests: u32,
    /// The matches were stored as links (not a dry run).
    pub written: bool,
}

fn email_key(email: &str) -> String {
    email.trim().to_lowercase()
}

/// Matches by e-mail against the existing links (pure; `link_customers` does the reading).
pub fn plan_links(woo: &[Customer], nav: &[NavCustomerCard], existing: &[CustomerLink]) -> LinkReport {
    let mut by_email: HashMap<String, Vec<&NavCustomerCard>> = HashMap::new();
    for customer in nav.iter().filter(|c| !c.card.email.trim().is_empty()) {
        by_email.entry(email_key(&customer.card.email)).or_default().push(customer);
    }
    let linked: HashMap<&str, &CustomerLink> = existing.iter().map(|l| (l.link_key.as_str(), l)).collect();
    let mut nav_taken: BTreeMap<&str, i64> = BTreeMap::new();
    for link in existing {
        if let Some(id) = link.link_key.strip_prefix("id:").and_then(|id| id.parse().ok()) {
            nav_taken.insert(&link.nav_number, id);
        }
    }
    let mut report = LinkReport { woo_customers: woo.len(), nav_customers: nav.len(), ..LinkReport::default() };
    for customer in woo {
        let email = customer.email.trim().to_string();
        let candidates = by_email.get(&email_key(&email)).map(Vec::as_slice).unwrap_or_default();
        match candidates {
            [] => report.unmatched.push(Unmatched { woo_id: customer.id, email }),
            [nav_customer] => {
                let number = nav_customer.number.clone();
                match (linked.get(customer_key_for_id(customer.id).as_str()), nav_taken.get(number.as_str())) {
                    (Some(link), _) if link.nav_number == number => report.already_linked += 1,
                    (Some(link), _) => report.conflicts.push(LinkConflict {
                        woo_id: customer.id,
                        email,
                        nav_number: number,
                        reason: format!("already linked to NAV customer {}", link.nav_number),
                    }),
                    (None, Some(other)) => report.conflicts.push(LinkConflict {
                        woo_id: customer.id,
                        email,
                        reason: format!("NAV customer {number} is already linked to WooCommerce customer {other}"),
                        nav_number: number,
                    }),
                    (None, None) => report.matches.push(Match { woo_id: customer.id, email, nav_number: number }),
                }
            }
            several => report.duplicates.push(Duplicate { woo_id: customer.id, email, nav_numbers: several.iter().map(|c| c.number.clone()).collect() }),
        }
    }
    report
}

/// Reads both sides, plans, and (unless `dry_run`) stores the new links.
pub async fn link_customers(rt: &Runtime, dry_run: bool) -> anyhow::Result<LinkReport> {
    let (Some(nav), Some(woo)) = (&rt.nav, &rt.woo) else {
        anyhow::bail!("{}", rt.nav_problem.clone().or_else(|| rt.woo_problem.clone()).unwrap_or_default());
    };
    let rec = Recorder::default();
    let mut nav_customers: Vec<NavCustomerCard> = Vec::new();
    let nav_requests = nav.all_customers(&rec, &mut |page| nav_customers.extend(page)).await?;
    let mut woo_customers: Vec<Customer> = Vec::new();
    let mut page = 1;
    let mut woo_requests = 0;
    loop {
        let result = woo.customers_page(page, &rec).await?;
        woo_requests += 1;
        woo_customers.extend(result.items);
        if u64::from(page) >= result.total_pages {
            break;
        }
        page += 1;
    }
    let existing = rt.store.registered_customer_links()?;
    let mut report = plan_links(&woo_customers, &nav_customers, &existing);
    report.nav_requests = nav_requests;
    report.woo_requests = woo_requests;
    if dry_run || report.matches.is_empty() {
        return Ok(report);
    }
    let woo_by_id: HashMap<i64, &Customer> = woo_customers.iter().map(|c| (c.id, c)).collect();
    let nav_by_number: HashMap<&str, &NavCustomerCard> = nav_customers.iter().map(|c| (c.number.as_str(), c)).collect();
    let links: Vec<CustomerLink> = report
        .matches
        .iter()
        .map(|m| CustomerLink {
            link_key: customer_key_for_id(m.woo_id),
            nav_number: m.nav_number.clone(),
            nav_id: nav_by_number.get(m.nav_number.as_str()).map(|c| c.id.clone()),
            price_group: None,
            woo_fingerprint: woo_by_id.get(&m.woo_id).and_then(|c| card_from_woo(c, &rt.settings.customers).ok()).map(|card| card_fingerprint(&card)),
            nav_fingerprint: nav_by_number.get(m.nav_number.as_str()).map(|c| card_fingerprint(&c.card)),
        })
        .collect();
    rt.store.bind_customers(&links)?;
    report.written = true;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mapper::customer_card::CustomerCard;

    fn woo(id: i64, email: &str) -> Customer {
        serde_json::from_value(serde_json::json!({"id": id, "email": email})).unwrap()
    }

    fn nav(number: &str, email: &str) -> NavCustomerCard {
        NavCustomerCard {
            id: format!("guid-{number}"),
            number: number.into(),
            etag: None,
            last_modified: String::new(),
            card: CustomerCard { email: email.into(), ..CustomerCard::default() },
            ship_to_etag: None,
        }
    }

    fn link(woo_id: i64, number: &str) -> CustomerLink {
        CustomerLink { link_key: customer_key_for_id(woo_id), nav_number: number.into(), nav_id: None, price_group: None, woo_fingerprint: None, nav_fingerprint: None }
    }

    #[test]
    fn matches_conflicts_duplicates_and_unmatched_are_told_apart() {
        let woo_customers = [woo(2, "Jane.Doe@example.com"), woo(3, "tom@trade.example"), woo(4, "dup@example.com"), woo(5, "nobody@example.com"), woo(6, "amy@example.com"), woo(7, "bo@example.com")];
        let nav_customers = [nav("30000", "jane.doe@example.com"), nav("40000", "tom@trade.example"), nav("50000", "dup@example.com"), nav("50001", "DUP@example.com"), nav("60000", "amy@example.com"), nav("70000", "bo@example.com"), nav("80000", "")];
        let existing = [link(3, "99999"), link(6, "60000"), link(8, "70000")];
        let report = plan_links(&woo_customers, &nav_customers, &existing);
        assert_eq!(report.matches, vec![Match { woo_id: 2, email: "Jane.Doe@example.com".into(), nav_number: "30000".into() }], "case does not matter");
        assert_eq!(report.already_linked, 1);
        assert_eq!(report.conflicts.len(), 2, "{:?}", report.conflicts);
        assert!(report.conflicts[0].reason.contains("already linked to NAV customer 99999"));
        assert!(report.conflicts[1].reason.contains("already linked to WooCommerce customer 8"));
        assert_eq!(report.duplicates, vec![Duplicate { woo_id: 4, email: "dup@example.com".into(), nav_numbers: vec!["50000".into(), "50001".into()] }]);
        assert_eq!(report.unmatched, vec![Unmatched { woo_id: 5, email: "nobody@example.com".into() }]);
    }
}
