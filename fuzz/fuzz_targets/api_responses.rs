//! The Fatoora API answers (`SubmissionResponse`, `CsidResponse`) and the stored onboarding
//! credentials (`EgsCredentials`) on any bytes: typed error or Ok, and what reads must
//! survive being written and read again.
#![no_main]
use libfuzzer_sys::fuzz_target;
use qayd::api::{CsidResponse, SubmissionResponse};
use qayd::onboarding::EgsCredentials;

fuzz_target!(|data: &[u8]| {
    if let Ok(response) = serde_json::from_slice::<SubmissionResponse>(data) {
        let _ = (response.errors(), response.warnings(), response.status());
        let json = serde_json::to_vec(&response).unwrap();
        assert_eq!(serde_json::from_slice::<SubmissionResponse>(&json).unwrap(), response);
    }
    if let Ok(response) = serde_json::from_slice::<CsidResponse>(data) {
        let _ = response.certificate();
        let _ = format!("{response:?}");
        let json = serde_json::to_vec(&response).unwrap();
        assert!(serde_json::from_slice::<CsidResponse>(&json).unwrap() == response);
    }
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(credentials) = EgsCredentials::from_json(text) {
        let _ = credentials.private_key();
        let _ = credentials.signer();
        let _ = credentials.production_credentials();
        let _ = credentials.compliance_credentials();
        let _ = credentials.summary();
        let _ = credentials.expires_in(1_767_225_600);
        let _ = format!("{credentials:?}");
        let json = credentials.to_json().unwrap();
        assert!(EgsCredentials::from_json(&json).unwrap() == credentials);
    }
});
