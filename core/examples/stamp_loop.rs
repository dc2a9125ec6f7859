//! Stamps one document N times: the driver for instruction-count comparisons of the bindings
//! against the core, and for profiles (`valgrind --tool=callgrind`, see README).
//!
//! `stamp_loop [N] [SOURCE]` — SOURCE defaults to the shared 5-line benchmark invoice (XML,
//! `qayd::stamp`); `json:FILE` stamps an invoice model's JSON with `embed::stamp_invoice` (what
//! the bindings' fast path does); `lines:K` does the same with the standard example model grown
//! to K lines (as the criterion bench does). Run from the repository root.
#[path = "../benches/support/mod.rs"]
mod support;

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(100);
    let source = args.next().unwrap_or_else(|| "tests/bench/simplified-5-lines.xml".into());
    let read = |p: &str| std::fs::read(p).unwrap();
    let signer = support::signer();
    let time = "2025-07-22T15:51:28";
    let model = match (source.strip_prefix("json:"), source.strip_prefix("lines:")) {
        (Some(path), _) => Some(String::from_utf8(read(path)).unwrap()),
        (_, Some(k)) => Some(
            support::grown("standard_invoice", k.parse().expect("lines:K takes a number")).to_json().unwrap(),
        ),
        _ => None,
    };
    let xml = if model.is_none() { read(&source) } else { Vec::new() };
    let options = qayd::StampOptions { signing_time: Some(time.into()) };
    let mut total = 0;
    for _ in 0..n {
        let stamped = match &model {
            Some(json) => qayd::embed::stamp_invoice(&signer, json, Some(time)),
            None => qayd::stamp(&xml, &signer, &options),
        };
        total += stamped.unwrap().xml.len();
    }
    println!("{total}");
}
