//! `replay`: put a job, every parked job, or an order (as it is now) back in line; with
//! `--dry-run`, show what would be sent and how it differs from what NAV holds now.

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use clap::Args;
use ml_connector_formats::{Event, Spool};

use crate::adapter::http::Recorder;
use crate::flows::commands::{replay, ReplayTarget};
use crate::mapper::customer::{link_key, plan_customer, CustomerPlan};
use crate::mapper::order::{map_order, CustomerChoice};
use crate::mapper::evaluate_rules;
use crate::model::woo::Order;
use crate::runtime::Runtime;

#[derive(Args)]
pub struct ReplayArgs {
    /// A job id (from `status` or `audit list`).
    pub job: Option<i64>,
    /// Every parked and held job.
    #[arg(long, conflicts_with_all = ["job", "order"])]
    pub parked: bool,
    /// A WooCommerce order, read again as it is now.
    #[arg(long, conflicts_with = "job")]
    pub order: Option<i64>,
    /// Show what would be sent and the difference with NAV; change nothing.
    #[arg(long)]
    pub dry_run: bool,
}

pub async fn run(config: Option<&Path>, args: ReplayArgs) -> anyhow::Result<ExitCode> {
    let target = match (args.job, args.parked, args.order) {
        (Some(job), false, None) => ReplayTarget::Job(job),
        (None, true, None) => ReplayTarget::Parked,
        (None, false, Some(order)) => ReplayTarget::Order(order),
        _ => anyhow::bail!("say what to replay: a job id, --parked, or --order <id>"),
    };
    let file_only = super::file_settings(config)?;
    let spool = Spool::open(&file_only.agent.spool_path).ok();
    let (settings, keyring, _) = crate::daemon::load_settings(config, spool.as_ref())?;
    let store = Arc::new(super::status::open_store(&settings.agent)?);
    let rt = Runtime::build(Arc::new(settings), store, keyring, chrono::Utc::now().timestamp_millis());
    if args.dry_run {
        return dry_run(&rt, &target).await;
    }
    let jobs = replay(&rt, &target).map_err(anyhow::Error::msg)?;
    let woke = ml_connector_formats::wake::wake(&rt.settings.agent.wake_socket, 0);
    println!("queued {} job(s): {:?}", jobs.len(), jobs);
    if woke != ml_connector_formats::wake::WakeOutcome::Sent {
        println!("the agent is not running; they run when it starts");
    }
    Ok(ExitCode::SUCCESS)
}

async fn dry_run(rt: &Runtime, target: &ReplayTarget) -> anyhow::Result<ExitCode> {
    let orders: Vec<(Option<i64>, i64, Option<Event>)> = match target {
        ReplayTarget::Order(id) => vec![(None, *id, None)],
        ReplayTarget::Job(id) => {
            let job = rt.store.job(*id)?.ok_or_else(|| anyhow::anyhow!("there is no job {id}"))?;
            let event = Event::from_json(&job.event)?;
            vec![(Some(job.id), event.object_id, Some(event))]
        }
        ReplayTarget::Parked => {
            let mut all = Vec::new();
            for state in [crate::store::jobs::JobState::Parked, crate::store::jobs::JobState::Held] {
                for job in rt.store.jobs_in_state(state, 1000)? {
                    if let (Some(order), Ok(event)) = (job.order_id(), Event::from_json(&job.event)) {
                        all.push((Some(job.id), order, Some(event)));
                    }
                }
            }
            all
        }
    };
    for (job, order_id, event) in orders {
        println!("== order {order_id}{} ==", job.map(|j| format!(" (job {j})")).unwrap_or_default());
        match preview(rt, order_id, event.as_ref()).await {
            Ok(text) => println!("{text}"),
            Err(error) => println!("cannot be sent as it is: {error:#}"),
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// What a replay of this order would send, and how it differs from NAV now. Reads only.
async fn preview(rt: &Runtime, order_id: i64, event: Option<&Event>) -> anyhow::Result<String> {
    let rec = Recorder::default();
    // The order as it is now (what a replay sends); the job's snapshot when WooCommerce is unreachable.
    let order: Order = match &rt.woo {
        Some(woo) => match woo.get_order(order_id, &rec).await? {
            Some(order) => order,
            None => anyhow::bail!("order {order_id} no longer exists in WooCommerce"),
        },
        None => serde_json::from_value(event.map(|e| e.payload.clone()).unwrap_or_default())?,
    };
    let link = rt.store.customer_link(&link_key(&order))?;
    let customer = match plan_customer(&order, &rt.settings.orders, link.as_ref())? {
        CustomerPlan::Linked { number, .. } => CustomerChoice { number, shared_guest: false },
        CustomerPlan::SharedGuest { number } => CustomerChoice { number, shared_guest: true },
        CustomerPlan::FindOrCreate { email, draft, .. } => {
            CustomerChoice { number: format!("(found by e-mail {email:?}, or created as {:?})", draft.display_name), shared_guest: false }
        }
    };
    let rules = evaluate_rules(&rt.settings.orders.rules, &order);
    let mapped = map_order(&order, &rt.settings.orders, &customer, &rules, &rt.catalog())?;
    let mut out = format!("would send:\n{}\n", serde_json::to_string_pretty(&mapped.draft)?);
    let Some(order_link) = rt.store.order_link(order_id)? else {
        out.push_str("NAV has no sales order for it yet: a replay creates one (after checking NAV for an earlier create).");
        return Ok(out);
    };
    let Some(nav) = &rt.nav else {
        out.push_str("NAV is not configured: cannot compare");
        return Ok(out);
    };
    let known = crate::adapter::nav::NavSalesOrder {
        id: order_link.nav_id.clone().unwrap_or_default(),
        number: order_link.nav_number.clone().unwrap_or_default(),
        external_document_number: order_link.external_document_number.clone(),
        customer_number: order_link.customer_number.clone().unwrap_or_default(),
        etag: None,
        total_including_tax: None,
        total_excluding_tax: None,
        lines: None,
    };
    match nav.get_sales_order(&known, &rec).await? {
        None => out.push_str(&format!("NAV no longer has sales order {} (posted or deleted): nothing would be changed there", known.number)),
        Some(current) => {
            out.push_str(&format!("NAV holds sales order {} now, total {:?} including tax, {:?} net (WooCommerce: {} / {}):\n", current.number,
                current.total_including_tax, current.total_excluding_tax, mapped.draft.expected_total_including_tax, mapped.draft.expected_total_excluding_tax));
            for line in current.lines.unwrap_or_default() {
                let wanted = mapped.draft.lines.iter().any(|w| w.number == line.number && w.quantity == line.quantity && w.unit_price.round_dp(5) == line.unit_price.round_dp(5));
                out.push_str(&format!("  {} {:<8} {:<12} qty {:<6} price {:<10} {}\n", if wanted { " " } else { "-" }, line.line_type, line.number,
                    line.quantity, line.unit_price, if wanted { "" } else { "(would be removed)" }));
            }
        }
    }
    Ok(out)
}
