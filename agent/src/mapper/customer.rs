//! Which NAV customer an order belongs to: the linked customer (registered WooCommerce customer or
//! a guest e-mail seen before), the configured shared guest customer, or — found by e-mail, else
//! created from the billing address — a new link.

use crate::config::{GuestPolicy, OrderSettings};
use crate::model::nav::{code, CustomerDraft, PostalAddress};
use crate::model::woo::{Address, Order};
use crate::store::bindings::{customer_key_for_email, customer_key_for_id, CustomerLink};

use super::{fit, MappingError};

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub enum CustomerPlan {
    /// Already linked: no NAV request needed.
    Linked { number: String, price_group: Option<String> },
    /// Guest orders go to one shared customer; the order carries the buyer's address.
    SharedGuest { number: String },
    /// Look the e-mail up in NAV; create the customer from `draft` when nobody has it.
    FindOrCreate { link_key: String, email: String, draft: Box<CustomerDraft> },
}

/// The link key under which this order's customer is (or will be) bound.
pub fn link_key(order: &Order) -> String {
    if order.is_guest() {
        let email = order.billing.email.trim();
        if email.is_empty() {
            format!("order:{}", order.id)
        } else {
            customer_key_for_email(email)
        }
    } else {
        customer_key_for_id(order.customer_id)
    }
}

pub fn plan_customer(order: &Order, settings: &OrderSettings, link: Option<&CustomerLink>) -> Result<CustomerPlan, MappingError> {
    if let (true, GuestPolicy::Fixed { customer_number }) = (order.is_guest(), &settings.guests) {
        return Ok(CustomerPlan::SharedGuest { number: customer_number.clone() });
    }
    if let Some(link) = link {
        return Ok(CustomerPlan::Linked { number: link.nav_number.clone(), price_group: link.price_group.clone() });
    }
    Ok(CustomerPlan::FindOrCreate {
        link_key: link_key(order),
        email: order.billing.email.trim().to_string(),
        draft: Box::new(customer_draft(&order.billing, &order.currency)?),
    })
}

/// A NAV customer from a WooCommerce billing address (company name if given, else the person).
pub fn customer_draft(billing: &Address, currency: &str) -> Result<CustomerDraft, MappingError> {
    let company = billing.company.trim();
    let person = billing.full_name();
    let display_name = if company.is_empty() { person.clone() } else { company.to_string() };
    if display_name.is_empty() {
        return Err(MappingError::NoCustomerName);
    }
    Ok(CustomerDraft {
        display_name: fit(&display_name, 100),
        person: company.is_empty(),
        email: fit(billing.email.trim(), 80),
        phone: phone_number(&billing.phone),
        address: postal_address(billing, if company.is_empty() { "" } else { &person }),
        tax_registration_number: String::new(),
        currency_code: (!currency.trim().is_empty()).then(|| code(currency)),
        price_group: None,
        posting_groups: Default::default(),
        payment_terms: None,
        payment_method: None,
    })
}

/// NAV refuses letters in phone numbers ("cannot contain letters"): keep the number up to the
/// first letter (an extension like "ext. 9" is dropped), digits and punctuation only.
pub fn phone_number(phone: &str) -> String {
    let number: String = phone
        .chars()
        .take_while(|c| !c.is_alphabetic())
        .filter(|c| c.is_ascii_digit() || " +-()/.".contains(*c))
        .collect();
    fit(number.trim_end_matches(|c: char| !c.is_ascii_digit() && c != ')'), 30)
}

/// A NAV postal address from a WooCommerce one, cut to NAV's field lengths.
pub fn postal_address(address: &Address, contact: &str) -> PostalAddress {
    let name = if address.company.trim().is_empty() { address.full_name() } else { address.company.trim().to_string() };
    PostalAddress {
        name: fit(&name, 100),
        contact: fit(contact, 100),
        line1: fit(&address.address_1, 100),
        line2: fit(&address.address_2, 50),
        city: fit(&address.city, 30),
        state: fit(&address.state, 30),
        post_code: code(&fit(&address.postcode, 20)),
        country: code(&fit(&address.country, 10)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(guests: GuestPolicy) -> OrderSettings {
        let mut s = crate::config::load(&serde_json::json!({}), None, None).unwrap().orders;
        s.guests = guests;
        s
    }

    fn order(json: serde_json::Value) -> Order {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn guests_go_to_the_shared_customer_when_configured() {
        let o = order(serde_json::json!({"id": 5, "customer_id": 0, "billing": {"first_name": "A", "email": "a@x.example"}}));
        let plan = plan_customer(&o, &settings(GuestPolicy::Fixed { customer_number: "WEBGUEST".into() }), None).unwrap();
        assert_eq!(plan, CustomerPlan::SharedGuest { number: "WEBGUEST".into() });
    }

    #[test]
    fn a_linked_customer_needs_no_lookup() {
        let o = order(serde_json::json!({"id": 5, "customer_id": 2}));
        let link = CustomerLink { link_key: "id:2".into(), nav_number: "30000".into(), nav_id: None, price_group: Some("RETAIL".into()), woo_fingerprint: None, nav_fingerprint: None };
        let plan = plan_customer(&o, &settings(GuestPolicy::Create), Some(&link)).unwrap();
        assert_eq!(plan, CustomerPlan::Linked { number: "30000".into(), price_group: Some("RETAIL".into()) });
    }

    #[test]
    fn new_customers_are_drafted_from_billing() {
        let o = order(serde_json::json!({"id": 5, "customer_id": 0, "currency": "eur", "billing": {
            "first_name": "Tom", "last_name": "Trader", "company": "Trader & Sons", "address_1": "Oudegracht 1",
            "city": "Utrecht", "postcode": "3511 aa", "country": "nl", "email": "Tom@Trade.example", "phone": "+31 30 123 4567 ext. 9"}}));
        let CustomerPlan::FindOrCreate { link_key, email, draft } = plan_customer(&o, &settings(GuestPolicy::Create), None).unwrap() else {
            panic!("expected find-or-create")
        };
        assert_eq!(link_key, "email:tom@trade.example");
        assert_eq!(email, "Tom@Trade.example");
        assert_eq!(draft.display_name, "Trader & Sons");
        assert!(!draft.person);
        assert_eq!(draft.address.contact, "Tom Trader");
        assert_eq!(draft.address.post_code, "3511 AA");
        assert_eq!(draft.address.country, "NL");
        assert_eq!(draft.phone, "+31 30 123 4567", "the extension is dropped");
        assert_eq!(draft.currency_code.as_deref(), Some("EUR"));
    }

    #[test]
    fn long_fields_are_cut_to_nav_lengths_and_nameless_is_refused() {
        let long_city = "X".repeat(45);
        let o = order(serde_json::json!({"id": 5, "billing": {"first_name": "A", "city": long_city}}));
        let draft = customer_draft(&o.billing, "").unwrap();
        assert_eq!(draft.address.city.len(), 30);
        let nameless = order(serde_json::json!({"id": 6, "billing": {"email": "x@y"}}));
        assert_eq!(customer_draft(&nameless.billing, "").unwrap_err(), MappingError::NoCustomerName);
    }
}
