//! Collection pages: `page`, `per_page` (1–100), `offset`, `order`, and the `X-WP-Total`,
//! `X-WP-TotalPages` and `Link` headers (built on the site's home URL from the request's own
//! query, as `add_query_arg` does — OAuth parameters included).

use serde_json::Value;

use super::{Call, Reply};
use crate::auth::oauth1::rawurlencode;
use crate::auth::php_query::PhpValue;

#[derive(Clone, Copy, Debug)]
pub struct Page {
    pub page: i64,
    pub per_page: i64,
    pub offset: Option<i64>,
    pub descending: bool,
}

impl Page {
    /// Reads the paging parameters (problems are collected in `call.params`).
    pub fn read(call: &mut Call, default_order: &str) -> Self {
        let page = call.params.int("page", Some(1), Some(1), None).unwrap_or(1);
        let per_page = call.params.int("per_page", Some(10), Some(1), Some(100)).unwrap_or(10);
        let offset = call.params.int("offset", None, None, None);
        let order = call.params.one_of("order", &["asc", "desc"], default_order);
        Self { page, per_page, offset, descending: order == "desc" }
    }

    fn skip(&self) -> usize {
        match self.offset {
            Some(offset) => offset.max(0) as usize,
            None => (self.page - 1).saturating_mul(self.per_page).max(0) as usize,
        }
    }
}

/// Counts the matching ids and keeps the page's slice.
pub fn paginate(ids: impl Iterator<Item = i64>, page: &Page) -> (usize, Vec<i64>) {
    let skip = page.skip();
    let take = page.per_page as usize;
    let mut total = 0usize;
    let mut slice = Vec::with_capacity(take);
    for id in ids {
        if total >= skip && slice.len() < take {
            slice.push(id);
        }
        total += 1;
    }
    (total, slice)
}

fn query_string(pairs: &[(String, PhpValue)], page: i64) -> String {
    let mut parts = Vec::new();
    let mut wrote_page = false;
    for (key, value) in pairs {
        if key == "page" {
            parts.push(format!("page={page}"));
            wrote_page = true;
            continue;
        }
        push(&mut parts, &rawurlencode(key), value);
    }
    if !wrote_page {
        parts.push(format!("page={page}"));
    }
    parts.join("&")
}

fn push(parts: &mut Vec<String>, key: &str, value: &PhpValue) {
    match value {
        PhpValue::Str(s) => parts.push(format!("{key}={}", rawurlencode(s))),
        PhpValue::Arr(items) => {
            for (k, v) in items {
                push(parts, &format!("{key}%5B{}%5D", rawurlencode(k)), v);
            }
        }
    }
}

/// A list reply with the pagination headers.
pub fn reply(call: &Call, total: usize, page: &Page, items: Vec<Value>) -> Reply {
    let per_page = page.per_page.max(1) as usize;
    let pages = total.div_ceil(per_page) as i64;
    let mut reply = Reply::ok(Value::Array(items));
    reply.headers.push(("x-wp-total".into(), total.to_string()));
    reply.headers.push(("x-wp-totalpages".into(), pages.to_string()));
    let base = call.rest_url(&call.route);
    if page.page > 1 {
        let prev = (page.page - 1).min(pages.max(1));
        reply.headers.push(("link".into(), format!("<{base}?{}>; rel=\"prev\"", query_string(&call.query, prev))));
    }
    if pages > page.page {
        reply.headers.push(("link".into(), format!("<{base}?{}>; rel=\"next\"", query_string(&call.query, page.page + 1))));
    }
    reply
}
