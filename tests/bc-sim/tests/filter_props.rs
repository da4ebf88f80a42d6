//! Property tests of the `$filter` parser: any input gives either a filter or a 400 in BC's
//! error format (never a panic), and generated valid filters survive text and back.

use bc_sim::entities::items::ITEMS;
use bc_sim::entities::ledger::ITEM_LEDGER_ENTRIES;
use bc_sim::odata::filter::{bind_filter, CmpOp, Expr, TextFn};
use bc_sim::odata::schema::{SetDef, Ty};
use bc_sim::odata::value::Val;
use chrono::{DateTime, NaiveDate};
use proptest::prelude::*;
use rust_decimal::Decimal;
use uuid::Uuid;

fn assert_bc_error(error: &bc_sim::ApiError) -> Result<(), TestCaseError> {
    prop_assert_eq!(error.status.as_u16(), 400);
    prop_assert!(!error.code.is_empty());
    let body = error.body();
    let message = body["error"]["message"].as_str().unwrap_or("");
    prop_assert!(message.contains("  CorrelationId:  "), "{}", message);
    Ok(())
}

/// Text built from the pieces filters are made of, so the parser gets past the first token.
fn filter_soup() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "number",
        "unitPrice",
        "displayName",
        "blocked",
        "type",
        "id",
        "eq",
        "ne",
        "gt",
        "ge",
        "lt",
        "le",
        "and",
        "or",
        "not",
        "(",
        ")",
        ",",
        "/",
        ":",
        "'",
        "''",
        "'1896-S'",
        "12",
        "-3.5",
        "1e3",
        "true",
        "null",
        "2024-01-31",
        "2024-01-31T10:00:00Z",
        "contains",
        "startswith",
        "tolower",
        "any",
        "all",
        "in",
        "add",
        "Microsoft.NAV.itemType'Service'",
        "6a4e3f1c-2b7d-4c59-9e1a-0d3b5c7e9f21",
        " ",
        "  ",
        "$",
        "é",
        "\u{0}",
    ]);
    prop::collection::vec(pieces, 0..24).prop_map(|parts| parts.join(" "))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn arbitrary_text_gives_a_filter_or_a_bc_400(text in "\\PC{0,120}") {
        if let Err(error) = bind_filter(&text, &ITEMS) {
            assert_bc_error(&error)?;
        }
    }

    #[test]
    fn filter_like_text_gives_a_filter_or_a_bc_400(text in filter_soup()) {
        if let Err(error) = bind_filter(&text, &ITEMS) {
            assert_bc_error(&error)?;
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn long_and_chains_are_refused_without_overflow(terms in 1usize..20_000) {
        let text = vec!["number eq 'A'"; terms].join(" and ");
        match bind_filter(&text, &ITEMS) {
            Ok(_) => prop_assert!(terms <= 501),
            Err(error) => assert_bc_error(&error)?,
        }
    }

    #[test]
    fn deeply_nested_parentheses_are_refused_without_overflow(depth in 1usize..5000) {
        let text = format!("{}number eq 'A'{}", "(".repeat(depth), ")".repeat(depth));
        match bind_filter(&text, &ITEMS) {
            Ok(_) => prop_assert!(depth <= 64),
            Err(error) => assert_bc_error(&error)?,
        }
    }
}

fn value_for(ty: Ty) -> BoxedStrategy<Val<'static>> {
    match ty {
        Ty::Text | Ty::Code => "\\PC{0,12}".prop_map(Val::owned).boxed(),
        Ty::Decimal => {
            (any::<i64>(), 0u32..5).prop_map(|(m, s)| Val::Dec(Decimal::new(m % 1_000_000_000_000, s))).boxed()
        }
        Ty::Int | Ty::Int64 => (-1_000_000i64..1_000_000).prop_map(Val::Int).boxed(),
        Ty::Bool => any::<bool>().prop_map(Val::Bool).boxed(),
        Ty::Guid => any::<u128>().prop_map(|n| Val::Guid(Uuid::from_u128(n))).boxed(),
        Ty::Date => (0i32..60_000)
            .prop_map(|days| {
                Val::Date(NaiveDate::from_ymd_opt(1970, 1, 1).unwrap() + chrono::Duration::days(days.into()))
            })
            .boxed(),
        Ty::DateTime => {
            (0i64..4_000_000_000_000).prop_map(|ms| Val::DateTime(DateTime::from_timestamp_millis(ms).unwrap())).boxed()
        }
        Ty::Enum(def) => (0..def.members.len()).prop_map(move |i| Val::Enum(def, i)).boxed(),
    }
}

