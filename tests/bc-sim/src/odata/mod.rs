//! The OData layer shared by API v2.0 and the NAV page web services: values and types, entity
//! set schemas, `$filter` parsing and evaluation, query options, paging, JSON output, request
//! body validation and resource paths. It knows nothing about customers or sales orders.

pub mod body;
pub mod filter;
pub mod listing;
pub mod path;
pub mod query;
pub mod schema;
pub mod value;
