//! The binder: the only code that reads and writes the links between WooCommerce records and NAV
//! records. A create's intent is written (and synced to disk) before the request leaves, so an
//! interrupted create is looked up in NAV instead of repeated.

use rusqlite::{params, OptionalExtension, Row};
use serde::{Deserialize, Serialize};

use super::{now_text, Store, StoreResult};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OrderLinkState {
    /// A create was sent (or is about to be); its outcome may be unknown.
    Creating,
    Created,
    /// Created, but held by the totals guard.
    Held,
    /// NAV posted (invoiced) the order; changes are recorded, not applied.
    Posted,
    /// The NAV order was deleted (cancellation).
    Deleted,
}

impl OrderLinkState {
    pub fn as_str(self) -> &'static str {
        match self {
            OrderLinkState::Creating => "creating",
            OrderLinkState::Created => "created",
            OrderLinkState::Held => "held",
            OrderLinkState::Posted => "posted",
            OrderLinkState::Deleted => "deleted",
        }
    }
    fn parse(text: &str) -> OrderLinkState {
        match text {
            "created" => OrderLinkState::Created,
            "held" => OrderLinkState::Held,
            "posted" => OrderLinkState::Posted,
            "deleted" => OrderLinkState::Deleted,
            _ => OrderLinkState::Creating,
        }
    }
}

/// NAV line id for one WooCommerce line (or synthetic line: shipping, rounding...).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LineLink {
    pub source: crate::model::nav::LineSource,
    pub nav_line_id: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OrderLink {
    pub woo_order_id: i64,
    pub external_document_number: String,
    pub state: OrderLinkState,
    pub nav_id: Option<String>,
    pub nav_number: Option<String>,
    pub customer_number: Option<String>,
    pub fingerprint: Option<String>,
    pub document: Option<String>,
    pub lines: Vec<LineLink>,
    pub written_back: bool,
    pub attempts_unknown: u32,
    pub created_at: String,
    pub updated_at: String,
}

const ORDER_COLUMNS: &str = "woo_order_id, external_document_number, state, nav_id, nav_number, customer_number, \
    fingerprint, document, lines, written_back, attempts_unknown, created_at, updated_at";

