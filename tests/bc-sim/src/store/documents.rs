//! A table of sales documents of one kind with the indexes the connector's lookups hit:
//! External Document No. (idempotency checks), the source order of posted invoices, and line id →
//! document (top-level `salesOrderLines(<id>)`).

use std::collections::{BTreeSet, HashMap};

use uuid::Uuid;

use super::sales::SalesDoc;
use super::table::Table;

#[derive(Clone, Debug, Default)]
pub struct Documents {
    table: Table<SalesDoc>,
    by_external: HashMap<String, BTreeSet<Uuid>>,
    by_order: HashMap<Uuid, BTreeSet<Uuid>>,
    by_line: HashMap<Uuid, Uuid>,
}

impl Documents {
    pub fn get(&self, id: Uuid) -> Option<&SalesDoc> {
        self.table.get(id)
    }

    pub fn by_number(&self, number: &str) -> Option<&SalesDoc> {
        self.table.by_key(number)
    }

    pub fn iter(&self) -> impl Iterator<Item = &SalesDoc> + '_ {
        self.table.iter()
    }

    pub fn iter_after<'a>(&'a self, number: Option<&str>) -> Box<dyn Iterator<Item = &'a SalesDoc> + 'a> {
        self.table.iter_after(number)
    }

    /// Documents with this External Document No. (BC does not keep it unique).
    pub fn with_external_number<'a>(&'a self, external: &str) -> impl Iterator<Item = &'a SalesDoc> + 'a {
        self.by_external.get(external).into_iter().flatten().filter_map(|id| self.table.get(*id))
    }

    /// Posted documents created from this order.
    pub fn from_order<'a>(&'a self, order_id: Uuid) -> impl Iterator<Item = &'a SalesDoc> + 'a {
        self.by_order.get(&order_id).into_iter().flatten().filter_map(|id| self.table.get(*id))
    }

    /// The document holding a line.
    pub fn with_line(&self, line_id: Uuid) -> Option<&SalesDoc> {
        self.by_line.get(&line_id).and_then(|id| self.table.get(*id))
    }

    pub fn insert(&mut self, doc: SalesDoc) {
        self.index(&doc);
        self.table.insert(doc);
    }

    /// Replaces the document with the same id, keeping the indexes right.
    pub fn replace(&mut self, doc: SalesDoc) {
        if let Some(old) = self.table.get(doc.id).cloned() {
            self.unindex(&old);
        }
        self.index(&doc);
        self.table.replace(doc);
    }

    pub fn remove(&mut self, id: Uuid) -> Option<SalesDoc> {
        let doc = self.table.remove(id)?;
        self.unindex(&doc);
        Some(doc)
    }

    fn index(&mut self, doc: &SalesDoc) {
        if !doc.external_document_number.is_empty() {
            self.by_external.entry(doc.external_document_number.clone()).or_default().insert(doc.id);
        }
        if !doc.order_id.is_nil() {
            self.by_order.entry(doc.order_id).or_default().insert(doc.id);
        }
        for line in &doc.lines {
            self.by_line.insert(line.id, doc.id);
        }
    }

    fn unindex(&mut self, doc: &SalesDoc) {
        if let Some(ids) = self.by_external.get_mut(&doc.external_document_number) {
            ids.remove(&doc.id);
            if ids.is_empty() {
                self.by_external.remove(&doc.external_document_number);
            }
        }
        if let Some(ids) = self.by_order.get_mut(&doc.order_id) {
            ids.remove(&doc.id);
            if ids.is_empty() {
                self.by_order.remove(&doc.order_id);
            }
        }
        for line in &doc.lines {
            self.by_line.remove(&line.id);
        }
    }
}
