//! Turning a seed into company data: setup (VAT rates, number series, global dimensions),
//! lookup tables, customers, items with variants and their opening stock as item ledger entries,
//! and the synthetic items of `--items`.

use std::collections::BTreeMap;

use chrono::Utc;
use rust_decimal::Decimal;

use super::{decimal, stable_id, Seed, SeedCode, SeedCustomer, SeedError, SeedItem, ACCOUNT_VAT_FIELD};
use crate::entities::customers;
use crate::entities::items::blank_item;
use crate::entities::ledger::post_entry;
use crate::entities::masters::seeded;
use crate::odata::schema::{ADDRESS_FORMAT, GL_ACCOUNT_CATEGORY, GL_ACCOUNT_TYPE, TAX_TYPE};
use crate::odata::value::{code, round2, Val};
use crate::store::records::{ItemVariant, LedgerEntry, ShipTo};
use crate::store::{Company, MasterKind, Series, Setup, Store};

/// A fresh store from a seed plus `synthetic` generated items.
pub fn build(seed: &Seed, synthetic: usize) -> Result<Store, SeedError> {
    let mut company = new_company(seed)?;
    add_to(&mut company, seed)?;
    add_synthetic_items(&mut company, synthetic)?;
    // The ledger grew by doubling; with 100,000 synthetic items the spare capacity is ~10 MB.
    company.ledger.entries.shrink_to_fit();
    Ok(Store::new(vec![company]))
}

fn new_company(seed: &Seed) -> Result<Company, SeedError> {
    let c = &seed.company;
    let mut vat_rates = BTreeMap::new();
    for (group, rate) in &c.vat_rates {
        vat_rates.insert(code(group), decimal(rate, "vat_rates")?);
    }
    let default_vat_group = if vat_rates.contains_key("STANDARD") {
        "STANDARD".to_string()
    } else {
        vat_rates.keys().next().cloned().unwrap_or_default()
    };
    let global_dimensions = match &seed.global_dimensions {
        Some([a, b]) => [code(a), code(b)],
        None => {
            let mut codes = seed.dimensions.iter().map(|d| code(&d.code));
            [codes.next().unwrap_or_default(), codes.next().unwrap_or_default()]
        }
    };
    let mut series: BTreeMap<Series, String> = [
        (Series::Customer, "C00010"),
        (Series::Item, "ITEM0001"),
        (Series::Order, "S-ORD101001"),
        (Series::Invoice, "S-INV102001"),
        (Series::PostedInvoice, "PS-INV103001"),
        (Series::CreditMemo, "S-CR104001"),
        (Series::PostedCreditMemo, "PS-CR105001"),
        (Series::Shipment, "S-SHPT106001"),
    ]
    .into_iter()
    .map(|(s, n)| (s, n.to_string()))
    .collect();
    for (name, next) in &seed.number_series {
        let key = match name.as_str() {
            "customer" => Series::Customer,
            "item" => Series::Item,
            "order" => Series::Order,
            "invoice" => Series::Invoice,
            "posted_invoice" => Series::PostedInvoice,
            "credit_memo" => Series::CreditMemo,
            "posted_credit_memo" => Series::PostedCreditMemo,
            "shipment" => Series::Shipment,
            other => return Err(SeedError::Invalid(format!("unknown number series '{other}'"))),
        };
        series.insert(key, next.clone());
    }
    let setup = Setup {
        currency: code(&c.currency),
        vat_rates,
        global_dimensions,
        prevent_negative_inventory: seed.prevent_negative_inventory,
        manual_numbers: seed.manual_numbers.unwrap_or(true),
        price_groups: seed.customer_price_groups.iter().map(|g| code(g)).collect(),
        posting_groups: [&seed.customer_posting_groups, &seed.gen_bus_posting_groups, &seed.vat_bus_posting_groups]
            .map(|groups| groups.iter().map(|g| code(g)).collect()),
        salespeople: seed.salespeople.iter().map(|s| code(s)).collect(),
        item_charges: BTreeMap::new(),
        series,
        default_vat_group,
        default_location: seed.locations.first().map(|l| code(&l.code)).unwrap_or_default(),
    };
    let display = c.display_name.clone().unwrap_or_else(|| c.name.clone());
    Ok(Company::new(c.id, c.name.clone(), display, setup))
}

