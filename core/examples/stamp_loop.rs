//! Stamps the shared 5-line benchmark invoice N times: the driver for instruction-count
//! comparisons of the bindings against the core (`valgrind --tool=callgrind`, see README).
fn main() {
    let n: usize = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(100);
    let read = |p: &str| std::fs::read(p).unwrap();
    let certs = "tests/vectors/sdk-R3.4.8/Data/Certificates";
    let signer = qayd::Signer::from_bytes(
        &read(&format!("{certs}/cert.pem")),
        &read(&format!("{certs}/ec-secp256k1-priv-key.pem")),
    )
    .unwrap();
    let xml = read("tests/bench/simplified-5-lines.xml");
    let options = qayd::StampOptions { signing_time: Some("2025-07-22T15:51:28".into()) };
    let mut total = 0;
    for _ in 0..n {
        total += qayd::stamp(&xml, &signer, &options).unwrap().xml.len();
    }
    println!("{total}");
}
