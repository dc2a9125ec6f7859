//! Production-CSID renewal through the engine, on SQLite, against the local gateway (which checks
//! every document's signature, that the signing certificate is the CSID used, and the unit's
//! ICV/PIH continuity): the chain continues across a renewal with the new certificate, the 428
//! path runs the compliance samples again, a failed renewal leaves the old credentials stored
//! and usable, another environment is refused before anything is sent, a unit stored without
//! its identity needs the CSR values once, a stopped unit is resumed. The store scenarios
//! (identity kept, schema upgrade) are in `store_scenarios/renewal.rs`, shared with PostgreSQL.

mod engine_support;
mod store_scenarios;
mod store_support;

use engine_support::*;
use qayd::engine::{Engine, EventKind};
use qayd::secrets::MasterKey;
use qayd::store::SubmissionStatus;
use qayd_gateway::{Fault, Gateway, GatewayConfig};
use store_scenarios::chain::assert_chain;
use store_scenarios::renewal::{connected, onboarded};
use store_scenarios::scenario_tests;
use store_support::Db;

scenario_tests!(async renewal::{
    the_identity_is_kept_with_the_credentials_and_renewal_replaces_them,
} on store_support::file);

scenario_tests!(sync renewal::{credentials_written_by_the_previous_schema_upgrade_in_place} on store_support::file);

/// An engine on a fresh SQLite store with `pos-1` onboarded through `set_onboarded`.
async fn renewable(gateway: &Gateway, serial: &str) -> (Db, Engine) {
    let db = Db::sqlite_file();
    let engine = connected(&db, gateway, &MasterKey::generate().unwrap());
    engine.set_onboarded("pos-1", &onboarded(gateway, serial).await).unwrap();
    (db, engine)
}

fn serial_in(xml: &[u8]) -> String {
    let text = String::from_utf8_lossy(xml);
    let start = text.find("<ds:X509SerialNumber>").unwrap() + "<ds:X509SerialNumber>".len();
    text[start..].split('<').next().unwrap().to_owned()
}

