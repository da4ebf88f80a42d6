//! WooCommerce customers for the two-way customer sync: pages of every customer (first-run
//! linking) and `PUT customers/{id}` with what NAV changed. Writes carry the agent origin header
//! like every write of this adapter.

use reqwest::Method;

use super::{header_number, Page, Woo};
use crate::adapter::http::Recorder;
use crate::adapter::{AdapterError, AdapterResult, System};
use crate::model::woo::Customer;

/// WooCommerce's largest page.
pub const CUSTOMERS_PER_PAGE: u32 = 100;

impl Woo {
    /// One page of customers of every role, by id. `role=all`: the default lists only the role
    /// `customer`, which would miss wholesale and other shop roles (reference gotcha 17).
    pub async fn customers_page(&self, page: u32, rec: &Recorder) -> AdapterResult<Page<Customer>> {
        let params = vec![
            ("role".to_string(), "all".to_string()),
            ("orderby".to_string(), "id".to_string()),
            ("order".to_string(), "asc".to_string()),
            ("per_page".to_string(), CUSTOMERS_PER_PAGE.to_string()),
            ("page".to_string(), page.to_string()),
        ];
        let answer = self.send(Method::GET, "customers", &params, None, rec).await?;
        let total = header_number(&answer.headers, "x-wp-total");
        let total_pages = header_number(&answer.headers, "x-wp-totalpages");
        Ok(Page { items: answer.json(System::Woo)?, total, total_pages })
    }

    /// Updates a customer; `None` when it no longer exists.
    pub async fn update_customer(&self, id: i64, body: &serde_json::Value, rec: &Recorder) -> AdapterResult<Option<Customer>> {
        match self.send(Method::PUT, &format!("customers/{id}"), &[], Some(body), rec).await {
            Ok(answer) => answer.json(System::Woo).map(Some),
            // WooCommerce answers an unknown customer id on update with 400 woocommerce_rest_invalid_id.
            Err(AdapterError::NotFound { .. }) => Ok(None),
            Err(AdapterError::Rejected { code, .. }) if code == "woocommerce_rest_invalid_id" => Ok(None),
            Err(e) => Err(e),
        }
    }
}
