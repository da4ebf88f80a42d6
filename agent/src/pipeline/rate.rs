//! Our own pacing: a token bucket that keeps the agent under BC's per-user limit (6,000 requests
//! per 5 minutes online) instead of discovering it through 429s. Waiters are served in order.

use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::Instant;

pub struct Pacer {
    rate_per_sec: f64,
    burst: f64,
    state: Mutex<Bucket>,
}

struct Bucket {
    tokens: f64,
    refilled: Instant,
    /// The server asked everyone to wait (429/503 with retry-after) until then.
    paused_until: Option<Instant>,
}

impl Pacer {
    pub fn new(rate_per_sec: f64, burst: u32) -> Self {
        let burst = f64::from(burst.max(1));
        Pacer { rate_per_sec, burst, state: Mutex::new(Bucket { tokens: burst, refilled: Instant::now(), paused_until: None }) }
    }

    /// Waits until a request may be sent. The lock is held while sleeping so that waiters queue
    /// fairly (tokio's mutex is FIFO).
    pub async fn acquire(&self) {
        let mut bucket = self.state.lock().await;
        if let Some(until) = bucket.paused_until.take() {
            tokio::time::sleep_until(until).await;
            // Start again gently: one request, not the whole burst.
            bucket.tokens = bucket.tokens.min(1.0);
            bucket.refilled = Instant::now();
        }
        loop {
            let now = Instant::now();
            let elapsed = now.duration_since(bucket.refilled).as_secs_f64();
            bucket.tokens = (bucket.tokens + elapsed * self.rate_per_sec).min(self.burst);
            bucket.refilled = now;
            if bucket.tokens >= 1.0 {
                bucket.tokens -= 1.0;
                return;
            }
            let wait = (1.0 - bucket.tokens) / self.rate_per_sec;
            tokio::time::sleep(Duration::from_secs_f64(wait)).await;
        }
    }

    /// Holds every request back for `wait` (the server throttled us): one pause for all, instead
    /// of each job discovering the limit with its own 429.
    pub async fn pause(&self, wait: Duration) {
        let until = Instant::now() + wait;
        let mut bucket = self.state.lock().await;
        if bucket.paused_until.is_none_or(|current| current < until) {
            bucket.paused_until = Some(until);
        }
    }

    pub fn rate_per_sec(&self) -> f64 {
        self.rate_per_sec
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn paces_to_the_rate_after_the_burst() {
        let pacer = Pacer::new(10.0, 5);
        let start = Instant::now();
        for _ in 0..25 {
            pacer.acquire().await;
        }
        // 5 at once, then 20 at 10 per second.
        let elapsed = start.elapsed().as_secs_f64();
        assert!((1.95..=2.05).contains(&elapsed), "{elapsed}");
    }

    #[tokio::test(start_paused = true)]
    async fn a_pause_holds_everyone_back_then_resumes_gently() {
        let pacer = Pacer::new(10.0, 5);
        pacer.acquire().await;
        pacer.pause(Duration::from_secs(3)).await;
        let start = Instant::now();
        pacer.acquire().await;
        pacer.acquire().await;
        let elapsed = start.elapsed().as_secs_f64();
        // 3 s of pause, then one token, then 0.1 s for the next.
        assert!((3.05..=3.15).contains(&elapsed), "{elapsed}");
    }
}
