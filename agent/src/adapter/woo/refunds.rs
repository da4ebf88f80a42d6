//! An order's refunds (`GET /orders/{id}/refunds`): the refunds flow reads them all each time, so
//! what NAV gets follows WooCommerce as it is now — several partial refunds, a refund deleted.

use reqwest::Method;

use super::Woo;
use crate::adapter::http::Recorder;
use crate::adapter::{AdapterError, AdapterResult, System};
use crate::mapper::credit_memo::Refund;

/// WooCommerce's largest page.
const PER_PAGE: u32 = 100;

impl Woo {
    /// Every refund of the order, oldest first; `None` when the order no longer exists.
    pub async fn order_refunds(&self, order_id: i64, rec: &Recorder) -> AdapterResult<Option<Vec<Refund>>> {
        let mut all: Vec<Refund> = Vec::new();
        for page in 1.. {
            let params = vec![("per_page".to_string(), PER_PAGE.to_string()), ("page".to_string(), page.to_string())];
            let answer = match self.send(Method::GET, &format!("orders/{order_id}/refunds"), &params, None, rec).await {
                Ok(answer) => answer,
                Err(AdapterError::NotFound { .. }) => return Ok(None),
                Err(e) => return Err(e),
            };
            let refunds: Vec<Refund> = answer.json(System::Woo)?;
            let full = refunds.len() as u32 == PER_PAGE;
            all.extend(refunds);
            if !full {
                break;
            }
        }
        all.sort_by_key(|r| r.id);
        Ok(Some(all))
    }
}
