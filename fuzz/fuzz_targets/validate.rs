//! The validator on any bytes: typed error or a report whose `valid` is "no error finding".
//! The clock is fixed (2026-01-01) so a crash reproduces.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(report) = qayd::validate::validate_at(data, 1_767_225_600) {
        assert_eq!(report.valid, report.errors().next().is_none());
    }
});
