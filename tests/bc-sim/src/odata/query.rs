//! System query options (`$filter $select $expand $orderby $top $skip $skiptoken $count
//! $schemaversion`), parsed and checked against the entity set they address, nested options of
//! `$expand` included. Query strings are decoded once into ordered pairs so that a nextLink can
//! repeat them.

use percent_encoding::percent_decode_str;

use super::filter::{bind_filter, Expr};
use super::schema::{Nav, Prop, SetDef};
use crate::error::{ApiError, ApiResult};

/// Finds the definition of an entity set by name (for `$expand` targets).
pub type Resolve<'r> = &'r dyn Fn(&str) -> Option<&'static SetDef>;

#[derive(Clone, Debug, Default)]
pub struct Query {
    pub filter: Option<Expr>,
    /// `None` = all properties.
    pub select: Option<Vec<&'static Prop>>,
    pub expand: Vec<Expand>,
    /// Property and `true` for descending.
    pub orderby: Vec<(&'static Prop, bool)>,
    pub top: Option<usize>,
    pub skip: Option<usize>,
    pub skiptoken: Option<String>,
    pub count: bool,
    /// FlowFilters of a NAV page (`Location_Filter eq 'MAIN'`): they change FlowFields, not rows.
    pub flow_filters: Vec<(&'static Prop, Vec<String>)>,
}

#[derive(Clone, Debug)]
pub struct Expand {
    pub nav: &'static Nav,
    pub target: &'static SetDef,
    pub query: Query,
}

impl Query {
    pub fn selects(&self, prop: &Prop) -> bool {
        self.select.as_ref().is_none_or(|list| list.iter().any(|p| p.name == prop.name))
    }

    /// Values of the FlowFilter `name`, if one was given.
    pub fn flow_filter(&self, name: &str) -> Option<&[String]> {
        self.flow_filters.iter().find(|(p, _)| p.name == name).map(|(_, v)| v.as_slice())
    }
}

/// The decoded query string, in order.
#[derive(Clone, Debug, Default)]
pub struct QueryString {
    pub pairs: Vec<(String, String)>,
}

impl QueryString {
    pub fn parse(raw: Option<&str>) -> Self {
        let pairs = raw
            .unwrap_or("")
            .split('&')
            .filter(|part| !part.is_empty())
            .map(|part| {
                let (name, value) = part.split_once('=').unwrap_or((part, ""));
                (decode_component(name), decode_component(value))
            })
            .collect();
        Self { pairs }
    }

    /// System options (`$…`) are matched exactly, custom ones (`company`) ignoring case.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(n, _)| if name.starts_with('$') { n == name } else { n.eq_ignore_ascii_case(name) })
            .map(|(_, v)| v.as_str())
    }

    /// The query string with `$skiptoken` replaced and `$skip` dropped (the token positions
    /// after the last row returned).
    pub fn with_skiptoken(&self, token: &str) -> String {
        let mut parts: Vec<String> = self
            .pairs
            .iter()
            .filter(|(name, _)| name != "$skiptoken" && name != "$skip")
            .map(|(name, value)| format!("{}={}", encode_component(name), encode_component(value)))
            .collect();
        parts.push(format!("$skiptoken={}", encode_component(token)));
        parts.join("&")
    }
}

/// Query components: `+` is a space, as in form encoding.
pub fn decode_component(text: &str) -> String {
    percent_decode_str(&text.replace('+', " ")).decode_utf8_lossy().into_owned()
}

fn encode_component(text: &str) -> String {
    const SET: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'$')
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'(')
        .remove(b')')
        .remove(b',')
        .remove(b'\'');
    percent_encoding::utf8_percent_encode(text, SET).to_string()
}

const SYSTEM_OPTIONS: &[&str] = &[
    "$filter",
    "$select",
    "$expand",
    "$orderby",
    "$top",
    "$skip",
    "$skiptoken",
    "$count",
    "$schemaversion",
    "$format",
];

/// Parses the system query options of a request against `def`.
pub fn parse_query(def: &'static SetDef, query: &QueryString, resolve: Resolve<'_>) -> ApiResult<Query> {
    let mut seen: Vec<&str> = Vec::new();
    for (name, _) in &query.pairs {
        if !name.starts_with('$') {
            continue;
        }
        if !SYSTEM_OPTIONS.contains(&name.as_str()) {
            return Err(ApiError::syntax(format!("The query parameter '{name}' is not supported.")));
        }
        if seen.contains(&name.as_str()) {
            return Err(ApiError::syntax(format!(
                "Query option '{name}' was specified more than once, but it must be specified at most once."
            )));
        }
        seen.push(name);
    }
    if let Some(format) = query.get("$format") {
        if format != "json" && !format.starts_with("application/json") {
            return Err(ApiError::new(
                axum::http::StatusCode::NOT_ACCEPTABLE,
                "BadRequest",
                format!("The requested format '{format}' is not supported."),
            ));
        }
    }
    let mut parsed = parse_options(def, &query.pairs, resolve)?;
    parsed.skiptoken = query.get("$skiptoken").map(str::to_string);
    parsed.count = match query.get("$count") {
        None | Some("false") => false,
        Some("true") => true,
        Some(other) => return Err(ApiError::syntax(format!("'{other}' is not a valid count option."))),
    };
    Ok(parsed)
}

