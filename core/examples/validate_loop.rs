//! Validates one document N times: the driver for instruction counts of `qayd::validate`
//! (`valgrind --tool=callgrind`, repeatable where wall-clock time is not).
//!
//! `validate_loop [N] [FILE | lines:K] [parse]` — FILE defaults to the shared 5-line benchmark
//! invoice; `lines:K` writes the simplified example model with K lines (as the criterion bench
//! does); `parse` times `qayd::__internal::xml::parse` alone. Run from the repository root.
#[path = "../benches/support/mod.rs"]
mod support;

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(100);
    let source = args.next().unwrap_or_else(|| "tests/bench/simplified-5-lines.xml".into());
    let parse_only = args.next().as_deref() == Some("parse");
    let xml = match source.strip_prefix("lines:") {
        Some(k) => {
            support::grown("simplified_invoice", k.parse().expect("lines:K takes a number")).to_xml().unwrap()
        }
        None => std::fs::read(&source).expect("readable document"),
    };
    let now = 1_700_000_000;
    let mut total = 0;
    for _ in 0..n {
        total += if parse_only {
            qayd::__internal::xml::parse(&xml).unwrap().descendants().count()
        } else {
            qayd::validate::validate_at(&xml, now).unwrap().findings.len()
        };
    }
    println!("{total}");
}