fn comparison(def: &'static SetDef) -> BoxedStrategy<Expr> {
    let props: Vec<_> = def.props.iter().collect();
    prop::sample::select(props)
        .prop_flat_map(|prop| {
            let ops = prop::sample::select(vec![CmpOp::Eq, CmpOp::Ne, CmpOp::Gt, CmpOp::Ge, CmpOp::Lt, CmpOp::Le]);
            let text = matches!(prop.ty, Ty::Text | Ty::Code);
            (Just(prop), ops, value_for(prop.ty), any::<bool>(), 0..4usize).prop_map(
                move |(prop, op, value, fold, function)| {
                    if text && function < 3 && fold {
                        let func = [TextFn::Contains, TextFn::StartsWith, TextFn::EndsWith][function];
                        Expr::Text { prop, func, needle: value.as_str().unwrap_or("").to_string() }
                    } else {
                        Expr::Cmp { prop, op, value, fold_case: text && fold }
                    }
                },
            )
        })
        .boxed()
}

/// Valid filters: `or` only joins conditions on one field, as BC requires.
fn valid_filter(def: &'static SetDef) -> impl Strategy<Value = Expr> {
    let same_field_or = comparison(def).prop_flat_map(move |first| {
        let prop = match &first {
            Expr::Cmp { prop, .. } | Expr::Text { prop, .. } => *prop,
            _ => unreachable!("comparison() yields leaves"),
        };
        let ty = prop.ty;
        (Just(first), value_for(ty)).prop_map(move |(first, value)| {
            Expr::Or(Box::new(first), Box::new(Expr::Cmp { prop, op: CmpOp::Eq, value, fold_case: false }))
        })
    });
    let leaf = prop_oneof![comparison(def), same_field_or];
    leaf.prop_recursive(4, 16, 2, |inner| (inner.clone(), inner).prop_map(|(a, b)| Expr::And(Box::new(a), Box::new(b))))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn generated_item_filters_round_trip(expr in valid_filter(&ITEMS)) {
        let text = expr.to_string();
        let parsed = bind_filter(&text, &ITEMS).map_err(|e| TestCaseError::fail(format!("{text}: {e}")))?;
        prop_assert_eq!(parsed, Some(expr), "{}", text);
    }

    #[test]
    fn generated_ledger_filters_round_trip(expr in valid_filter(&ITEM_LEDGER_ENTRIES)) {
        let text = expr.to_string();
        let parsed = bind_filter(&text, &ITEM_LEDGER_ENTRIES).map_err(|e| TestCaseError::fail(format!("{text}: {e}")))?;
        prop_assert_eq!(parsed, Some(expr), "{}", text);
    }
}

/// Over HTTP too: any `$filter` gets 200 or a 400 with BC's error body, and the server lives on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn arbitrary_filters_over_http_get_200_or_a_bc_400() {
    let sim = bc_sim::start(bc_sim::Config::demo()).await.unwrap();
    let http = reqwest::Client::new();
    let info = sim.info().clone();
    let token: serde_json::Value = http
        .post(&info.token_url)
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", &info.client_id),
            ("client_secret", &info.client_secret),
            ("scope", &info.scope),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = token["access_token"].as_str().unwrap().to_string();
    let url = format!("{}/companies({})/items", info.api_online, info.company_id);
    let handle = tokio::runtime::Handle::current();
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig::with_cases(300));
    let result = runner.run(&prop_oneof![filter_soup(), "\\PC{0,60}"], |filter| {
        let (status, body) = tokio::task::block_in_place(|| {
            handle.block_on(async {
                let response = http.get(&url).bearer_auth(&token).query(&[("$filter", &filter)]).send().await.unwrap();
                let status = response.status().as_u16();
                (status, response.json::<serde_json::Value>().await.unwrap())
            })
        });
        prop_assert!(status == 200 || status == 400, "{} for {:?}", status, filter);
        if status == 400 {
            prop_assert!(body["error"]["message"].as_str().unwrap_or("").contains("  CorrelationId:  "));
        }
        Ok(())
    });
    sim.shutdown().await;
    result.unwrap();
}
