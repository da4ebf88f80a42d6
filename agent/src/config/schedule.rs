//! When recurring work runs: `every 15m` / `every 2h` / `every 30s`, a five-field cron expression
//! (UTC), or `off`.

use std::time::Duration;

use chrono::{DateTime, Datelike, Timelike, Utc};

/// The longest `every` interval: a year and a day, as far as a cron expression looks ahead.
const LONGEST_INTERVAL_SECS: u64 = 366 * 24 * 3600;

#[derive(Clone, Debug, PartialEq)]
pub enum Schedule {
    Off,
    Every(Duration),
    Cron(Box<Cron>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Cron {
    text: String,
    minutes: Vec<u32>,
    hours: Vec<u32>,
    days: Vec<u32>,
    months: Vec<u32>,
    weekdays: Vec<u32>,
}

impl Schedule {
    pub fn parse(text: &str) -> Result<Schedule, String> {
        let text = text.trim();
        if text.eq_ignore_ascii_case("off") {
            return Ok(Schedule::Off);
        }
        if let Some(every) = text.strip_prefix("every ") {
            let every = every.trim();
            let (number, unit) = every.split_at(every.find(|c: char| !c.is_ascii_digit()).unwrap_or(every.len()));
            let n: u64 = number.parse().map_err(|_| format!("{text:?}: expected `every <number><s|m|h>`"))?;
            let unit_secs = match unit.trim() {
                "s" => 1,
                "m" => 60,
                "h" => 3600,
                _ => return Err(format!("{text:?}: unit must be s, m or h")),
            };
            if n == 0 {
                return Err(format!("{text:?}: interval must be above zero"));
            }
            // A bound, so no interval overflows when multiplied or added to a date (found by
            // fuzzing: `every 99999999999999h` panicked the scheduler).
            let secs = n.checked_mul(unit_secs).filter(|secs| *secs <= LONGEST_INTERVAL_SECS);
            let Some(secs) = secs else {
                return Err(format!("{text:?}: interval must be at most 366 days"));
            };
            return Ok(Schedule::Every(Duration::from_secs(secs)));
        }
        let fields: Vec<&str> = text.split_whitespace().collect();
        if fields.len() != 5 {
            return Err(format!("{text:?}: expected `off`, `every 15m` or a cron expression with 5 fields"));
        }
        Ok(Schedule::Cron(Box::new(Cron {
            text: text.to_string(),
            minutes: field(fields[0], 0, 59, "minute")?,
            hours: field(fields[1], 0, 23, "hour")?,
            days: field(fields[2], 1, 31, "day of month")?,
            months: field(fields[3], 1, 12, "month")?,
            weekdays: field(fields[4], 0, 7, "day of week")?.into_iter().map(|d| d % 7).collect(),
        })))
    }

    /// The next run strictly after `after`, or `None` when off.
    pub fn next_after(&self, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
        match self {
            Schedule::Off => None,
            Schedule::Every(interval) => after.checked_add_signed(chrono::Duration::from_std(*interval).ok()?),
            Schedule::Cron(cron) => cron.next_after(after),
        }
    }
}

impl Cron {
    fn next_after(&self, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let mut t = after.with_second(0)?.with_nanosecond(0)? + chrono::Duration::minutes(1);
        // A year of minutes bounds the search (an impossible date like 31 February never matches).
        for _ in 0..(366 * 24 * 60) {
            if self.months.contains(&t.month())
                && self.days.contains(&t.day())
                && self.weekdays.contains(&t.weekday().num_days_from_sunday())
                && self.hours.contains(&t.hour())
                && self.minutes.contains(&t.minute())
            {
                return Some(t);
            }
            t += chrono::Duration::minutes(1);
        }
        None
    }
}

impl std::fmt::Display for Schedule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Schedule::Off => f.write_str("off"),
            Schedule::Every(d) => write!(f, "every {}s", d.as_secs()),
            Schedule::Cron(c) => f.write_str(&c.text),
        }
    }
}

fn field(text: &str, min: u32, max: u32, name: &str) -> Result<Vec<u32>, String> {
    let mut values = Vec::new();
    for part in text.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((range, step)) => (range, step.parse::<u32>().map_err(|_| format!("{name}: bad step in {part:?}"))?),
            None => (part, 1),
        };
        if step == 0 {
            return Err(format!("{name}: step must be above zero"));
        }
        let (low, high) = if range == "*" {
            (min, max)
        } else if let Some((a, b)) = range.split_once('-') {
            (parse_in(a, min, max, name)?, parse_in(b, min, max, name)?)
        } else {
            let v = parse_in(range, min, max, name)?;
            (v, if part.contains('/') { max } else { v })
        };
        if low > high {
            return Err(format!("{name}: range {range:?} is backwards"));
        }
        values.extend((low..=high).step_by(step as usize));
    }
    values.sort_unstable();
    values.dedup();
    Ok(values)
}

fn parse_in(text: &str, min: u32, max: u32, name: &str) -> Result<u32, String> {
    let v: u32 = text.parse().map_err(|_| format!("{name}: {text:?} is not a number"))?;
    if v < min || v > max {
        return Err(format!("{name}: {v} is outside {min}-{max}"));
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn parses_intervals_cron_and_off() {
        assert_eq!(Schedule::parse("every 15m").unwrap(), Schedule::Every(Duration::from_secs(900)));
        assert_eq!(Schedule::parse("every 2h").unwrap(), Schedule::Every(Duration::from_secs(7200)));
        assert_eq!(Schedule::parse("off").unwrap(), Schedule::Off);
        let nightly = Schedule::parse("0 3 * * *").unwrap();
        let at = Utc.with_ymd_and_hms(2026, 11, 28, 10, 0, 0).unwrap();
        assert_eq!(nightly.next_after(at).unwrap(), Utc.with_ymd_and_hms(2026, 11, 29, 3, 0, 0).unwrap());
        let quarter = Schedule::parse("*/15 * * * *").unwrap();
        assert_eq!(quarter.next_after(at).unwrap(), Utc.with_ymd_and_hms(2026, 11, 28, 10, 15, 0).unwrap());
        let weekdays = Schedule::parse("30 6 * * 1-5").unwrap();
        // 2026-11-28 is a Saturday: next is Monday 30 November.
        assert_eq!(weekdays.next_after(at).unwrap(), Utc.with_ymd_and_hms(2026, 11, 30, 6, 30, 0).unwrap());
    }

    #[test]
    fn the_longest_interval_still_gives_a_next_run() {
        let yearly = Schedule::parse("every 8784h").unwrap();
        let at = Utc.with_ymd_and_hms(2026, 11, 28, 10, 0, 0).unwrap();
        assert_eq!(yearly.next_after(at).unwrap(), Utc.with_ymd_and_hms(2027, 11, 29, 10, 0, 0).unwrap());
        assert_eq!(yearly.next_after(DateTime::<Utc>::MAX_UTC), None, "no overflow at the end of time");
    }

    #[test]
    fn names_what_is_wrong() {
        for (text, expected) in [
            ("every 15", "unit"),
            ("every m", "every <number>"),
            ("every 0m", "above zero"),
            ("every 8785h", "at most 366 days"),
            ("every 99999999999999999h", "at most 366 days"),
            ("61 * * * *", "minute: 61"),
            ("* * *", "5 fields"),
            ("*/0 * * * *", "step"),
        ] {
            let error = Schedule::parse(text).unwrap_err();
            assert!(error.contains(expected), "{text}: {error}");
        }
    }
}
