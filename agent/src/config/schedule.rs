//! When recurring work runs: `every 15m` / `every 2h` / `every 30s`, a five-field cron expression
//! (UTC), or `off`.

use std::time::Duration;

use chrono::{DateTime, Datelike, Timelike, Utc};

/// The longest `every` interval: a year and a day.
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
    /// Which of day-of-month / day-of-week were restricted (not `*`): as in cron(5), when both are,
    /// a day matches if **either** does (`0 3 1 * 1` = the 1st of the month and every Monday).
    days_restricted: bool,
    weekdays_restricted: bool,
}

/// How far a cron expression looks for its next run: 8 years always include a 29 February.
const CRON_SEARCH_DAYS: u32 = 8 * 366;

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
        let cron = Cron {
            text: text.to_string(),
            minutes: field(fields[0], 0, 59, "minute")?,
            hours: field(fields[1], 0, 23, "hour")?,
            days: field(fields[2], 1, 31, "day of month")?,
            months: field(fields[3], 1, 12, "month")?,
            weekdays: field(fields[4], 0, 7, "day of week")?.into_iter().map(|d| d % 7).collect(),
            days_restricted: !fields[2].starts_with('*'),
            weekdays_restricted: !fields[4].starts_with('*'),
        };
        // `0 0 31 2 *` parses but would silently never run: refuse it when saved.
        let epoch = DateTime::<Utc>::UNIX_EPOCH;
        if cron.next_after(epoch).is_none() {
            return Err(format!("{text:?}: never runs (no month given has that day)"));
        }
        Ok(Schedule::Cron(Box::new(cron)))
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
    fn day_matches(&self, day: chrono::NaiveDate) -> bool {
        let by_date = self.days.contains(&day.day());
        let by_weekday = self.weekdays.contains(&day.weekday().num_days_from_sunday());
        match (self.days_restricted, self.weekdays_restricted) {
            (true, true) => by_date || by_weekday,
            (true, false) => by_date,
            (false, true) => by_weekday,
            (false, false) => true,
        }
    }

    /// Day by day, then the first hour and minute of a matching day after `after`.
    fn next_after(&self, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let start = after.with_second(0)?.with_nanosecond(0)?.checked_add_signed(chrono::Duration::minutes(1))?;
        let mut day = start.date_naive();
        for _ in 0..CRON_SEARCH_DAYS {
            if self.months.contains(&day.month()) && self.day_matches(day) {
                let from = if day == start.date_naive() { (start.hour(), start.minute()) } else { (0, 0) };
                let at = self.hours.iter().flat_map(|h| self.minutes.iter().map(move |m| (*h, *m))).find(|t| *t >= from);
                if let Some((hour, minute)) = at {
                    return Some(day.and_hms_opt(hour, minute, 0)?.and_utc());
                }
            }
            day = day.succ_opt()?;
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
    fn day_of_month_and_weekday_together_mean_either_as_in_cron() {
        // The 1st of the month or any Monday; 2026-11-28 is a Saturday.
        let either = Schedule::parse("0 3 1 * 1").unwrap();
        let at = Utc.with_ymd_and_hms(2026, 11, 28, 10, 0, 0).unwrap();
        assert_eq!(either.next_after(at).unwrap(), Utc.with_ymd_and_hms(2026, 11, 30, 3, 0, 0).unwrap());
        let after_monday = Utc.with_ymd_and_hms(2026, 11, 30, 4, 0, 0).unwrap();
        assert_eq!(either.next_after(after_monday).unwrap(), Utc.with_ymd_and_hms(2026, 12, 1, 3, 0, 0).unwrap());
    }

    #[test]
    fn a_leap_day_schedule_is_accepted_and_found() {
        let leap = Schedule::parse("0 0 29 2 *").unwrap();
        let at = Utc.with_ymd_and_hms(2026, 11, 28, 10, 0, 0).unwrap();
        assert_eq!(leap.next_after(at).unwrap(), Utc.with_ymd_and_hms(2028, 2, 29, 0, 0, 0).unwrap());
    }

    #[test]
    fn the_next_run_is_later_the_same_day_when_one_is_left() {
        let twice = Schedule::parse("15,45 10 * * *").unwrap();
        let at = Utc.with_ymd_and_hms(2026, 11, 28, 10, 15, 30).unwrap();
        assert_eq!(twice.next_after(at).unwrap(), Utc.with_ymd_and_hms(2026, 11, 28, 10, 45, 0).unwrap());
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
            ("0 0 31 2 *", "never runs"),
            ("0 0 30 2 *", "never runs"),
        ] {
            let error = Schedule::parse(text).unwrap_err();
            assert!(error.contains(expected), "{text}: {error}");
        }
    }
}