fn text(value: &str) -> Val<'static> {
    Val::owned(value.to_string())
}

fn add_master(
    co: &mut Company,
    kind: MasterKind,
    key: &str,
    values: Vec<(&'static str, Val<'static>)>,
) -> Result<(), SeedError> {
    let record = seeded(kind, stable_id(co.id, crate::entities::masters::def(kind).name, key), co.stamp(), &values);
    if co.master(kind).contains_key(&record.key) {
        return Err(SeedError::Invalid(format!(
            "{} '{}' is seeded twice",
            crate::entities::masters::def(kind).name,
            record.key
        )));
    }
    co.master_mut(kind).insert(record);
    Ok(())
}

/// `14 DAYS` → `14D`, `COD` → `0D`.
fn due_formula(term: &SeedCode) -> String {
    if let Some(formula) = &term.due_date_calculation {
        return formula.clone();
    }
    let days: String = term.code.chars().filter(|c| c.is_ascii_digit()).collect();
    format!("{}D", if days.is_empty() { "0" } else { &days })
}

fn country_name(code: &str) -> &str {
    match code {
        "GB" => "Great Britain",
        "DE" => "Germany",
        "FR" => "France",
        "NL" => "Netherlands",
        "US" => "USA",
        "BE" => "Belgium",
        "DK" => "Denmark",
        "ES" => "Spain",
        "IT" => "Italy",
        other => other,
    }
}

/// Adds everything a seed describes to a company (used for start-up and `POST /_sim/seed`).
pub fn add_to(co: &mut Company, seed: &Seed) -> Result<(), SeedError> {
    add_setup_tables(co, seed)?;
    for charge in &seed.item_charges {
        let vat = charge.tax_group.as_deref().map(code).unwrap_or_else(|| co.setup.default_vat_group.clone());
        co.setup.item_charges.insert(code(&charge.number), (charge.name.clone(), vat));
    }
    for group in &seed.customer_price_groups {
        co.setup.price_groups.insert(code(group));
    }
    for (known, groups) in co.setup.posting_groups.iter_mut().zip([&seed.customer_posting_groups, &seed.gen_bus_posting_groups, &seed.vat_bus_posting_groups]) {
        known.extend(groups.iter().map(|g| code(g)));
    }
    for person in &seed.salespeople {
        co.setup.salespeople.insert(code(person));
    }
    for customer in &seed.customers {
        add_customer(co, customer)?;
    }
    for item in &seed.items {
        add_item(co, item)?;
    }
    Ok(())
}

