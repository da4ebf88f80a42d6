//! The formats the PHP extension and the agent share, defined once:
//!
//! - [`event`]: the event schema (what WordPress hands to the agent),
//! - [`spool`]: the spool database (SQLite, WAL) that carries events, settings and status,
//! - [`envelope`]: the AES-256-GCM encryption envelope and the key file it uses,
//! - [`wake`]: the datagram that wakes the agent.
//!
//! This crate has no async runtime and no network code, so the extension can link it.

pub mod envelope;
pub mod event;
pub mod spool;
pub mod wake;

pub use envelope::{EnvelopeError, Keyring};
pub use event::{Event, EventError, EventKind, EVENT_SCHEMA_VERSION};
pub use spool::{Spool, SpoolError, SpooledEvent, SPOOL_SCHEMA_VERSION};

/// Now, UTC, RFC 3339 with milliseconds — the one timestamp format of the spool.
pub fn utc_now() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    format_unix_millis(now.as_millis() as i64)
}

/// Formats milliseconds since the epoch as `YYYY-MM-DDTHH:MM:SS.mmmZ` (proleptic Gregorian, UTC).
pub fn format_unix_millis(millis: i64) -> String {
    let secs = millis.div_euclid(1000);
    let ms = millis.rem_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (h, m, s) = (rem / 3600, (rem % 3600) / 60, rem % 60);
    // Howard Hinnant's days-to-civil.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let mo = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if mo <= 2 { y + 1 } else { y };
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{m:02}:{s:02}.{ms:03}Z")
}

#[cfg(test)]
mod tests {
    #[test]
    fn formats_known_instants() {
        assert_eq!(super::format_unix_millis(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(super::format_unix_millis(1_795_862_096_123), "2026-11-28T10:34:56.123Z");
        assert_eq!(super::format_unix_millis(951_782_400_000), "2000-02-29T00:00:00.000Z");
    }
}
