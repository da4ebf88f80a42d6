//! One table of records: rows by id plus the order of their primary key, which is the order BC
//! returns rows in when no `$orderby` is given and the index paging walks from.

use std::collections::{BTreeMap, HashMap};
use std::ops::Bound;

use uuid::Uuid;

/// A record with a SystemId and a primary key.
pub trait Record: Clone {
    fn id(&self) -> Uuid;
    /// The primary key as a sortable string (multi-field keys joined with a tab).
    fn key(&self) -> String;
}

#[derive(Clone, Debug)]
pub struct Table<T> {
    rows: HashMap<Uuid, T>,
    order: BTreeMap<String, Uuid>,
}

impl<T> Default for Table<T> {
    fn default() -> Self {
        Self { rows: HashMap::new(), order: BTreeMap::new() }
    }
}

impl<T: Record> Table<T> {
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub fn get(&self, id: Uuid) -> Option<&T> {
        self.rows.get(&id)
    }

    pub fn by_key(&self, key: &str) -> Option<&T> {
        self.order.get(key).and_then(|id| self.rows.get(id))
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.order.contains_key(key)
    }

    /// Inserts a row; the caller has checked that its key is free.
    pub fn insert(&mut self, row: T) {
        self.order.insert(row.key(), row.id());
        self.rows.insert(row.id(), row);
    }

    /// Replaces the row with the same id, moving it in the key order if its key changed.
    pub fn replace(&mut self, row: T) -> Option<T> {
        let previous = self.rows.insert(row.id(), row.clone());
        if let Some(old) = &previous {
            let old_key = old.key();
            if old_key != row.key() {
                self.order.remove(&old_key);
            }
        }
        self.order.insert(row.key(), row.id());
        previous
    }

    pub fn remove(&mut self, id: Uuid) -> Option<T> {
        let row = self.rows.remove(&id)?;
        self.order.remove(&row.key());
        Some(row)
    }

    /// Rows in primary-key order.
    pub fn iter(&self) -> impl Iterator<Item = &T> + '_ {
        self.order.values().filter_map(|id| self.rows.get(id))
    }

    /// Rows after `key` (exclusive) in primary-key order.
    pub fn iter_after<'a>(&'a self, key: Option<&str>) -> Box<dyn Iterator<Item = &'a T> + 'a> {
        match key {
            None => Box::new(self.iter()),
            Some(key) => Box::new(
                self.order
                    .range::<str, _>((Bound::Excluded(key), Bound::Unbounded))
                    .filter_map(|(_, id)| self.rows.get(id)),
            ),
        }
    }
}