fn add_setup_tables(co: &mut Company, seed: &Seed) -> Result<(), SeedError> {
    let vat: Vec<(String, Decimal)> = co.setup.vat_rates.iter().map(|(g, r)| (g.clone(), *r)).collect();
    for (group, rate) in vat {
        if co.master(MasterKind::TaxGroups).contains_key(&group) {
            continue;
        }
        add_master(
            co,
            MasterKind::TaxGroups,
            &group,
            vec![
                ("code", text(&group)),
                ("displayName", Val::owned(format!("VAT {}%", rate.normalize()))),
                ("taxType", Val::Enum(&TAX_TYPE, 1)),
            ],
        )?;
    }
    let units = if seed.units_of_measure.is_empty() && co.master(MasterKind::UnitsOfMeasure).is_empty() {
        vec![SeedCode { code: "PCS".into(), name: "Piece".into(), due_date_calculation: None }]
    } else {
        seed.units_of_measure.clone()
    };
    for unit in &units {
        add_master(
            co,
            MasterKind::UnitsOfMeasure,
            &code(&unit.code),
            vec![
                ("code", text(&code(&unit.code))),
                ("displayName", text(&unit.name)),
                ("internationalStandardCode", text(if code(&unit.code) == "PCS" { "EA" } else { "" })),
                ("symbol", text("")),
            ],
        )?;
    }
    for term in &seed.payment_terms {
        add_master(
            co,
            MasterKind::PaymentTerms,
            &code(&term.code),
            vec![
                ("code", text(&code(&term.code))),
                ("displayName", text(&term.name)),
                ("dueDateCalculation", text(&due_formula(term))),
                ("discountDateCalculation", text("")),
                ("discountPercent", Val::Dec(Decimal::ZERO)),
                ("calculateDiscountOnCreditMemos", Val::Bool(false)),
            ],
        )?;
    }
    for (kind, list) in [
        (MasterKind::PaymentMethods, &seed.payment_methods),
        (MasterKind::ShipmentMethods, &seed.shipment_methods),
        (MasterKind::ItemCategories, &seed.item_categories),
    ] {
        for entry in list {
            add_master(
                co,
                kind,
                &code(&entry.code),
                vec![("code", text(&code(&entry.code))), ("displayName", text(&entry.name))],
            )?;
        }
    }
    for reason in &seed.return_reasons {
        add_master(
            co,
            MasterKind::CustomerReturnReasons,
            &code(&reason.code),
            vec![("code", text(&code(&reason.code))), ("description", text(&reason.name))],
        )?;
    }
    for currency in &seed.currencies {
        add_master(
            co,
            MasterKind::Currencies,
            &code(&currency.code),
            vec![
                ("code", text(&code(&currency.code))),
                ("displayName", text(&currency.name)),
                ("symbol", text("")),
                ("amountDecimalPlaces", text("2:2")),
                ("amountRoundingPrecision", Val::Dec(Decimal::new(1, 2))),
            ],
        )?;
    }
    for country in &seed.countries {
        let country = code(country);
        add_master(
            co,
            MasterKind::CountriesRegions,
            &country,
            vec![
                ("code", text(&country)),
                ("displayName", text(country_name(&country))),
                ("addressFormat", Val::Enum(&ADDRESS_FORMAT, 0)),
            ],
        )?;
    }
    for location in &seed.locations {
        add_master(
            co,
            MasterKind::Locations,
            &code(&location.code),
            vec![("code", text(&code(&location.code))), ("displayName", text(&location.name))],
        )?;
    }
    for account in &seed.gl_accounts {
        let number = code(&account.number);
        let vat = account.tax_group.as_deref().map(code).unwrap_or_default();
        add_master(
            co,
            MasterKind::Accounts,
            &number,
            vec![
                ("number", text(&number)),
                ("displayName", text(&account.name)),
                ("category", Val::Enum(&GL_ACCOUNT_CATEGORY, 4)),
                ("accountType", Val::Enum(&GL_ACCOUNT_TYPE, 0)),
                ("directPosting", Val::Bool(true)),
                ("netChange", Val::Dec(Decimal::ZERO)),
                (ACCOUNT_VAT_FIELD, Val::owned(vat)),
            ],
        )?;
    }
    for dimension in &seed.dimensions {
        let dim_code = code(&dimension.code);
        add_master(
            co,
            MasterKind::Dimensions,
            &dim_code,
            vec![("code", text(&dim_code)), ("displayName", text(&dimension.name))],
        )?;
        let dimension_id = stable_id(co.id, "dimensions", &dim_code);
        for value in &dimension.values {
            let value = code(value);
            let key = format!("{dim_code}\t{value}");
            let mut record = seeded(
                MasterKind::DimensionValues,
                stable_id(co.id, "dimensionValues", &key),
                co.stamp(),
                &[("code", text(&value)), ("dimensionId", Val::Guid(dimension_id)), ("displayName", text(&value))],
            );
            record.key = key;
            co.master_mut(MasterKind::DimensionValues).insert(record);
        }
    }
    Ok(())
}

