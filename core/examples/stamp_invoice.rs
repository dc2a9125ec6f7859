//! Stamp one of ZATCA's sample invoices with the SDK's dummy test certificate, verify it and
//! print what an API call needs. Run from the repository root:
//! `cargo run -p qayd --example stamp_invoice`.

fn main() -> Result<(), qayd::Error> {
    let read =
        |path: &str| std::fs::read(path).map_err(|e| qayd::Error::InvalidInput(format!("{path}: {e}")));
    let certificates = "tests/vectors/sdk-R3.4.8/Data/Certificates";
    let signer = qayd::Signer::from_bytes(
        &read(&format!("{certificates}/cert.pem"))?,
        &read(&format!("{certificates}/ec-secp256k1-priv-key.pem"))?,
    )?;
    let invoice = read("tests/conformance/inputs/simplified-invoice.unsigned.xml")?;

    let stamped = qayd::stamp(&invoice, &signer, &qayd::StampOptions::default())?;
    let report = qayd::verify(&stamped.xml)?;

    println!("uuid:         {}", stamped.uuid);
    println!("invoice hash: {}", stamped.invoice_hash);
    println!("verified:     {}", report.valid);
    for field in qayd::qr::decode(&stamped.qr)? {
        println!("  QR {:>2} {:<22} {}", field.tag, field.name, field.value);
    }
    Ok(())
}