fn option<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

fn parse_options(def: &'static SetDef, pairs: &[(String, String)], resolve: Resolve<'_>) -> ApiResult<Query> {
    let get = |name: &str| option(pairs, name);
    let mut query = Query::default();
    if let Some(filter) = get("$filter") {
        query.filter = bind_filter(filter, def)?;
        if let Some(expr) = query.filter.take() {
            query.filter = expr.take_flow_filters(&mut query.flow_filters)?;
        }
    }
    if let Some(select) = get("$select") {
        query.select = parse_select(def, select)?;
    }
    if let Some(expand) = get("$expand") {
        query.expand = parse_expand(def, expand, resolve)?;
    }
    if let Some(orderby) = get("$orderby") {
        query.orderby = parse_orderby(def, orderby)?;
    }
    query.top = get("$top").map(|v| non_negative("$top", v)).transpose()?;
    query.skip = get("$skip").map(|v| non_negative("$skip", v)).transpose()?;
    Ok(query)
}

fn not_found(name: &str, def: &SetDef) -> ApiError {
    ApiError::syntax(format!("Could not find a property named '{name}' on type '{}'.", def.full_type()))
}

fn parse_select(def: &'static SetDef, text: &str) -> ApiResult<Option<Vec<&'static Prop>>> {
    let mut props = Vec::new();
    for item in text.split(',').map(str::trim) {
        if item == "*" {
            return Ok(None);
        }
        match def.prop(item) {
            Some(prop) => props.push(prop),
            None if def.nav(item).is_some() => {}
            None => return Err(not_found(item, def)),
        }
    }
    Ok(Some(props))
}

fn parse_orderby(def: &'static SetDef, text: &str) -> ApiResult<Vec<(&'static Prop, bool)>> {
    text.split(',')
        .map(|item| {
            let mut words = item.split_whitespace();
            let name = words.next().unwrap_or("");
            let descending = match words.next() {
                None | Some("asc") => false,
                Some("desc") => true,
                Some(other) => {
                    return Err(ApiError::syntax(format!(
                        "Syntax error at position {} in '{text}'.",
                        text.find(other).unwrap_or(0)
                    )))
                }
            };
            if words.next().is_some() {
                return Err(ApiError::syntax(format!("Syntax error in '$orderby={text}'.")));
            }
            def.prop(name).map(|p| (p, descending)).ok_or_else(|| not_found(name, def))
        })
        .collect()
}

fn non_negative(option: &str, value: &str) -> ApiResult<usize> {
    value.trim().parse::<usize>().map_err(|_| {
        ApiError::syntax(format!(
            "Invalid value '{value}' for {option} query option found. The {option} query option requires a non-negative integer value."
        ))
    })
}

/// `$expand=salesOrderLines($select=sequence;$expand=item),customer`
fn parse_expand(def: &'static SetDef, text: &str, resolve: Resolve<'_>) -> ApiResult<Vec<Expand>> {
    let mut out = Vec::new();
    for item in split_top_level(text, ',')? {
        let item = item.trim();
        let (name, options) = match item.find('(') {
            Some(open) if item.ends_with(')') => (&item[..open], Some(&item[open + 1..item.len() - 1])),
            Some(_) => return Err(ApiError::syntax(format!("Syntax error in '$expand={text}'."))),
            None => (item, None),
        };
        let nav = def.nav(name.trim()).ok_or_else(|| not_found(name.trim(), def))?;
        let target = resolve(nav.target).ok_or_else(|| not_found(name.trim(), def))?;
        let query = match options {
            None => Query::default(),
            Some(options) => {
                let mut pairs = Vec::new();
                for option in split_top_level(options, ';')? {
                    let (key, value) = option
                        .split_once('=')
                        .ok_or_else(|| ApiError::syntax(format!("Syntax error in '$expand={text}'.")))?;
                    let key = key.trim();
                    if !matches!(key, "$filter" | "$select" | "$expand" | "$orderby" | "$top" | "$skip") {
                        return Err(ApiError::syntax(format!(
                            "The query option '{key}' is not supported inside $expand."
                        )));
                    }
                    pairs.push((key.to_string(), value.to_string()));
                }
                parse_options(target, &pairs, resolve)?
            }
        };
        out.push(Expand { nav, target, query });
    }
    Ok(out)
}

/// Splits on `separator` outside parentheses and quotes.
fn split_top_level(text: &str, separator: char) -> ApiResult<Vec<&str>> {
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut quoted = false;
    let mut start = 0;
    for (i, c) in text.char_indices() {
        match c {
            '\'' => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted => {
                depth -= 1;
                if depth < 0 {
                    return Err(ApiError::syntax(format!("Syntax error in '{text}'.")));
                }
            }
            c if c == separator && depth == 0 && !quoted => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    if depth != 0 || quoted {
        return Err(ApiError::syntax(format!("Syntax error in '{text}'.")));
    }
    parts.push(&text[start..]);
    Ok(parts)
}