fn check_code(co: &Company, kind: MasterKind, value: &str, what: &str) -> Result<(), SeedError> {
    if value.is_empty() || co.master(kind).contains_key(value) {
        Ok(())
    } else {
        Err(SeedError::Invalid(format!("{what} '{value}' is not seeded")))
    }
}

fn add_customer(co: &mut Company, seed: &SeedCustomer) -> Result<(), SeedError> {
    let number = code(&seed.number);
    let mut c = customers::blank(stable_id(co.id, "customers", &number), co.meta);
    c.number = number.clone();
    c.name = seed.name.clone();
    c.email = seed.email.clone();
    c.price_group = code(&seed.price_group);
    if !c.price_group.is_empty() && !co.setup.price_groups.contains(&c.price_group) {
        return Err(SeedError::Invalid(format!("customer {number}: price group '{}' is not seeded", c.price_group)));
    }
    c.payment_terms = code(&seed.payment_terms);
    check_code(co, MasterKind::PaymentTerms, &c.payment_terms, "payment terms")?;
    c.payment_method = code(&seed.payment_method);
    check_code(co, MasterKind::PaymentMethods, &c.payment_method, "payment method")?;
    c.shipment_method = code(&seed.shipment_method);
    check_code(co, MasterKind::ShipmentMethods, &c.shipment_method, "shipment method")?;
    c.country = code(&seed.country);
    check_code(co, MasterKind::CountriesRegions, &c.country, "country")?;
    c.city = seed.city.clone();
    c.address = seed.address.clone();
    c.post_code = code(&seed.post_code);
    c.phone = seed.phone.clone();
    c.prices_including_vat = seed.prices_including_vat;
    c.blocked = match seed.blocked.as_deref() {
        None | Some("") => 0,
        Some("Ship") => 1,
        Some("Invoice") => 2,
        Some("All") => 3,
        Some(other) => return Err(SeedError::Invalid(format!("customer {number}: blocked '{other}'"))),
    };
    for (dimension, value) in &seed.default_dimensions {
        let (dimension, value) = (code(dimension), code(value));
        if !co.master(MasterKind::DimensionValues).contains_key(&format!("{dimension}\t{value}")) {
            return Err(SeedError::Invalid(format!(
                "customer {number}: dimension value {dimension}/{value} is not seeded"
            )));
        }
        c.default_dimensions.push((dimension, value));
    }
    c.ship_to = seed
        .ship_to
        .iter()
        .map(|s| ShipTo {
            meta: co.stamp(),
            code: code(&s.code),
            name: s.name.clone(),
            address: s.address.clone(),
            city: s.city.clone(),
            post_code: code(&s.post_code),
            country: code(&s.country),
            ..ShipTo::default()
        })
        .collect();
    customers::insert(co, c).map_err(|e| SeedError::Invalid(format!("customer {number}: {}", e.message)))?;
    Ok(())
}

fn opening_entry(
    co: &Company,
    item: &str,
    description: &str,
    quantity: Decimal,
    unit_cost: Decimal,
    location: &str,
    variant: &str,
) -> LedgerEntry {
    LedgerEntry {
        id: stable_id(co.id, "itemLedgerEntries", &format!("{item}\t{location}\t{variant}")),
        meta: co.meta,
        entry_number: 0,
        item_number: item.to_string(),
        posting_date: Utc::now().date_naive(),
        entry_type: 2,
        source_number: String::new(),
        source_type: 0,
        document_number: "OPENING".into(),
        document_type: 0,
        description: description.to_string(),
        quantity,
        sales_amount: Decimal::ZERO,
        cost_amount: round2(quantity * unit_cost),
        location: location.to_string(),
        variant: variant.to_string(),
    }
}

