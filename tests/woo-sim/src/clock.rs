//! The site's clock: WordPress keeps every date twice, in site-local time (`date_x`) and in UTC
//! (`date_x_gmt`), both formatted `YYYY-MM-DDTHH:MM:SS` without an offset. The simulated site runs
//! at a fixed UTC offset (`--utc-offset-hours`, default +1) so that the two differ, as they do on
//! any European shop. Timestamps are whole seconds, like the MySQL `DATETIME` columns behind them.

use chrono::{DateTime, NaiveDateTime};

/// Seconds since the epoch, UTC.
pub type Timestamp = i64;

pub fn now() -> Timestamp {
    chrono::Utc::now().timestamp()
}

/// `YYYY-MM-DDTHH:MM:SS` of a UTC timestamp shifted by `offset_secs`.
pub fn format(ts: Timestamp, offset_secs: i64) -> String {
    DateTime::from_timestamp(ts + offset_secs, 0)
        .map(|d| d.format("%Y-%m-%dT%H:%M:%S").to_string())
        .unwrap_or_default()
}

/// A date query parameter (`after`, `modified_after`, ...), as WordPress handles it.
///
/// WordPress first validates the value as RFC 3339 (`rest_parse_date`), then `WP_Date_Query`
/// turns it into a wall-clock value **in the site's timezone** and compares that with the chosen
/// column (`post_modified` or, with `dates_are_gmt`, `post_modified_gmt`). A value without an offset
/// is taken as site-local wall-clock and kept as written; a value with an offset (`Z`, `+02:00`) is
/// converted to site-local wall-clock first. Derived from `WP_Date_Query::build_mysql_datetime`
/// (**unconfirmed** on a running store): we take the stricter reading, under which
/// `dates_are_gmt=true` with a `Z` suffix is off by the site offset — send GMT values without an
/// offset.
///
/// Returns the wall-clock value as seconds on a naive axis (comparable with `ts + column offset`),
/// or `None` when WordPress would reject the value with "Invalid date.".
pub fn parse_query_date(value: &str, site_offset_secs: i64) -> Option<i64> {
    let value = value.trim();
    let bytes = value.as_bytes();
    if bytes.len() < 19 || !bytes.is_ascii() {
        return None;
    }
    let (head, tail) = value.split_at(19);
    let normalized = head.replacen(['t', ' '], "T", 1);
    let naive = NaiveDateTime::parse_from_str(&normalized, "%Y-%m-%dT%H:%M:%S").ok()?;
    let wall = naive.and_utc().timestamp();
    let mut rest = tail;
    if let Some(stripped) = rest.strip_prefix('.') {
        let digits = stripped.chars().take_while(|c| c.is_ascii_digit()).count();
        if digits == 0 {
            return None;
        }
        rest = &stripped[digits..];
    }
    let given_offset = match rest {
        "" => return Some(wall),
        "Z" | "z" => 0,
        _ => {
            let sign = match rest.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let body = &rest[1..];
            let (hours, minutes) = match body.len() {
                2 => (body.parse::<i64>().ok()?, 0),
                5 if body.as_bytes()[2] == b':' => (body[..2].parse::<i64>().ok()?, body[3..].parse::<i64>().ok()?),
                _ => return None,
            };
            if !body.bytes().all(|b| b.is_ascii_digit() || b == b':') || hours > 23 || minutes > 59 {
                return None;
            }
            sign * (hours * 3600 + minutes * 60)
        }
    };
    // Instant in UTC, then wall-clock in the site's timezone.
    Some(wall - given_offset + site_offset_secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_local_and_gmt() {
        assert_eq!(format(0, 0), "1970-01-01T00:00:00");
        assert_eq!(format(0, 3600), "1970-01-01T01:00:00");
    }

    #[test]
    fn query_dates_become_site_wall_clock() {
        let naive = parse_query_date("1970-01-01T01:00:00", 3600).unwrap();
        assert_eq!(naive, 3600, "no offset: kept as written");
        let zulu = parse_query_date("1970-01-01T01:00:00Z", 3600).unwrap();
        assert_eq!(zulu, 7200, "Z: converted to site-local");
        assert_eq!(parse_query_date("1970-01-01T01:00:00.123+01:00", 3600), Some(3600));
        assert_eq!(parse_query_date("yesterday", 3600), None);
        assert_eq!(parse_query_date("1970-01-01T01:00:00+1", 3600), None);
    }
}
