//! Sales documents as BC processes them: header and line writes with their validation, dimension
//! sets, amounts and VAT, and posting (ship and invoice, post drafts, cancel, corrective credit
//! memos).

pub mod dimensions;
pub mod headers;
pub mod lines;
pub mod posting;
pub mod totals;
