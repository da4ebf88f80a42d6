//! Target `schedule`: a schedule as written in settings (`every 15m`, a five-field cron
//! expression, `off`) parsed by `config::Schedule::parse`, and an accepted schedule asked for its
//! next runs from a few instants (the scheduler does this on every tick).

use chrono::{DateTime, TimeZone, Utc};
use ml_connector_agent::config::Schedule;

use crate::input::{combine, hash, outcome, text, Outcome};

pub fn run(data: &[u8]) -> Outcome {
    let schedule = match Schedule::parse(&text(data)) {
        Ok(schedule) => schedule,
        Err(error) => return outcome(&error),
    };
    // Displayed (status page, `config` command) and read back, a schedule is the same schedule.
    let shown = schedule.to_string();
    match Schedule::parse(&shown) {
        Ok(again) => assert_eq!(again.to_string(), shown, "schedule {shown:?} changed on reading back"),
        Err(error) => panic!("schedule shown as {shown:?} does not parse: {error}"),
    }
    let kind = match schedule {
        Schedule::Off => 0,
        Schedule::Every(_) => 1,
        Schedule::Cron(_) => 2,
    };
    let mut seen = vec![kind];
    for at in instants() {
        let next = schedule.next_after(at);
        if let Some(next) = next {
            assert!(next > at, "{shown}: next run {next} is not after {at}");
        }
        seen.push(hash(&next.is_some()));
    }
    combine(&seen)
}

/// Now-ish, a leap day, and the last minute of a year.
fn instants() -> Vec<DateTime<Utc>> {
    [(2026, 11, 28, 10, 0, 0), (2028, 2, 29, 23, 59, 30), (2026, 12, 31, 23, 59, 59)]
        .into_iter()
        .filter_map(|(y, mo, d, h, mi, s)| Utc.with_ymd_and_hms(y, mo, d, h, mi, s).single())
        .collect()
}
