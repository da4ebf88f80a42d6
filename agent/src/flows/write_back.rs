//! Write-back: the NAV document number goes onto the WooCommerce order (meta + a note), through
//! the REST API, marked as the agent's own write. Fingerprints ignore meta and notes, so the
//! event WordPress fires for this write is recognised as "no change" and not sent back to NAV.
//! A failed write-back does not fail the sync; a sweep retries it, unless WooCommerce refused it
//! for good (order deleted, request invalid).

use super::audit_exchanges_for;
use crate::adapter::http::Recorder;
use crate::runtime::Runtime;
use crate::store::jobs::Job;

pub async fn write_back(rt: &Runtime, job: &Job, order_id: i64, nav_number: &str) {
    write_back_for(rt, Some(job.id), order_id, nav_number).await;
}

async fn write_back_for(rt: &Runtime, job_id: Option<i64>, order_id: i64, nav_number: &str) -> bool {
    let Some(woo) = &rt.woo else { return false };
    let rec = Recorder::default();
    let note = format!("Sent to Business Central / NAV as sales order {nav_number}.");
    let result = woo.write_back_order(order_id, nav_number, &note, &rec).await;
    audit_exchanges_for(rt, job_id, &format!("order:{order_id}"), "write NAV number back", &rec);
    match result {
        Ok(()) => {
            if let Err(error) = rt.store.set_written_back(order_id) {
                tracing::error!(%error, order_id, "could not record the write-back");
            }
            true
        }
        Err(error) if error.is_retryable() => {
            tracing::warn!(%error, order_id, "writing the NAV number back to WooCommerce failed; will retry");
            false
        }
        Err(error) => {
            // The order is gone (deleted in WooCommerce) or the shop refuses the request as such:
            // retrying every sweep would never succeed. The NAV number stays in the link and audit.
            tracing::warn!(%error, order_id, nav_number, "WooCommerce refused the NAV number write-back; not retrying");
            if let Err(error) = rt.store.set_write_back_refused(order_id) {
                tracing::error!(%error, order_id, "could not record the refused write-back");
            }
            false
        }
    }
}

/// Retries write-backs that failed earlier. Returns how many succeeded.
pub async fn sweep(rt: &Runtime) -> usize {
    let pending = match rt.store.links_to_write_back(50) {
        Ok(pending) => pending,
        Err(error) => {
            tracing::error!(%error, "reading pending write-backs failed");
            return 0;
        }
    };
    let mut done = 0;
    for link in pending {
        if let Some(number) = &link.nav_number {
            if write_back_for(rt, None, link.woo_order_id, number).await {
                done += 1;
            }
        }
    }
    done
}
