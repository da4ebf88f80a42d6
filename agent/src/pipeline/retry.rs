//! When to try again: the server's retry-after when it gave one, otherwise exponential backoff
//! with full jitter (spreads retries of many jobs so they do not stampede), capped.

use std::time::Duration;

use rand::Rng;

pub fn backoff(attempt: u32, base: Duration, cap: Duration, retry_after: Option<Duration>) -> Duration {
    if let Some(wait) = retry_after {
        return wait.min(cap.max(Duration::from_secs(1)));
    }
    let exponent = attempt.saturating_sub(1).min(20);
    let ceiling = base.saturating_mul(1u32 << exponent).min(cap);
    let millis = ceiling.as_millis().max(1) as u64;
    Duration::from_millis(rand::thread_rng().gen_range(millis / 2..=millis))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_with_attempts_stays_under_the_cap_and_honours_retry_after() {
        let base = Duration::from_millis(100);
        let cap = Duration::from_secs(10);
        for attempt in 1..30 {
            let wait = backoff(attempt, base, cap, None);
            let ceiling = base.saturating_mul(1 << (attempt - 1).min(20)).min(cap);
            assert!(wait <= ceiling && wait >= ceiling / 2, "attempt {attempt}: {wait:?}");
        }
        assert_eq!(backoff(1, base, cap, Some(Duration::from_secs(3))), Duration::from_secs(3));
        assert_eq!(backoff(1, base, cap, Some(Duration::from_secs(999))), cap);
    }
}
