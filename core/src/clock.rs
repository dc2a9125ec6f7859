//! One clock policy. ZATCA dates and times are Saudi local time (Asia/Riyadh, UTC+3 all year, no
//! daylight saving): the issue date and time (BT-2, KSA-25), the QR timestamp (tag 3, built from
//! them) and the signing time all use it, so a document issued between 00:00 and 03:00 in Riyadh
//! is never dated "in the future" (BR-KSA-04) as it would be with UTC dates.
//!
//! The pure part never reads the clock on its own; the engine takes a [`Clock`] so tests can set
//! the time.

use time::macros::{format_description, offset};
use time::{OffsetDateTime, UtcOffset};

/// Riyadh's offset from UTC.
pub(crate) const RIYADH: UtcOffset = offset!(+3);

/// Where "now" comes from.
pub trait Clock: Send + Sync {
    /// Seconds since the Unix epoch.
    fn now_unix(&self) -> i64;

    /// Milliseconds since the Unix epoch. Deadlines that must never come early (`Retry-After`)
    /// are computed from it; clocks without sub-second time give whole seconds.
    fn now_millis(&self) -> i64 {
        self.now_unix().saturating_mul(1000)
    }
}

/// The system clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_unix(&self) -> i64 {
        OffsetDateTime::now_utc().unix_timestamp()
    }

    fn now_millis(&self) -> i64 {
        (OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
    }
}

/// A clock that says what it is told (tests, replays).
#[derive(Debug, Default)]
pub struct FixedClock(pub std::sync::atomic::AtomicI64);

impl FixedClock {
    pub fn at(unix: i64) -> Self {
        FixedClock(std::sync::atomic::AtomicI64::new(unix))
    }
    pub fn set(&self, unix: i64) {
        self.0.store(unix, std::sync::atomic::Ordering::SeqCst);
    }
}

impl Clock for FixedClock {
    fn now_unix(&self) -> i64 {
        self.0.load(std::sync::atomic::Ordering::SeqCst)
    }
}

fn riyadh(unix: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(unix).unwrap_or(OffsetDateTime::UNIX_EPOCH).to_offset(RIYADH)
}

/// The Riyadh date (`YYYY-MM-DD`) and time (`HH:MM:SS`) of a Unix time: IssueDate and IssueTime.
pub fn riyadh_date_time(unix: i64) -> (String, String) {
    let at = riyadh(unix);
    let date = at.format(format_description!("[year]-[month]-[day]")).unwrap_or_default();
    let time = at.format(format_description!("[hour]:[minute]:[second]")).unwrap_or_default();
    (date, time)
}

/// `YYYY-MM-DDTHH:MM:SS` in Riyadh: the form of `xades:SigningTime` (no zone suffix, as the SDK).
pub(crate) fn riyadh_timestamp(unix: i64) -> String {
    let (date, time) = riyadh_date_time(unix);
    format!("{date}T{time}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn riyadh_is_utc_plus_three_across_midnight() {
        // 2025-03-14 22:30:00 UTC is already the 15th in Riyadh.
        let unix = 1_741_991_400;
        assert_eq!(riyadh_date_time(unix), ("2025-03-15".to_owned(), "01:30:00".to_owned()));
        assert_eq!(riyadh_timestamp(unix), "2025-03-15T01:30:00");
        let clock = FixedClock::at(unix);
        clock.set(unix + 60);
        assert_eq!(clock.now_unix(), unix + 60);
        assert!(SystemClock.now_unix() > unix);
    }
}