fn renewal_requests(gateway: &Gateway) -> usize {
    gateway.received().iter().filter(|r| r.method == "PATCH" && r.path.ends_with("/production/csids")).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_chain_continues_across_a_renewal_with_the_new_certificate() {
    let gateway = gateway().await;
    let (_db, engine) = renewable(&gateway, "renew-chain").await;
    let old_serial = engine.unlock("pos-1").unwrap().signer.certificate().serial_decimal().to_owned();
    let previous_not_after = engine.store().credentials("pos-1").unwrap().unwrap().not_after;
    let mut issued = vec![engine.issue_invoice("pos-1", &standard()).unwrap()];
    issued.push(engine.issue_invoice("pos-1", &simplified()).unwrap());
    assert_eq!(engine.drain().await.unwrap().sent, 2);
    // Queued when the renewal starts: sent first, under the CSID that signed it.
    issued.push(engine.issue_invoice("pos-1", &simplified()).unwrap());

    let outcome = engine.renew("pos-1", OTP).await.unwrap();
    assert_eq!((outcome.egs_id.as_str(), outcome.previous_not_after), ("pos-1", previous_not_after));
    assert_eq!(outcome.sent_before_renewal, 1);
    assert_eq!(outcome.unsent_with_previous_certificate, 0);
    assert_eq!(outcome.compliance_samples, 0, "renewed without a 428");
    assert_ne!(outcome.certificate_serial, old_serial);
    assert!(outcome.not_after >= previous_not_after && outcome.not_after > engine.now());
    assert_eq!(renewal_requests(&gateway), 1);
    let stored = engine.store().credentials("pos-1").unwrap().unwrap();
    assert_eq!(stored.not_after, outcome.not_after);

    for invoice in [simplified(), standard(), simplified()] {
        issued.push(engine.issue_invoice("pos-1", &invoice).unwrap());
    }
    let summary = engine.drain().await.unwrap();
    assert_eq!((summary.sent, summary.rejected), (3, 0), "{summary:?}");
    // Every document accepted once by a gateway that checks the chain per EGS unit and that the
    // signing certificate is the CSID used to send it.
    let acceptances = gateway.acceptances();
    let documents = engine.store().documents("pos-1").unwrap();
    assert_chain(&documents, 6);
    for (document, before) in documents.iter().zip(&issued) {
        assert_eq!(document.uuid, before.uuid);
        assert_eq!(acceptances.get(&document.uuid), Some(&1), "ICV {}", document.icv);
        assert!(matches!(document.status, SubmissionStatus::Cleared | SubmissionStatus::Reported));
        let expected = if document.icv <= 3 { &old_serial } else { &outcome.certificate_serial };
        assert_eq!(&serial_in(&document.xml), expected, "ICV {} signed by", document.icv);
        assert!(qayd::verify(&document.xml).unwrap().valid);
    }
    let events = engine.events_since(0, 100).unwrap();
    let renewed: Vec<_> = events.iter().filter(|e| e.kind == EventKind::CertificateRenewed).collect();
    assert_eq!(renewed.len(), 1);
    assert_eq!((renewed[0].egs_id.as_str(), renewed[0].icv), ("pos-1", None));
    assert_eq!(renewed[0].data["not_after"], outcome.not_after);
    assert_eq!(renewed[0].data["certificate_serial"], outcome.certificate_serial.as_str());
    // The renewal is in the audit log, the OTP is not.
    let mut audit = Vec::new();
    engine.export_audit(&mut audit).unwrap();
    let audit = String::from_utf8(audit).unwrap();
    assert!(audit.contains("renew_production_csid"), "{audit}");
    assert!(!audit.contains(&format!("\"{OTP}\"")), "OTP in the audit log");
    assert!(engine.verify_audit().unwrap().is_intact());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_428_renewal_runs_the_compliance_samples_then_issues_the_csid() {
    let gateway = Gateway::start(GatewayConfig {
        require_compliance_steps: false,
        renewal_requires_compliance: true,
        ..Default::default()
    })
    .await
    .unwrap();
    let (_db, engine) = renewable(&gateway, "renew-428").await;
    let first = engine.issue_invoice("pos-1", &simplified()).unwrap();
    let outcome = engine.renew("pos-1", OTP).await.unwrap();
    let identity = engine.identity("pos-1").unwrap().unwrap();
    assert_eq!(outcome.compliance_samples as usize, qayd::onboarding::required_samples(&identity).len());
    assert!(outcome.compliance_samples > 0);
    let received = gateway.received();
    let after_patch = received.iter().skip_while(|r| r.method != "PATCH").collect::<Vec<_>>();
    assert_eq!(
        after_patch.iter().filter(|r| r.path.ends_with("/compliance/invoices")).count() as u64,
        outcome.compliance_samples
    );
    assert!(after_patch.iter().any(|r| r.method == "POST" && r.path.ends_with("/production/csids")));
    let second = engine.issue_invoice("pos-1", &simplified()).unwrap();
    assert_eq!(engine.drain().await.unwrap().reported, 1, "the first went out before the renewal");
    assert_eq!(serial_in(&second.xml), outcome.certificate_serial);
    for document in [&first, &second] {
        assert_eq!(gateway.acceptances()[&document.uuid], 1);
    }
    assert_chain(&engine.store().documents("pos-1").unwrap(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_renewal_leaves_the_old_credentials_stored_and_usable() {
    let gateway = gateway().await;
    let (_db, engine) = renewable(&gateway, "renew-fail").await;
    let before = engine.store().credentials("pos-1").unwrap().unwrap();
    let serial = engine.unlock("pos-1").unwrap().signer.certificate().serial_decimal().to_owned();

    let error = engine.renew("pos-1", "999999").await.unwrap_err();
    assert_eq!(error.code(), "API_REJECTED", "{error}");
    assert!(error.to_string().contains("Invalid-OTP"), "{error}");
    assert!(!error.to_string().contains("999999"), "no OTP in errors: {error}");
    gateway.inject(Fault { status: Some(503), ..Default::default() });
    let error = engine.renew("pos-1", OTP).await.unwrap_err();
    assert_eq!(error.code(), "HTTP", "{error}");
    assert!(engine.renew("pos-1", " ").await.unwrap_err().to_string().contains("OTP"));
    assert_eq!(renewal_requests(&gateway), 2, "the empty OTP was refused before sending");

    let after = engine.store().credentials("pos-1").unwrap().unwrap();
    assert!(after == before, "stored credentials untouched");
    assert!(engine.events_since(0, 10).unwrap().iter().all(|e| e.kind != EventKind::CertificateRenewed));
    let document = engine.issue_invoice("pos-1", &simplified()).unwrap();
    assert_eq!(serial_in(&document.xml), serial);
    assert_eq!(engine.drain().await.unwrap().reported, 1);
    assert_eq!(gateway.acceptances()[&document.uuid], 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn renewal_through_another_environment_is_refused_before_anything_is_sent() {
    let home = gateway().await;
    let elsewhere = gateway().await;
    let db = Db::sqlite_file();
    let key = MasterKey::generate().unwrap();
    connected(&db, &home, &key).set_onboarded("pos-1", &onboarded(&home, "renew-env").await).unwrap();
    let before = db.open().credentials("pos-1").unwrap().unwrap();
    home.clear_received();
    let other = connected(&db, &elsewhere, &key);
    let error = other.renew("pos-1", OTP).await.unwrap_err();
    assert_eq!(error.code(), "ENVIRONMENT_MISMATCH", "{error}");
    assert!(home.received().is_empty() && elsewhere.received().is_empty(), "nothing sent");
    assert!(db.open().credentials("pos-1").unwrap().unwrap() == before);
    // Not connected at all: a clear error too.
    let offline = Engine::new(db.open()).with_master_key(key);
    assert_eq!(offline.renew("pos-1", OTP).await.unwrap_err().code(), "INVALID_INPUT");
    // No credentials: nothing to renew.
    assert_eq!(other.renew("pos-2", OTP).await.unwrap_err().code(), "INVALID_INPUT");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_unit_stored_without_its_identity_is_renewed_with_the_csr_values_once() {
    let gateway = gateway().await;
    let db = Db::sqlite_file();
    let engine = connected(&db, &gateway, &MasterKey::generate().unwrap());
    let onboarded = onboarded(&gateway, "renew-legacy").await;
    engine
        .set_credentials("pos-1", &onboarded.production_credentials(), &onboarded.private_key().unwrap())
        .unwrap();
    let error = engine.renew("pos-1", OTP).await.unwrap_err();
    assert_eq!(error.code(), "INVALID_INPUT");
    assert!(error.to_string().contains("identity"), "{error}");
    assert_eq!(renewal_requests(&gateway), 0);
    let mut steps = Vec::new();
    let outcome = engine
        .renew_with("pos-1", OTP, Some(&onboarded.identity), &mut |p| steps.push(p.step))
        .await
        .unwrap();
    assert_eq!(steps, ["build CSR", "renew production CSID", "check certificate"]);
    assert_eq!(engine.identity("pos-1").unwrap(), Some(onboarded.identity.clone()), "now stored");
    let again = engine.renew("pos-1", OTP).await.unwrap();
    assert_ne!(again.certificate_serial, outcome.certificate_serial);
    assert_eq!(again.previous_not_after, outcome.not_after);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn renewal_resumes_a_stopped_unit_and_counts_what_the_old_certificate_signed() {
    let gateway = gateway().await;
    let (_db, engine) = renewable(&gateway, "renew-stopped").await;
    engine.store().set_stopped("pos-1", Some("unauthorized: HTTP 401")).unwrap();
    let queued = engine.issue_invoice("pos-1", &simplified()).unwrap();
    let outcome = engine.renew("pos-1", OTP).await.unwrap();
    assert_eq!(engine.store().stopped("pos-1").unwrap(), None, "resumed");
    assert_eq!((outcome.sent_before_renewal, outcome.unsent_with_previous_certificate), (0, 1));
    let event = engine.events_since(0, 10).unwrap().pop().unwrap();
    assert_eq!(
        (event.kind, event.data["unsent_with_previous_certificate"].as_u64()),
        (EventKind::CertificateRenewed, Some(1))
    );
    assert!(!gateway.acceptances().contains_key(&queued.uuid));
    // What is issued from now on carries the new certificate.
    let next = engine.issue_invoice("pos-1", &simplified()).unwrap();
    assert_eq!(serial_in(&next.xml), outcome.certificate_serial);
    assert_ne!(serial_in(&queued.xml), outcome.certificate_serial);
}