impl OrderLink {
    fn from_row(row: &Row<'_>) -> rusqlite::Result<OrderLink> {
        let lines: Option<String> = row.get(8)?;
        Ok(OrderLink {
            woo_order_id: row.get(0)?,
            external_document_number: row.get(1)?,
            state: OrderLinkState::parse(&row.get::<_, String>(2)?),
            nav_id: row.get(3)?,
            nav_number: row.get(4)?,
            customer_number: row.get(5)?,
            fingerprint: row.get(6)?,
            document: row.get(7)?,
            lines: lines.and_then(|l| serde_json::from_str(&l).ok()).unwrap_or_default(),
            written_back: row.get::<_, i64>(9)? == 1,
            attempts_unknown: row.get(10)?,
            created_at: row.get(11)?,
            updated_at: row.get(12)?,
        })
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CustomerLink {
    pub link_key: String,
    pub nav_number: String,
    pub nav_id: Option<String>,
    pub price_group: Option<String>,
    pub woo_fingerprint: Option<String>,
    pub nav_fingerprint: Option<String>,
}

/// Link key of a registered WooCommerce customer.
pub fn customer_key_for_id(woo_customer_id: i64) -> String {
    format!("id:{woo_customer_id}")
}

/// Link key of a guest, by e-mail (case-insensitive, as mail systems treat it in practice).
pub fn customer_key_for_email(email: &str) -> String {
    format!("email:{}", email.trim().to_lowercase())
}

impl Store {
    pub fn order_link(&self, woo_order_id: i64) -> StoreResult<Option<OrderLink>> {
        self.lock()
            .query_row(&format!("SELECT {ORDER_COLUMNS} FROM order_links WHERE woo_order_id = ?1"), params![woo_order_id], OrderLink::from_row)
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Records that a create is about to be sent. Durable before the request goes out.
    pub fn mark_creating(&self, woo_order_id: i64, external_document_number: &str, unknown_before: bool) -> StoreResult<()> {
        let now = now_text();
        self.lock()
            .execute(
                "INSERT INTO order_links (woo_order_id, external_document_number, state, created_at, updated_at) \
                 VALUES (?1, ?2, 'creating', ?3, ?3) \
                 ON CONFLICT(woo_order_id) DO UPDATE SET state = 'creating', external_document_number = excluded.external_document_number, \
                 attempts_unknown = attempts_unknown + ?4, updated_at = excluded.updated_at",
                params![woo_order_id, external_document_number, now, unknown_before as i64],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// Records the NAV order a WooCommerce order is bound to, with what was applied.
    #[allow(clippy::too_many_arguments)]
    pub fn bind_order(
        &self,
        woo_order_id: i64,
        external_document_number: &str,
        state: OrderLinkState,
        nav_id: &str,
        nav_number: &str,
        customer_number: &str,
        fingerprint: &str,
        document: &str,
        lines: &[LineLink],
    ) -> StoreResult<()> {
        let now = now_text();
        let lines = serde_json::to_string(lines).unwrap_or_else(|_| "[]".into());
        self.lock()
            .execute(
                "INSERT INTO order_links (woo_order_id, external_document_number, state, nav_id, nav_number, customer_number, fingerprint, document, lines, created_at, updated_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10) \
                 ON CONFLICT(woo_order_id) DO UPDATE SET external_document_number = excluded.external_document_number, state = excluded.state, \
                 nav_id = excluded.nav_id, nav_number = excluded.nav_number, customer_number = excluded.customer_number, \
                 fingerprint = excluded.fingerprint, document = excluded.document, lines = excluded.lines, updated_at = excluded.updated_at",
                params![woo_order_id, external_document_number, state.as_str(), nav_id, nav_number, customer_number, fingerprint, document, lines, now],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    pub fn set_order_state(&self, woo_order_id: i64, state: OrderLinkState) -> StoreResult<()> {
        self.lock()
            .execute(
                "UPDATE order_links SET state = ?1, updated_at = ?2 WHERE woo_order_id = ?3",
                params![state.as_str(), now_text(), woo_order_id],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    pub fn set_written_back(&self, woo_order_id: i64) -> StoreResult<()> {
        self.lock()
            .execute("UPDATE order_links SET written_back = 1, updated_at = ?1 WHERE woo_order_id = ?2", params![now_text(), woo_order_id])
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// WooCommerce refused the write-back for good (the order is gone, or the request is invalid):
    /// the sweep stops retrying it; the NAV number stays in the link and the audit.
    pub fn set_write_back_refused(&self, woo_order_id: i64) -> StoreResult<()> {
        self.lock()
            .execute("UPDATE order_links SET written_back = -1, updated_at = ?1 WHERE woo_order_id = ?2", params![now_text(), woo_order_id])
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// Links not yet written back to WooCommerce (a failed write-back is retried later).
    pub fn links_to_write_back(&self, limit: usize) -> StoreResult<Vec<OrderLink>> {
        let conn = self.lock();
        let mut stmt = conn
            .prepare_cached(&format!(
                "SELECT {ORDER_COLUMNS} FROM order_links WHERE written_back = 0 AND nav_number IS NOT NULL AND state IN ('created','held') ORDER BY updated_at LIMIT ?1"
            ))
            .map_err(|e| self.err(e))?;
        let rows = stmt.query_map(params![limit as i64], OrderLink::from_row).map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// The most recently changed links, for the status screen.
    pub fn recent_order_links(&self, limit: usize) -> StoreResult<Vec<OrderLink>> {
        let conn = self.lock();
        let mut stmt = conn
            .prepare_cached(&format!("SELECT {ORDER_COLUMNS} FROM order_links ORDER BY updated_at DESC LIMIT ?1"))
            .map_err(|e| self.err(e))?;
        let rows = stmt.query_map(params![limit as i64], OrderLink::from_row).map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    pub fn customer_link(&self, link_key: &str) -> StoreResult<Option<CustomerLink>> {
        self.lock()
            .query_row(
                "SELECT link_key, nav_number, nav_id, price_group, woo_fingerprint, nav_fingerprint FROM customer_links WHERE link_key = ?1",
                params![link_key],
                |r| {
                    Ok(CustomerLink {
                        link_key: r.get(0)?,
                        nav_number: r.get(1)?,
                        nav_id: r.get(2)?,
                        price_group: r.get(3)?,
                        woo_fingerprint: r.get(4)?,
                        nav_fingerprint: r.get(5)?,
                    })
                },
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    pub fn bind_customer(&self, link: &CustomerLink) -> StoreResult<()> {
        self.lock()
            .execute(
                "INSERT INTO customer_links (link_key, nav_number, nav_id, price_group, woo_fingerprint, nav_fingerprint, updated_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT(link_key) DO UPDATE SET nav_number = excluded.nav_number, \
                 nav_id = excluded.nav_id, price_group = excluded.price_group, woo_fingerprint = excluded.woo_fingerprint, \
                 nav_fingerprint = excluded.nav_fingerprint, updated_at = excluded.updated_at",
                params![link.link_key, link.nav_number, link.nav_id, link.price_group, link.woo_fingerprint, link.nav_fingerprint, now_text()],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }
}

/// Customer links for the two-way customer sync (flows/customers): by NAV number, all at once
/// (first-run linking), many written in one transaction, and unlinking.
impl Store {
    const CUSTOMER_COLUMNS: &'static str = "link_key, nav_number, nav_id, price_group, woo_fingerprint, nav_fingerprint";

    fn customer_from_row(r: &Row<'_>) -> rusqlite::Result<CustomerLink> {
        Ok(CustomerLink {
            link_key: r.get(0)?,
            nav_number: r.get(1)?,
            nav_id: r.get(2)?,
            price_group: r.get(3)?,
            woo_fingerprint: r.get(4)?,
            nav_fingerprint: r.get(5)?,
        })
    }

    /// Registered WooCommerce customers (`id:` links) bound to this NAV customer.
    pub fn customer_links_for_nav(&self, nav_number: &str) -> StoreResult<Vec<CustomerLink>> {
        let conn = self.lock();
        let mut stmt = conn
            .prepare_cached(&format!("SELECT {} FROM customer_links WHERE nav_number = ?1 AND link_key LIKE 'id:%' ORDER BY link_key", Self::CUSTOMER_COLUMNS))
            .map_err(|e| self.err(e))?;
        let rows = stmt.query_map(params![nav_number], Self::customer_from_row).map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// Every registered customer's link (`id:` keys).
    pub fn registered_customer_links(&self) -> StoreResult<Vec<CustomerLink>> {
        let conn = self.lock();
        let mut stmt = conn
            .prepare_cached(&format!("SELECT {} FROM customer_links WHERE link_key LIKE 'id:%'", Self::CUSTOMER_COLUMNS))
            .map_err(|e| self.err(e))?;
        let rows = stmt.query_map([], Self::customer_from_row).map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// Writes many links in one transaction (one disk sync for a first-run linking).
    pub fn bind_customers(&self, links: &[CustomerLink]) -> StoreResult<()> {
        let mut conn = self.lock();
        let tx = conn.transaction().map_err(|e| self.err(e))?;
        let now = now_text();
        for link in links {
            tx.execute(
                "INSERT INTO customer_links (link_key, nav_number, nav_id, price_group, woo_fingerprint, nav_fingerprint, updated_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT(link_key) DO UPDATE SET nav_number = excluded.nav_number, \
                 nav_id = excluded.nav_id, woo_fingerprint = excluded.woo_fingerprint, \
                 nav_fingerprint = excluded.nav_fingerprint, updated_at = excluded.updated_at",
                params![link.link_key, link.nav_number, link.nav_id, link.price_group, link.woo_fingerprint, link.nav_fingerprint, now],
            )
            .map_err(|e| self.err(e))?;
        }
        tx.commit().map_err(|e| self.err(e))
    }

    /// Removes a link; whether there was one.
    pub fn unbind_customer(&self, link_key: &str) -> StoreResult<bool> {
        self.lock()
            .execute("DELETE FROM customer_links WHERE link_key = ?1", params![link_key])
            .map(|n| n > 0)
            .map_err(|e| self.err(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::nav::LineSource;

    #[test]
    fn intent_then_binding() {
        let store = Store::in_memory().unwrap();
        store.mark_creating(9, "WC-9", false).unwrap();
        let link = store.order_link(9).unwrap().unwrap();
        assert_eq!(link.state, OrderLinkState::Creating);
        store.mark_creating(9, "WC-9", true).unwrap();
        assert_eq!(store.order_link(9).unwrap().unwrap().attempts_unknown, 1);
        let lines = vec![LineLink { source: LineSource::WooItem(1), nav_line_id: "abc".into() }];
        store.bind_order(9, "WC-9", OrderLinkState::Created, "guid", "S-ORD1", "10000", "fp", "{}", &lines).unwrap();
        let link = store.order_link(9).unwrap().unwrap();
        assert_eq!(link.nav_number.as_deref(), Some("S-ORD1"));
        assert_eq!(link.lines, lines);
        assert_eq!(store.links_to_write_back(10).unwrap().len(), 1);
        store.set_written_back(9).unwrap();
        assert!(store.links_to_write_back(10).unwrap().is_empty());
    }

    #[test]
    fn a_refused_write_back_is_not_retried_and_not_shown_as_written() {
        let store = Store::in_memory().unwrap();
        store.mark_creating(7, "WC-7", false).unwrap();
        store.bind_order(7, "WC-7", OrderLinkState::Created, "guid", "S-ORD7", "10000", "fp", "{}", &[]).unwrap();
        store.set_write_back_refused(7).unwrap();
        assert!(store.links_to_write_back(10).unwrap().is_empty());
        assert!(!store.order_link(7).unwrap().unwrap().written_back);
    }

    #[test]
    fn customer_links_by_id_and_email() {
        let store = Store::in_memory().unwrap();
        let link = CustomerLink {
            link_key: customer_key_for_email(" Jane.Doe@Example.com "),
            nav_number: "30000".into(),
            nav_id: None,
            price_group: Some("RETAIL".into()),
            woo_fingerprint: None,
            nav_fingerprint: None,
        };
        store.bind_customer(&link).unwrap();
        assert_eq!(store.customer_link("email:jane.doe@example.com").unwrap(), Some(link));
        assert!(store.customer_link(&customer_key_for_id(2)).unwrap().is_none());
    }
}
