//! The audit trail: every write to NAV and WooCommerce and every rule decision, with the event,
//! the mapped document, request, response status and body, and timing. The detail is encrypted
//! (envelope purpose `audit`); only what an operator needs to find an entry stays in clear
//! (time, subject, action, system, method, status, duration, outcome).

use ml_connector_formats::Keyring;
use rusqlite::{params, OptionalExtension, Row};
use serde::Serialize;

use super::{now_text, Store, StoreError, StoreResult};

pub const AUDIT_PURPOSE: &str = "audit";

/// One entry to record.
#[derive(Clone, Debug)]
pub struct AuditRecord<'a> {
    pub job_id: Option<i64>,
    pub subject: &'a str,
    pub action: &'a str,
    pub system: &'a str,
    pub method: Option<&'a str>,
    pub status: Option<u16>,
    pub millis: Option<u64>,
    pub outcome: &'a str,
    /// Everything else: url, request body, response body, decision, document — encrypted.
    pub detail: serde_json::Value,
}

/// An entry as listed (clear columns only).
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct AuditSummary {
    pub id: i64,
    pub at: String,
    pub job_id: Option<i64>,
    pub subject: String,
    pub action: String,
    pub system: String,
    pub method: Option<String>,
    pub status: Option<u16>,
    pub millis: Option<u64>,
    pub outcome: String,
}

impl AuditSummary {
    fn from_row(row: &Row<'_>) -> rusqlite::Result<AuditSummary> {
        Ok(AuditSummary {
            id: row.get(0)?,
            at: row.get(1)?,
            job_id: row.get(2)?,
            subject: row.get(3)?,
            action: row.get(4)?,
            system: row.get(5)?,
            method: row.get(6)?,
            status: row.get(7)?,
            millis: row.get(8)?,
            outcome: row.get(9)?,
        })
    }
}

#[derive(Clone, Debug, Default)]
pub struct AuditFilter {
    pub subject: Option<String>,
    pub job_id: Option<i64>,
    pub before_id: Option<i64>,
    pub limit: usize,
}

impl Store {
    pub fn append_audit(&self, keyring: &Keyring, record: AuditRecord<'_>) -> StoreResult<i64> {
        let detail = keyring.encrypt(AUDIT_PURPOSE, record.detail.to_string().as_bytes());
        let conn = self.lock();
        conn.prepare_cached(
            "INSERT INTO audit (at, job_id, subject, action, system, method, status, millis, outcome, detail) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        )
        .and_then(|mut s| {
            s.execute(params![
                now_text(),
                record.job_id,
                record.subject,
                record.action,
                record.system,
                record.method,
                record.status,
                record.millis,
                record.outcome,
                detail
            ])
        })
        .map_err(|e| self.err(e))?;
        Ok(conn.last_insert_rowid())
    }

    pub fn list_audit(&self, filter: &AuditFilter) -> StoreResult<Vec<AuditSummary>> {
        let conn = self.lock();
        let mut stmt = conn
            .prepare_cached(
                "SELECT id, at, job_id, subject, action, system, method, status, millis, outcome FROM audit \
                 WHERE (?1 IS NULL OR subject = ?1) AND (?2 IS NULL OR job_id = ?2) AND (?3 IS NULL OR id < ?3) \
                 ORDER BY id DESC LIMIT ?4",
            )
            .map_err(|e| self.err(e))?;
        let limit = if filter.limit == 0 { 50 } else { filter.limit } as i64;
        let rows = stmt
            .query_map(params![filter.subject, filter.job_id, filter.before_id, limit], AuditSummary::from_row)
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// One entry with its detail decrypted.
    pub fn audit_entry(&self, keyring: &Keyring, id: i64) -> StoreResult<Option<(AuditSummary, serde_json::Value)>> {
        let found: Option<(AuditSummary, String)> = self
            .lock()
            .query_row(
                "SELECT id, at, job_id, subject, action, system, method, status, millis, outcome, detail FROM audit WHERE id = ?1",
                params![id],
                |row| Ok((AuditSummary::from_row(row)?, row.get(10)?)),
            )
            .optional()
            .map_err(|e| self.err(e))?;
        let Some((summary, envelope)) = found else { return Ok(None) };
        let text = keyring
            .decrypt_string(AUDIT_PURPOSE, &envelope)
            .map_err(|e| StoreError::Data(format!("audit entry {id}: {e}")))?;
        let detail = serde_json::from_str(&text).map_err(|e| StoreError::Data(format!("audit entry {id}: {e}")))?;
        Ok(Some((summary, detail)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detail_is_encrypted_and_readable_with_the_key() {
        let ring = Keyring::parse("mlc-key 0a1b2c3d AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n", "t").unwrap();
        let store = Store::in_memory().unwrap();
        let id = store
            .append_audit(
                &ring,
                AuditRecord {
                    job_id: Some(1),
                    subject: "order:5",
                    action: "create sales order",
                    system: "nav",
                    method: Some("POST"),
                    status: Some(201),
                    millis: Some(12),
                    outcome: "ok",
                    detail: serde_json::json!({"request": {"email": "jane.doe@example.com"}}),
                },
            )
            .unwrap();
        let raw: String = store.lock().query_row("SELECT detail FROM audit WHERE id = ?1", [id], |r| r.get(0)).unwrap();
        assert!(raw.starts_with("mlc1:") && !raw.contains("jane.doe"));
        let (summary, detail) = store.audit_entry(&ring, id).unwrap().unwrap();
        assert_eq!(summary.status, Some(201));
        assert_eq!(detail["request"]["email"], "jane.doe@example.com");
        let listed = store.list_audit(&AuditFilter { subject: Some("order:5".into()), ..Default::default() }).unwrap();
        assert_eq!(listed, vec![summary]);
    }
}
