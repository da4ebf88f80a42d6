//! Rule evaluation: the first rule whose conditions all hold chooses the dimensions and price group.

use crate::config::{Conditions, Decision, Rule};
use crate::model::woo::Order;

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct RuleOutcome {
    /// The matched rule's name; `None` when no rule matched.
    pub rule: Option<String>,
    pub decision: Decision,
    /// Why each rule before the match did not match, for the audit.
    pub skipped: Vec<String>,
}

pub fn evaluate_rules(rules: &[Rule], order: &Order) -> RuleOutcome {
    let mut skipped = Vec::new();
    for rule in rules {
        match first_unmet(&rule.when, order) {
            None => return RuleOutcome { rule: Some(rule.name.clone()), decision: rule.then.clone(), skipped },
            Some(reason) => skipped.push(format!("{}: {reason}", rule.name)),
        }
    }
    RuleOutcome { rule: None, decision: Decision::default(), skipped }
}

fn any_of(list: &[String], value: &str) -> bool {
    list.is_empty() || list.iter().any(|v| v.eq_ignore_ascii_case(value.trim()))
}

/// The first condition that does not hold, in words; `None` when all hold.
fn first_unmet(when: &Conditions, order: &Order) -> Option<String> {
    if !any_of(&when.created_via, &order.created_via) {
        return Some(format!("created_via is {:?}", order.created_via));
    }
    if !any_of(&when.payment_method, &order.payment_method) {
        return Some(format!("payment method is {:?}", order.payment_method));
    }
    if !any_of(&when.status, &order.status) {
        return Some(format!("status is {:?}", order.status));
    }
    for (key, expected) in &when.meta {
        let actual = order.meta(key);
        if actual.as_deref() != Some(expected.as_str()) {
            return Some(format!("meta {key} is {actual:?}"));
        }
    }
    if !when.role.is_empty() && !order.customer_roles.iter().any(|r| any_of(&when.role, r)) {
        return Some(format!("customer roles are {:?}", order.customer_roles));
    }
    if !when.email_domain.is_empty() {
        let domain = order.billing.email.rsplit_once('@').map(|(_, d)| d.to_lowercase()).unwrap_or_default();
        if !when.email_domain.iter().any(|d| d.trim_start_matches('@').eq_ignore_ascii_case(&domain)) {
            return Some(format!("e-mail domain is {domain:?}"));
        }
    }
    if let Some(kind) = &when.customer {
        let actual = if order.is_guest() { "guest" } else { "registered" };
        if !kind.eq_ignore_ascii_case(actual) {
            return Some(format!("customer is {actual}"));
        }
    }
    if !any_of(&when.country, &order.billing.country) {
        return Some(format!("billing country is {:?}", order.billing.country));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn rule(name: &str, when: Conditions, dims: &[(&str, &str)], group: Option<&str>) -> Rule {
        Rule {
            name: name.into(),
            when,
            then: Decision {
                dimensions: dims.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<BTreeMap<_, _>>(),
                price_group: group.map(String::from),
                ..Decision::default()
            },
        }
    }

    fn rules() -> Vec<Rule> {
        vec![
            rule(
                "Trade",
                Conditions { role: vec!["wholesale_customer".into()], ..Default::default() },
                &[("CHANNEL", "B2B")],
                Some("TRADE"),
            ),
            rule(
                "Trade by domain",
                Conditions { email_domain: vec!["trade.example".into()], ..Default::default() },
                &[("CHANNEL", "B2B")],
                Some("TRADE"),
            ),
            rule(
                "Marketplace",
                Conditions { meta: [("_marketplace".to_string(), "amazon".to_string())].into(), ..Default::default() },
                &[("CHANNEL", "MARKETPLACE")],
                None,
            ),
            rule("Web", Conditions { created_via: vec!["checkout".into(), "store-api".into()], ..Default::default() }, &[("CHANNEL", "WEB")], Some("RETAIL")),
        ]
    }

    fn order(json: serde_json::Value) -> Order {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn first_match_wins_and_skips_are_explained() {
        let o = order(serde_json::json!({"id": 1, "created_via": "checkout", "billing": {"email": "tom@Trade.Example"}}));
        let outcome = evaluate_rules(&rules(), &o);
        assert_eq!(outcome.rule.as_deref(), Some("Trade by domain"));
        assert_eq!(outcome.decision.price_group.as_deref(), Some("TRADE"));
        assert_eq!(outcome.skipped.len(), 1);
        assert!(outcome.skipped[0].contains("roles"), "{:?}", outcome.skipped);
    }

    #[test]
    fn source_and_meta_and_segment_conditions() {
        let by_role = order(serde_json::json!({"id": 1, "created_via": "checkout", "customer_id": 3, "customer_roles": ["wholesale_customer"]}));
        assert_eq!(evaluate_rules(&rules(), &by_role).rule.as_deref(), Some("Trade"));
        let marketplace = order(serde_json::json!({"id": 1, "created_via": "rest-api", "meta_data": [{"key": "_marketplace", "value": "amazon"}]}));
        assert_eq!(evaluate_rules(&rules(), &marketplace).decision.dimensions["CHANNEL"], "MARKETPLACE");
        let web = order(serde_json::json!({"id": 1, "created_via": "store-api"}));
        assert_eq!(evaluate_rules(&rules(), &web).rule.as_deref(), Some("Web"));
        let admin = order(serde_json::json!({"id": 1, "created_via": "admin"}));
        let none = evaluate_rules(&rules(), &admin);
        assert_eq!(none.rule, None);
        assert!(none.decision.dimensions.is_empty());
        assert_eq!(none.skipped.len(), 4);
    }

    #[test]
    fn guest_and_country_conditions() {
        let rules = vec![rule(
            "EU guests",
            Conditions { customer: Some("guest".into()), country: vec!["DE".into(), "NL".into()], ..Default::default() },
            &[("CUSTOMERGROUP", "RETAIL")],
            None,
        )];
        let guest_de = order(serde_json::json!({"id": 1, "customer_id": 0, "billing": {"country": "de"}}));
        assert!(evaluate_rules(&rules, &guest_de).rule.is_some());
        let registered = order(serde_json::json!({"id": 1, "customer_id": 5, "billing": {"country": "DE"}}));
        assert!(evaluate_rules(&rules, &registered).rule.is_none());
    }
}
