//! Matching WooCommerce line items to NAV items: by SKU = item number, by variation SKU =
//! `<item number><separator><variant code>`, or by GTIN — in the order the settings give. An
//! unknown SKU is an error that names it; nothing is silently dropped.

use crate::config::{OrderSettings, SkuMatch};
use crate::model::nav::code;
use crate::model::woo::LineItem;
use crate::store::catalog::{CatalogItem, CatalogVariant};

use super::MappingError;

/// Item lookups the mapper needs (the store implements it over its catalog cache).
pub trait CatalogLookup {
    fn item_by_number(&self, number: &str) -> Option<CatalogItem>;
    fn item_by_gtin(&self, gtin: &str) -> Option<CatalogItem>;
    fn variant(&self, item_number: &str, code: &str) -> Option<CatalogVariant>;
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct ItemMatch {
    pub item_number: String,
    pub variant_code: Option<String>,
    pub matched_by: &'static str,
}

/// NAV item numbers are Code[20], variant codes Code[10].
const ITEM_NUMBER_MAX: usize = 20;
const VARIANT_CODE_MAX: usize = 10;

pub fn match_item(line: &LineItem, index: usize, settings: &OrderSettings, catalog: &dyn CatalogLookup) -> Result<ItemMatch, MappingError> {
    let sku = line.sku.trim();
    let gtin = line.global_unique_id.trim();
    if sku.is_empty() && (gtin.is_empty() || !settings.sku_match.contains(&SkuMatch::Gtin)) {
        return Err(MappingError::MissingSku { line: index, name: line.name.clone() });
    }
    for strategy in &settings.sku_match {
        let found = match strategy {
            SkuMatch::Sku => by_number(sku, catalog).map(|item| (item, None, "sku")),
            SkuMatch::Variant => by_variant(sku, &settings.variant_separator, catalog).map(|(item, v)| (item, Some(v), "variant")),
            SkuMatch::Gtin => {
                let candidate = if gtin.is_empty() { sku } else { gtin };
                catalog.item_by_gtin(candidate).map(|item| (item, None, "gtin"))
            }
        };
        if let Some((item, variant_code, matched_by)) = found {
            if item.blocked {
                return Err(MappingError::BlockedItem { number: item.number, sku: sku.to_string(), line: index });
            }
            return Ok(ItemMatch { item_number: item.number, variant_code, matched_by });
        }
    }
    let mut also = Vec::new();
    if settings.sku_match.contains(&SkuMatch::Variant) {
        also.push(format!("no item and variant as <item>{}<variant>", settings.variant_separator));
    }
    if settings.sku_match.contains(&SkuMatch::Gtin) {
        also.push(if gtin.is_empty() { "no item with this GTIN".to_string() } else { format!("no item with GTIN {gtin}") });
    }
    Err(MappingError::UnknownSku {
        sku: if sku.is_empty() { gtin.to_string() } else { sku.to_string() },
        line: index,
        name: line.name.clone(),
        also: if also.is_empty() { String::new() } else { format!(", {}", also.join(", ")) },
    })
}

fn by_number(sku: &str, catalog: &dyn CatalogLookup) -> Option<CatalogItem> {
    let number = code(sku);
    if number.is_empty() || number.chars().count() > ITEM_NUMBER_MAX {
        return None;
    }
    catalog.item_by_number(&number)
}

fn by_variant(sku: &str, separator: &str, catalog: &dyn CatalogLookup) -> Option<(CatalogItem, String)> {
    if separator.is_empty() {
        return None;
    }
    // The variant code is after the last separator: item numbers may contain the separator
    // themselves (1896-S), variant codes rarely do.
    let (item, variant) = sku.rsplit_once(separator)?;
    let variant = code(variant);
    if variant.is_empty() || variant.chars().count() > VARIANT_CODE_MAX {
        return None;
    }
    let item = by_number(item, catalog)?;
    catalog.variant(&item.number, &variant).map(|v| (item, v.code))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::collections::HashMap;

    /// A catalog of the demo company, for mapper tests.
    #[derive(Default)]
    pub struct MapCatalog {
        pub items: HashMap<String, CatalogItem>,
        pub variants: HashMap<(String, String), CatalogVariant>,
    }

    impl MapCatalog {
        pub fn demo() -> Self {
            let mut c = MapCatalog::default();
            for (number, gtin, blocked) in [("1896-S", "", false), ("1928-S", "5901234123457", false), ("TSHIRT", "", false), ("OLD-1", "", true), ("BOOK-01", "", false)] {
                c.items.insert(
                    number.into(),
                    CatalogItem { number: number.into(), id: format!("id-{number}"), gtin: gtin.into(), display_name: number.into(), blocked },
                );
            }
            for v in ["S", "M", "L"] {
                c.variants.insert(("TSHIRT".into(), v.into()), CatalogVariant { item_number: "TSHIRT".into(), code: v.into(), id: format!("v-{v}") });
            }
            c
        }
    }

    impl CatalogLookup for MapCatalog {
        fn item_by_number(&self, number: &str) -> Option<CatalogItem> {
            self.items.get(number).cloned()
        }
        fn item_by_gtin(&self, gtin: &str) -> Option<CatalogItem> {
            self.items.values().find(|i| !i.gtin.is_empty() && i.gtin == gtin).cloned()
        }
        fn variant(&self, item_number: &str, code: &str) -> Option<CatalogVariant> {
            self.variants.get(&(item_number.to_string(), code.to_string())).cloned()
        }
    }

    fn settings() -> OrderSettings {
        crate::config::load(&serde_json::json!({}), None, None).unwrap().orders
    }

    fn line(sku: &str, gtin: &str) -> LineItem {
        LineItem { name: format!("product {sku}"), sku: sku.into(), global_unique_id: gtin.into(), quantity: 1.into(), ..Default::default() }
    }

    #[test]
    fn matches_by_number_case_insensitively() {
        let m = match_item(&line("1896-s", ""), 1, &settings(), &MapCatalog::demo()).unwrap();
        assert_eq!((m.item_number.as_str(), m.matched_by), ("1896-S", "sku"));
    }

    #[test]
    fn matches_variation_skus_to_item_variants() {
        let m = match_item(&line("TSHIRT-M", ""), 1, &settings(), &MapCatalog::demo()).unwrap();
        assert_eq!(m.item_number, "TSHIRT");
        assert_eq!(m.variant_code.as_deref(), Some("M"));
        assert!(match_item(&line("TSHIRT-XXL", ""), 1, &settings(), &MapCatalog::demo()).is_err());
    }

    #[test]
    fn matches_by_gtin_when_the_sku_is_the_shops_own() {
        let m = match_item(&line("WEB-LAMP", "5901234123457"), 1, &settings(), &MapCatalog::demo()).unwrap();
        assert_eq!((m.item_number.as_str(), m.matched_by), ("1928-S", "gtin"));
    }

    #[test]
    fn unknown_missing_and_blocked_are_named() {
        let e = match_item(&line("GIFT-WRAP", ""), 2, &settings(), &MapCatalog::demo()).unwrap_err();
        assert!(e.to_string().starts_with("unknown SKU GIFT-WRAP (line 2: product GIFT-WRAP)"), "{e}");
        let e = match_item(&line("", ""), 3, &settings(), &MapCatalog::demo()).unwrap_err();
        assert!(matches!(e, MappingError::MissingSku { line: 3, .. }));
        let e = match_item(&line("OLD-1", ""), 1, &settings(), &MapCatalog::demo()).unwrap_err();
        assert!(e.to_string().contains("blocked"), "{e}");
    }

    #[test]
    fn strategies_follow_the_configured_order() {
        let mut only_sku = settings();
        only_sku.sku_match = vec![SkuMatch::Sku];
        assert!(match_item(&line("TSHIRT-M", ""), 1, &only_sku, &MapCatalog::demo()).is_err());
        assert!(match_item(&line("WEB-LAMP", "5901234123457"), 1, &only_sku, &MapCatalog::demo()).is_err());
    }
}
