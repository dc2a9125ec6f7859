//! The retry policy: exponential backoff with jitter, `Retry-After` as a floor, a maximum number
//! of attempts after which a document is dead (needs a person).

use std::time::Duration;

/// Backoff for answers worth sending again unchanged (5xx, 429, timeouts, dropped connections).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// The first delay. Default 1 s.
    pub base: Duration,
    /// The longest delay (before the `Retry-After` floor). Default 5 min.
    pub cap: Duration,
    /// Attempts (the first send included) before the document is dead. Default 10.
    pub max_attempts: u32,
    /// Randomise each delay within [delay/2, delay] so that many units do not retry in step.
    /// Default true.
    pub jitter: bool,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            base: Duration::from_secs(1),
            cap: Duration::from_secs(300),
            max_attempts: 10,
            jitter: true,
        }
    }
}

impl RetryPolicy {
    /// The delay after the `failed`-th failed attempt (1-based): `base · 2^(failed-1)` capped,
    /// jittered, and never less than `retry_after`.
    pub fn delay(&self, failed: u32, retry_after: Option<Duration>) -> Duration {
        let exponent = failed.saturating_sub(1).min(30);
        let mut delay = self.base.saturating_mul(1u32 << exponent).min(self.cap);
        if self.jitter && !delay.is_zero() {
            let mut byte = [0u8; 2];
            let _ = getrandom::fill(&mut byte);
            let fraction = f64::from(u16::from_le_bytes(byte)) / f64::from(u16::MAX);
            delay = delay.mul_f64(0.5 + 0.5 * fraction);
        }
        delay.max(retry_after.unwrap_or_default())
    }

    /// Whether a document that has failed `failed` times may be sent again.
    pub fn allows_another(&self, failed: u32) -> bool {
        failed < self.max_attempts
    }
}

/// When a retry falls due, in the store's whole seconds: `now_ms + delay` rounded **up**, so
/// that no retry comes before `Retry-After` has passed (a claim happens only once the clock's
/// whole second has reached it), and at least the next second.
pub fn due_at(now_ms: i64, delay: Duration) -> i64 {
    let due_ms = now_ms.saturating_add(i64::try_from(delay.as_millis()).unwrap_or(i64::MAX / 2));
    let due_ms = due_ms + i64::from(!delay.subsec_nanos().is_multiple_of(1_000_000));
    let due = due_ms.div_euclid(1000) + i64::from(due_ms.rem_euclid(1000) > 0);
    due.max(now_ms.div_euclid(1000) + 1)
}

/// How long to wait from `now_ms` until the whole second `due` has begun.
pub fn until(due: i64, now_ms: i64) -> Duration {
    Duration::from_millis(due.saturating_mul(1000).saturating_sub(now_ms).max(0) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubling_capped_jittered_with_a_floor() {
        let policy = RetryPolicy { jitter: false, cap: Duration::from_secs(8), ..Default::default() };
        let delays: Vec<u64> = (1..=6).map(|n| policy.delay(n, None).as_secs()).collect();
        assert_eq!(delays, [1, 2, 4, 8, 8, 8]);
        assert_eq!(policy.delay(1, Some(Duration::from_secs(30))), Duration::from_secs(30));
        let jittered = RetryPolicy::default();
        for n in 1..=5 {
            let d = jittered.delay(n, None);
            let full = Duration::from_secs(1 << (n - 1));
            assert!(d >= full / 2 && d <= full, "{d:?} for attempt {n}");
        }
        assert!(policy.allows_another(9) && !policy.allows_another(10));
        assert_eq!(due_at(100_000, Duration::from_millis(1500)), 102);
        assert_eq!(due_at(100_000, Duration::ZERO), 101);
        assert_eq!(until(102, 100_250), Duration::from_millis(1750));
        assert_eq!(until(102, 103_000), Duration::ZERO);
    }

    #[test]
    fn a_retry_is_never_due_before_retry_after() {
        // "Retry-After: 1" answered at 100.9 s: the old whole-second arithmetic made it due at
        // 101, 0.1 s later. Due is the first whole second at or after the answer plus the delay.
        assert_eq!(due_at(100_900, Duration::from_secs(1)), 102);
        assert_eq!(due_at(100_000, Duration::from_secs(1)), 101);
        assert_eq!(due_at(100_001, Duration::from_millis(999)), 101);
        assert_eq!(due_at(100_001, Duration::from_micros(999_001)), 102);
        for now_ms in (0..5_000).step_by(7) {
            for delay_ms in [0u64, 1, 250, 999, 1000, 1001, 2500] {
                let due = due_at(now_ms, Duration::from_millis(delay_ms));
                assert!(due * 1000 >= now_ms + delay_ms as i64, "{now_ms} + {delay_ms} → {due}");
                assert!(due * 1000 < now_ms + delay_ms as i64 + 1000 || due * 1000 <= now_ms + 1000);
            }
        }
    }
}
