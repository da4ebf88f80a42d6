//! The item catalog cache: NAV item numbers, GTINs and variant codes with their ids, so a known
//! order needs no lookups (one deep insert). Refreshed from NAV at start and on a miss.

use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};

use super::{Store, StoreResult};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CatalogItem {
    pub number: String,
    pub id: String,
    pub gtin: String,
    pub display_name: String,
    pub blocked: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CatalogVariant {
    pub item_number: String,
    pub code: String,
    pub id: String,
}

impl Store {
    pub fn upsert_items(&self, items: &[CatalogItem]) -> StoreResult<()> {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(|e| self.err(e))?;
        {
            let mut stmt = tx
                .prepare_cached(
                    "INSERT INTO items (number, id, gtin, display_name, blocked) VALUES (?1, ?2, ?3, ?4, ?5) \
                     ON CONFLICT(number) DO UPDATE SET id = excluded.id, gtin = excluded.gtin, display_name = excluded.display_name, blocked = excluded.blocked",
                )
                .map_err(|e| self.err(e))?;
            for item in items {
                stmt.execute(params![item.number, item.id, item.gtin, item.display_name, item.blocked as i64])
                    .map_err(|e| self.err(e))?;
            }
        }
        tx.commit().map_err(|e| self.err(e))
    }

    pub fn upsert_variants(&self, variants: &[CatalogVariant]) -> StoreResult<()> {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(|e| self.err(e))?;
        {
            let mut stmt = tx
                .prepare_cached(
                    "INSERT INTO item_variants (item_number, code, id) VALUES (?1, ?2, ?3) \
                     ON CONFLICT(item_number, code) DO UPDATE SET id = excluded.id",
                )
                .map_err(|e| self.err(e))?;
            for v in variants {
                stmt.execute(params![v.item_number, v.code, v.id]).map_err(|e| self.err(e))?;
            }
        }
        tx.commit().map_err(|e| self.err(e))
    }

    pub fn item_by_number(&self, number: &str) -> StoreResult<Option<CatalogItem>> {
        self.item_where("number = ?1", number)
    }

    pub fn item_by_gtin(&self, gtin: &str) -> StoreResult<Option<CatalogItem>> {
        if gtin.trim().is_empty() {
            return Ok(None);
        }
        self.item_where("gtin = ?1", gtin)
    }

    fn item_where(&self, condition: &str, value: &str) -> StoreResult<Option<CatalogItem>> {
        self.lock()
            .query_row(
                &format!("SELECT number, id, gtin, display_name, blocked FROM items WHERE {condition} LIMIT 1"),
                params![value],
                |r| {
                    Ok(CatalogItem {
                        number: r.get(0)?,
                        id: r.get(1)?,
                        gtin: r.get(2)?,
                        display_name: r.get(3)?,
                        blocked: r.get::<_, i64>(4)? != 0,
                    })
                },
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    pub fn variant(&self, item_number: &str, code: &str) -> StoreResult<Option<CatalogVariant>> {
        self.lock()
            .query_row(
                "SELECT item_number, code, id FROM item_variants WHERE item_number = ?1 AND code = ?2",
                params![item_number, code],
                |r| Ok(CatalogVariant { item_number: r.get(0)?, code: r.get(1)?, id: r.get(2)? }),
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    pub fn item_count(&self) -> StoreResult<i64> {
        self.lock().query_row("SELECT COUNT(*) FROM items", [], |r| r.get(0)).map_err(|e| self.err(e))
    }
}