fn add_item(co: &mut Company, seed: &SeedItem) -> Result<(), SeedError> {
    let number = code(&seed.number);
    let mut item = blank_item(stable_id(co.id, "items", &number), co.meta);
    item.number = number.clone();
    item.description = seed.name.clone();
    item.unit_price = decimal(&seed.price, "price")?;
    item.unit_cost = match &seed.unit_cost {
        Some(cost) => decimal(cost, "unit_cost")?,
        None => round2(item.unit_price * Decimal::new(6, 1)),
    };
    item.tax_group = code(&seed.tax_group);
    check_code(co, MasterKind::TaxGroups, &item.tax_group, "tax group")?;
    item.gtin = seed.gtin.as_deref().map(code).unwrap_or_default();
    item.blocked = seed.blocked;
    item.category = seed.category.as_deref().map(code).unwrap_or_default();
    check_code(co, MasterKind::ItemCategories, &item.category, "item category")?;
    item.base_uom = co.master(MasterKind::UnitsOfMeasure).iter().next().map(|u| u.key.clone()).unwrap_or_default();
    item.gen_prod_group = "RETAIL".into();
    item.inventory_group = "RESALE".into();
    let unit_cost = item.unit_cost;
    crate::entities::items::insert(co, item)
        .map_err(|e| SeedError::Invalid(format!("item {number}: {}", e.message)))?;
    // Opening stock goes to the seed's first location, unless the seed says where.
    let first_location = co.setup.default_location.clone();
    let mut stock: Vec<(String, String, Decimal)> = Vec::new();
    if let Some(quantity) = &seed.stock {
        stock.push((first_location.clone(), String::new(), decimal(quantity, "stock")?));
    }
    for (location, quantity) in &seed.stock_by_location {
        check_code(co, MasterKind::Locations, &code(location), "location")?;
        stock.push((code(location), String::new(), decimal(quantity, "stock_by_location")?));
    }
    for variant in &seed.variants {
        let variant_code = code(&variant.code);
        let meta = co.stamp();
        co.variants.insert(ItemVariant {
            id: stable_id(co.id, "itemVariants", &format!("{number}\t{variant_code}")),
            meta,
            item_number: number.clone(),
            code: variant_code.clone(),
            description: variant.name.clone(),
        });
        if let Some(quantity) = &variant.stock {
            stock.push((first_location.clone(), variant_code, decimal(quantity, "variant stock")?));
        }
    }
    for (location, variant, quantity) in stock.into_iter().filter(|(_, _, q)| !q.is_zero()) {
        let entry = opening_entry(co, &number, &seed.name, quantity, unit_cost, &location, &variant);
        post_entry(co, entry).map_err(|e| SeedError::Invalid(e.message))?;
    }
    Ok(())
}

/// `--items N`: `SYN-000001` … with a price, the standard VAT group and stock at the first location.
pub fn add_synthetic_items(co: &mut Company, count: usize) -> Result<(), SeedError> {
    let vat = co.setup.default_vat_group.clone();
    let uom = co.master(MasterKind::UnitsOfMeasure).iter().next().map(|u| u.key.clone()).unwrap_or_default();
    let location = co.setup.default_location.clone();
    let start = co.items.iter().filter(|i| i.number.starts_with("SYN-")).count();
    for n in start + 1..=start + count {
        let number = format!("SYN-{n:06}");
        let mut item = blank_item(stable_id(co.id, "items", &number), co.meta);
        item.description = format!("Synthetic item {n}");
        item.unit_price = Decimal::new(1000 + (n as i64 % 9000), 2);
        item.unit_cost = round2(item.unit_price * Decimal::new(6, 1));
        item.tax_group = vat.clone();
        item.base_uom = uom.clone();
        item.number = number.clone();
        let quantity = Decimal::from(1 + (n % 50) as i64);
        let (description, unit_cost) = (item.description.clone(), item.unit_cost);
        crate::entities::items::insert(co, item).map_err(|e| SeedError::Invalid(e.message))?;
        let entry = opening_entry(co, &number, &description, quantity, unit_cost, &location, "");
        post_entry(co, entry).map_err(|e| SeedError::Invalid(e.message))?;
    }
    Ok(())
}
