//! EGS identity text (SDK `.properties` or JSON) → CSR with the SDK key → CSR reader.
//! Errors are fine, panics are not; an identity that reads back must survive its `.properties`
//! form, and every CSR built must parse back to the same identity, template and a valid signature.
#![no_main]
use libfuzzer_sys::fuzz_target;

#[path = "../common/sdk_key.rs"]
mod sdk_key;

const ENVIRONMENTS: [&str; 4] = ["developer-portal", "simulation", "core", "http://127.0.0.1:1"];

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(identity) = qayd::embed::identity_from_text(text) else { return };
    let trimmed = [
        &identity.common_name,
        &identity.serial_number,
        &identity.organization_identifier,
        &identity.organization_unit_name,
        &identity.organization_name,
        &identity.country_name,
        &identity.invoice_type,
        &identity.location_address,
        &identity.industry_business_category,
    ]
    .iter()
    .all(|v| v.trim() == v.as_str());
    // `.properties` values are trimmed on reading, so only trimmed identities can round-trip.
    if trimmed {
        let again = qayd::CsrConfig::from_properties(&identity.to_properties());
        assert_eq!(again.as_ref().ok(), Some(&identity), "properties round trip: {again:?}");
    }
    let environment = ENVIRONMENTS[data.len() % ENVIRONMENTS.len()];
    let Ok(csr) = qayd::embed::build_csr(&identity, sdk_key::key_pem(), environment) else { return };
    let expected_template = environment.parse::<qayd::Environment>().unwrap().certificate_template_name();
    for form in [csr.pem.as_bytes(), csr.base64.as_bytes()] {
        let parsed = qayd::parse_csr(form).expect("a CSR we built must parse");
        assert!(parsed.signature_valid);
        assert_eq!(parsed.config, identity);
        assert_eq!(parsed.template_name.as_deref(), Some(expected_template));
    }
});
