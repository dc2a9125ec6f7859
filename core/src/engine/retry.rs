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

/// When a retry falls due, in milliseconds since the Unix epoch (the outbox's unit): `now_ms`
/// (taken when the answer came) plus `delay` rounded **up** to the next whole millisecond, so no
/// retry comes before `Retry-After` has passed, and none comes a second late either.
#[cfg_attr(not(feature = "api"), allow(dead_code))] // the worker's
pub(crate) fn due_at(now_ms: i64, delay: Duration) -> i64 {
    let whole_ms = i64::try_from(delay.as_millis()).unwrap_or(i64::MAX / 2);
    let part_ms = i64::from(!delay.subsec_nanos().is_multiple_of(1_000_000));
    now_ms.saturating_add(whole_ms).saturating_add(part_ms)
}

/// How long to wait from `now_ms` until `due_ms` (both milliseconds since the Unix epoch).
#[cfg_attr(not(feature = "api"), allow(dead_code))] // the worker's
pub(crate) fn until(due_ms: i64, now_ms: i64) -> Duration {
    Duration::from_millis(due_ms.saturating_sub(now_ms).max(0) as u64)
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
        assert_eq!(due_at(100_000, Duration::from_millis(1500)), 101_500);
        assert_eq!(due_at(100_000, Duration::ZERO), 100_000);
        assert_eq!(until(101_500, 100_250), Duration::from_millis(1250));
        assert_eq!(until(101_500, 103_000), Duration::ZERO);
    }

    #[test]
    fn a_retry_is_due_to_the_millisecond_and_never_before_retry_after() {
        // "Retry-After: 1" answered at 100.9 s: due at 101.9 s, not at a whole second.
        assert_eq!(due_at(100_900, Duration::from_secs(1)), 101_900);
        assert_eq!(due_at(100_001, Duration::from_millis(999)), 101_000);
        // A fraction of a millisecond counts as a whole one: never early.
        assert_eq!(due_at(100_001, Duration::from_micros(999_001)), 101_001);
        assert_eq!(due_at(100_000, Duration::from_nanos(1)), 100_001);
        for now_ms in (0..5_000).step_by(7) {
            for delay_us in [0u64, 1, 999, 1000, 250_000, 999_999, 1_000_000, 1_000_001, 2_500_000] {
                let delay = Duration::from_micros(delay_us);
                let due = due_at(now_ms, delay);
                let exact_us = now_ms * 1000 + delay_us as i64;
                assert!(due * 1000 >= exact_us, "{now_ms} ms + {delay_us} µs → {due} ms: early");
                assert!(due * 1000 < exact_us + 1000, "{now_ms} ms + {delay_us} µs → {due} ms: late");
            }
        }
        assert_eq!(due_at(i64::MAX - 5, Duration::from_secs(u64::MAX)), i64::MAX, "saturates");
    }
}
