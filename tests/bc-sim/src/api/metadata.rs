//! `$metadata`: an EDMX document generated from the entity set definitions the simulator serves
//! (API v2.0 in namespace `Microsoft.NAV`, page web services in namespace `NAV`), so it always
//! says exactly what the simulator accepts.

use std::fmt::Write;

use crate::odata::schema::{EnumDef, SetDef};

/// Bound actions: (action, entity type it binds to).
pub const API_ACTIONS: &[(&str, &str)] = &[
    ("shipAndInvoice", "salesOrder"),
    ("post", "salesInvoice"),
    ("postAndSend", "salesInvoice"),
    ("send", "salesInvoice"),
    ("cancel", "salesInvoice"),
    ("cancelAndSend", "salesInvoice"),
    ("makeCorrectiveCreditMemo", "salesInvoice"),
    ("post", "salesCreditMemo"),
    ("postAndSend", "salesCreditMemo"),
    ("send", "salesCreditMemo"),
    ("cancel", "salesCreditMemo"),
    ("cancelAndSend", "salesCreditMemo"),
];

/// The EDMX document for a set of entity sets.
pub fn edmx(namespace: &str, sets: &[&'static SetDef], enums: &[&EnumDef], actions: &[(&str, &str)]) -> String {
    let mut xml = String::from(
        r#"<?xml version="1.0" encoding="utf-8"?><edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices>"#,
    );
    let _ = write!(xml, r#"<Schema Namespace="{namespace}" xmlns="http://docs.oasis-open.org/odata/ns/edm">"#);
    for def in enums {
        let _ = write!(xml, r#"<EnumType Name="{}">"#, def.name);
        for (member, value) in def.members {
            let _ = write!(xml, r#"<Member Name="{member}" Value="{value}" />"#);
        }
        xml.push_str("</EnumType>");
    }
    let type_of = |set_name: &str| -> String {
        sets.iter().find(|s| s.name == set_name).map(|s| s.type_name).unwrap_or(set_name).to_string()
    };
    for set in sets {
        let _ = write!(xml, r#"<EntityType Name="{}"><Key>"#, set.type_name);
        for key in set.key {
            let _ = write!(xml, r#"<PropertyRef Name="{key}" />"#);
        }
        xml.push_str("</Key>");
        for prop in set.props {
            let ty = prop.ty.edm_name().replace("Microsoft.NAV.", &format!("{namespace}."));
            let _ = write!(xml, r#"<Property Name="{}" Type="{ty}""#, prop.name);
            if !prop.nullable {
                xml.push_str(r#" Nullable="false""#);
            }
            if prop.max > 0 {
                let _ = write!(xml, r#" MaxLength="{}""#, prop.max);
            }
            xml.push_str(" />");
        }
        for nav in set.navs {
            let target = format!("{namespace}.{}", type_of(nav.target));
            let ty = if nav.many { format!("Collection({target})") } else { target };
            let _ = write!(xml, r#"<NavigationProperty Name="{}" Type="{ty}" ContainsTarget="true" />"#, nav.name);
        }
        xml.push_str("</EntityType>");
    }
    for (action, binding) in actions {
        let _ = write!(
            xml,
            r#"<Action Name="{action}" IsBound="true"><Parameter Name="{binding}" Type="{namespace}.{binding}" /></Action>"#
        );
    }
    xml.push_str(r#"<EntityContainer Name="default">"#);
    for set in sets {
        let _ = write!(xml, r#"<EntitySet Name="{}" EntityType="{namespace}.{}" />"#, set.name, set.type_name);
    }
    xml.push_str("</EntityContainer></Schema></edmx:DataServices></edmx:Edmx>");
    xml
}
