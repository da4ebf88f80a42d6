//! Commands from WP admin and WP-CLI that travel through the spool: replay, live check, resync.
//! (Settings reloads are handled by the daemon, which owns the runtime.)

use ml_connector_formats::{Event, EventKind};
use serde::Deserialize;

use super::Outcome;
use crate::runtime::Runtime;
use crate::store::jobs::JobState;

/// What a replay targets: every parked/held job, one job, or an order's latest job.
#[derive(Debug, Clone, PartialEq)]
pub enum ReplayTarget {
    Parked,
    Job(i64),
    Order(i64),
}

impl ReplayTarget {
    pub fn parse(text: &str) -> Result<ReplayTarget, String> {
        let text = text.trim();
        if text == "parked" {
            return Ok(ReplayTarget::Parked);
        }
        let number = |prefix: &str| text.strip_prefix(prefix).and_then(|n| n.parse::<i64>().ok()).filter(|n| *n > 0);
        if let Some(id) = number("job:") {
            return Ok(ReplayTarget::Job(id));
        }
        if let Some(id) = number("order:") {
            return Ok(ReplayTarget::Order(id));
        }
        Err(format!("replay target {text:?} is not `parked`, `job:<id>` or `order:<id>`"))
    }
}

/// Puts the targeted work back in line. Returns the job ids queued.
pub fn replay(rt: &Runtime, target: &ReplayTarget) -> Result<Vec<i64>, String> {
    let store = &rt.store;
    let err = |e: crate::store::StoreError| e.to_string();
    match target {
        ReplayTarget::Parked => {
            let mut queued = Vec::new();
            for state in [JobState::Parked, JobState::Held] {
                for job in store.jobs_in_state(state, 10_000).map_err(err)? {
                    if store.requeue(job.id).map_err(err)? {
                        queued.push(job.id);
                    }
                }
            }
            Ok(queued)
        }
        ReplayTarget::Job(id) => {
            let job = store.job(*id).map_err(err)?.ok_or_else(|| format!("there is no job {id}"))?;
            if matches!(job.state, JobState::Pending | JobState::Running) {
                return Err(format!("job {id} is {} already", job.state.as_str()));
            }
            store.requeue(*id).map_err(err)?;
            Ok(vec![*id])
        }
        ReplayTarget::Order(order_id) => {
            // A fresh job that reads the order as it is now and sends it even if nothing changed.
            let event = Event::new(EventKind::OrderUpdated, *order_id, "replay", serde_json::Value::Null);
            for job in store.jobs_for_subject(&format!("order:{order_id}")).map_err(err)? {
                if matches!(job.state, JobState::Parked | JobState::Held) {
                    store.finish(job.id, JobState::Superseded, Some("replayed as a new job")).map_err(err)?;
                }
            }
            Ok(vec![store.add_job(&event).map_err(err)?])
        }
    }
}

#[derive(Deserialize)]
struct ReplayArgs {
    target: String,
}

#[derive(Deserialize)]
struct CheckArgs {
    request_id: String,
}

#[derive(Deserialize)]
struct ResyncArgs {
    order_id: i64,
}

pub async fn run_command(rt: &Runtime, event: &Event) -> Outcome {
    match event.kind {
        EventKind::CommandReplay => {
            let args: ReplayArgs = match serde_json::from_value(event.payload.clone()) {
                Ok(args) => args,
                Err(e) => return Outcome::Park(format!("replay command: {e}")),
            };
            match ReplayTarget::parse(&args.target).and_then(|t| replay(rt, &t)) {
                Ok(jobs) => Outcome::Done(format!("replay queued {} job(s)", jobs.len())),
                Err(reason) => Outcome::Park(reason),
            }
        }
        EventKind::CommandResync => {
            let args: ResyncArgs = match serde_json::from_value(event.payload.clone()) {
                Ok(args) => args,
                Err(e) => return Outcome::Park(format!("resync command: {e}")),
            };
            let event = Event::new(EventKind::OrderUpdated, args.order_id, "resync", serde_json::Value::Null);
            match rt.store.add_job(&event) {
                Ok(id) => Outcome::Done(format!("resync of order {} queued as job {id}", args.order_id)),
                Err(e) => Outcome::Park(e.to_string()),
            }
        }
        EventKind::CommandCheck => {
            let args: CheckArgs = match serde_json::from_value(event.payload.clone()) {
                Ok(args) => args,
                Err(e) => return Outcome::Park(format!("check command: {e}")),
            };
            let report = crate::check::live_check(rt, &args.request_id).await;
            let json = serde_json::to_string(&report).unwrap_or_default();
            match ml_connector_formats::Spool::open(&rt.settings.agent.spool_path)
                .and_then(|spool| spool.put_status(&format!("check:{}", args.request_id), &json))
            {
                Ok(()) => Outcome::Done(format!("live check {}: {}", args.request_id, if report.ok { "ok" } else { "problems found" })),
                Err(e) => Outcome::Park(format!("could not write the check result: {e}")),
            }
        }
        other => Outcome::Skipped(format!("{other} is not a command")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_targets_and_names_bad_ones() {
        assert_eq!(ReplayTarget::parse("parked").unwrap(), ReplayTarget::Parked);
        assert_eq!(ReplayTarget::parse("job:12").unwrap(), ReplayTarget::Job(12));
        assert_eq!(ReplayTarget::parse(" order:7 ").unwrap(), ReplayTarget::Order(7));
        for bad in ["", "job:", "job:-1", "order:x", "everything"] {
            assert!(ReplayTarget::parse(bad).unwrap_err().contains("is not"), "{bad}");
        }
    }
}
