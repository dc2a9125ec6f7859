//! Stamps one document N times: the driver for instruction-count comparisons of the bindings
//! against the core, and for profiles (`valgrind --tool=callgrind`, see README).
//!
//! `stamp_loop [N] [SOURCE]` — SOURCE defaults to the shared 5-line benchmark invoice (XML,
//! `qayd::stamp`); `json:FILE` stamps an invoice model's JSON with `embed::stamp_invoice` (what
//! the bindings' fast path does); `lines:K` does the same with the standard example model grown
//! to K lines (as the criterion bench does). Run from the repository root.
fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(100);
    let source = args.next().unwrap_or_else(|| "tests/bench/simplified-5-lines.xml".into());
    let read = |p: &str| std::fs::read(p).unwrap();
    let certs = "tests/vectors/sdk-R3.4.8/Data/Certificates";
    let signer = qayd::Signer::from_bytes(
        &read(&format!("{certs}/cert.pem")),
        &read(&format!("{certs}/ec-secp256k1-priv-key.pem")),
    )
    .unwrap();
    let time = "2025-07-22T15:51:28";
    let model = match (source.strip_prefix("json:"), source.strip_prefix("lines:")) {
        (Some(path), _) => Some(String::from_utf8(read(path)).unwrap()),
        (_, Some(k)) => Some(grown(k.parse().expect("lines:K takes a number"))),
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

/// The standard example model with `lines` lines, amounts left to the writer, as JSON.
fn grown(lines: usize) -> String {
    let json = std::fs::read_to_string("core/tests/fixtures/models/standard_invoice.json").unwrap();
    let mut invoice = qayd::model::Invoice::from_json(&json).unwrap();
    invoice.totals = None;
    let template = invoice.lines.clone();
    invoice.lines = (0..lines).map(|i| template[i % template.len()].clone()).collect();
    for line in &mut invoice.lines {
        line.net_amount = None;
        line.vat_amount = None;
        line.amount_with_vat = None;
    }
    invoice.to_json().unwrap()
}
