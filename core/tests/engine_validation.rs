//! The engine validates every document it stamps before storing it (`EngineConfig::validation`):
//! a refused document is refused inside the issuing transaction, so the chain does not move (next
//! ICV and PIH unchanged, nothing stored); warnings are returned and do not refuse under the
//! default policy; `WarnOnly` stores everything; `Off` skips validation.
//!
//! The model itself refuses every rule *error* it can express (the property test of
//! `validate_model.rs` holds it to that), so an error cannot reach the engine's validation from a
//! model invoice: the refusal here is driven by a warning under `RefuseOnWarnings`, which takes
//! the same path (the error-policy decisions themselves are unit-tested in `engine/mod.rs` on
//! SDK documents). The gateway tests at the end check what ZATCA's stand-in makes of documents
//! with errors and warnings, end to end through the outbox.

use qayd::engine::{Engine, EngineConfig, ValidationPolicy};
use qayd::model::Invoice;
use qayd::store::{SqliteStore, Store};
use qayd::validate::Severity;
use qayd::{Signer, StampOptions};
use std::path::Path;
use std::sync::Arc;

fn read(path: &str) -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(path)).unwrap()
}

fn signer() -> Signer {
    Signer::from_bytes(
        &read("tests/vectors/sdk-R3.4.8/Data/Certificates/cert.pem"),
        &read("tests/vectors/sdk-R3.4.8/Data/Certificates/ec-secp256k1-priv-key.pem"),
    )
    .unwrap()
}

fn options() -> StampOptions {
    StampOptions { signing_time: Some("2025-03-14T19:42:06".into()) }
}

fn invoice() -> Invoice {
    let json = String::from_utf8(read("core/tests/fixtures/models/simplified_invoice.json")).unwrap();
    let mut invoice = Invoice::from_json(&json).unwrap();
    invoice.uuid = uuid::Uuid::new_v4();
    invoice
}

/// A seller country outside ISO 3166: the model writes it, BR-CL-14 (a warning) flags it.
fn with_warning() -> Invoice {
    let mut invoice = invoice();
    invoice.seller.address.as_mut().unwrap().country = "XX".into();
    invoice
}

/// 2025-03-14T20:42:05+03:00.
const ISSUED_PLUS_ONE_HOUR: i64 = 1_741_974_125;

fn engine(policy: Option<ValidationPolicy>) -> (Engine, Arc<dyn Store>) {
    let store: Arc<dyn Store> = Arc::new(SqliteStore::in_memory().unwrap());
    let mut config = EngineConfig::default();
    if let Some(policy) = policy {
        config.validation = policy;
    }
    // An hour after the fixture's issue time (BR-KSA-98 would flag an old simplified invoice).
    let clock = Arc::new(qayd::clock::FixedClock::at(ISSUED_PLUS_ONE_HOUR));
    let engine = Engine::with_clock(store.clone(), clock).with_config(config);
    engine.register_egs("pos-1").unwrap();
    (engine, store)
}

#[test]
fn refusing_is_the_default() {
    assert_eq!(EngineConfig::default().validation, ValidationPolicy::RefuseOnErrors);
}

#[test]
fn a_refused_document_leaves_the_chain_untouched() {
    let (engine, store) = engine(Some(ValidationPolicy::RefuseOnWarnings));
    let signer = signer();
    let first = engine.issue("pos-1", &signer, &invoice(), &options()).unwrap();
    assert_eq!(first.icv, 1);
    let head = store.chain_head("pos-1").unwrap();

    let bad = with_warning();
    let error = engine.issue("pos-1", &signer, &bad, &options()).unwrap_err();
    assert_eq!(error.code(), "INVALID_MODEL", "{error}");
    assert_eq!(error.rule(), Some("BR-CL-14"), "{error}");
    let text = error.to_string();
    assert!(text.contains("cac:Country/cbc:IdentificationCode"), "{text}");
    assert!(text.contains("no ICV used"), "{text}");

    // Nothing moved: same head, one document, the refused UUID unknown.
    let after = store.chain_head("pos-1").unwrap();
    assert_eq!((after.next_icv, after.last_hash.as_str()), (head.next_icv, head.last_hash.as_str()));
    assert_eq!(store.documents("pos-1").unwrap().len(), 1);
    assert!(store.document_by_uuid(&bad.uuid.to_string()).unwrap().is_none());

    // The next good document takes the very next ICV and chains to the first.
    let second = engine.issue("pos-1", &signer, &invoice(), &options()).unwrap();
    assert_eq!(second.icv, 2);
    assert_eq!(second.pih, first.invoice_hash);
}

#[test]
fn warnings_are_returned_and_do_not_refuse() {
    let (engine, store) = engine(None);
    let issued = engine.issue_checked("pos-1", &signer(), &with_warning(), &options()).unwrap();
    assert_eq!(issued.document.icv, 1);
    let rules: Vec<(&str, Severity)> =
        issued.findings.iter().map(|f| (f.rule.as_str(), f.severity)).collect();
    assert_eq!(rules, [("BR-CL-14", Severity::Warning)]);
    assert_eq!(store.documents("pos-1").unwrap().len(), 1);
    // A clean document has no finding at all.
    let clean = engine.issue_checked("pos-1", &signer(), &invoice(), &options()).unwrap();
    assert!(clean.findings.is_empty(), "{:?}", clean.findings);
}

#[test]
fn warn_only_stores_and_returns_the_findings() {
    let (engine, store) = engine(Some(ValidationPolicy::WarnOnly));
    let bad = with_warning();
    let issued = engine.issue_checked("pos-1", &signer(), &bad, &options()).unwrap();
    assert_eq!(issued.document.icv, 1);
    assert_eq!(issued.findings.iter().map(|f| f.rule.as_str()).collect::<Vec<_>>(), ["BR-CL-14"]);
    assert!(store.document_by_uuid(&bad.uuid.to_string()).unwrap().is_some());
    assert_eq!(store.chain_head("pos-1").unwrap().next_icv, 2);
}

#[test]
fn off_skips_validation() {
    let (engine, store) = engine(Some(ValidationPolicy::Off));
    let issued = engine.issue_checked("pos-1", &signer(), &with_warning(), &options()).unwrap();
    assert!(issued.findings.is_empty());
    assert_eq!(store.documents("pos-1").unwrap().len(), 1);
}

// ---- end to end through the outbox and the local gateway -----------------------------------

mod engine_support;

use qayd::api::ValidationResults;
use qayd::store::{NewDocument, StoredDocument, SubmissionStatus};

/// The SDK's simplified invoice as this unit's document `icv`/`pih`, with `edit` applied, stamped.
fn sdk_document(signer: &Signer, icv: u64, pih: &str, edit: (&str, &str)) -> qayd::StampedInvoice {
    let xml = String::from_utf8(read(
        "tests/vectors/sdk-R3.4.8/Data/Samples/Simplified/Invoice/Simplified_Invoice.xml",
    ))
    .unwrap();
    let replace_after = |xml: &str, anchor: &str, open: &str, close: &str, value: &str| {
        let at = xml.find(anchor).unwrap();
        let start = at + xml[at..].find(open).unwrap() + open.len();
        let start = start + xml[start..].find('>').unwrap() + 1;
        let end = start + xml[start..].find(close).unwrap();
        format!("{}{}{}", &xml[..start], value, &xml[end..])
    };
    let xml =
        replace_after(&xml, "<cbc:ProfileID>", "<cbc:UUID", "</cbc:UUID>", &uuid::Uuid::new_v4().to_string());
    let xml = replace_after(&xml, "<cbc:ID>ICV</cbc:ID>", "<cbc:UUID", "</cbc:UUID>", &icv.to_string());
    let xml = replace_after(
        &xml,
        "<cbc:ID>PIH</cbc:ID>",
        "<cbc:EmbeddedDocumentBinaryObject",
        "</cbc:EmbeddedDocumentBinaryObject>",
        pih,
    );
    assert!(xml.contains(edit.0));
    qayd::stamp(xml.replacen(edit.0, edit.1, 1).as_bytes(), signer, &options()).unwrap()
}

fn results(document: &StoredDocument) -> ValidationResults {
    serde_json::from_str(document.messages.as_deref().expect("ZATCA's messages are kept")).unwrap()
}

#[tokio::test]
async fn the_platform_judges_what_local_validation_let_through() {
    let gateway = engine_support::gateway().await;
    let store: Arc<dyn Store> = Arc::new(SqliteStore::in_memory().unwrap());
    let key = qayd::secrets::MasterKey::generate().unwrap();
    let engine =
        engine_support::engine_with(&gateway, store.clone(), &key, engine_support::fast_config(), &[]).await;
    let (credentials, private_key) = engine_support::onboard(&gateway, "e2e-judge").await;
    engine.set_credentials("e2e-judge", &credentials, &private_key).unwrap();
    let signer = Signer::new(credentials.certificate().unwrap(), private_key).unwrap();

    // 1. A warning (BR-CL-14): issued under the default policy, reported with 202.
    let mut warned = engine_support::simplified();
    warned.seller.address.as_mut().unwrap().country = "XX".into();
    let issued = engine.issue_invoice_checked("e2e-judge", &warned).unwrap();
    // (BR-KSA-98 too: the fixture's issue date is long past on the system clock; the gateway
    // judges lateness only with `warn_late_reporting`.)
    let rules: Vec<&str> =
        issued.findings.iter().map(|f| f.rule.as_str()).filter(|r| *r != "BR-KSA-98").collect();
    assert_eq!(rules, ["BR-CL-14"]);

    // 2. A rule error the engine never writes (a foreign document stored as is): 400.
    let head = store.chain_head("e2e-judge").unwrap();
    let broken = sdk_document(
        &signer,
        head.next_icv,
        &head.last_hash,
        ("<cbc:ProfileID>reporting:1.0</cbc:ProfileID>", "<cbc:ProfileID>reporting:2.0</cbc:ProfileID>"),
    );
    let uuid = broken.uuid.clone();
    store
        .issue("e2e-judge", engine.now(), &mut |_, _| {
            Ok(NewDocument {
                uuid: broken.uuid.clone(),
                invoice_hash: broken.invoice_hash.clone(),
                simplified: true,
                xml: broken.xml.clone(),
            })
        })
        .unwrap();

    // 3. A clean standard invoice: cleared, the platform's re-stamped document accepted.
    let cleared = engine.issue_invoice("e2e-judge", &engine_support::standard()).unwrap();

    engine.drain().await.unwrap();

    let warned = store.document_by_uuid(&issued.document.uuid).unwrap().unwrap();
    assert_eq!(warned.status, SubmissionStatus::AcceptedWithWarnings);
    let codes: Vec<_> = results(&warned).warning_messages.into_iter().filter_map(|m| m.code).collect();
    assert_eq!(codes, ["BR-CL-14"]);

    let rejected = store.document_by_uuid(&uuid).unwrap().unwrap();
    assert_eq!(rejected.status, SubmissionStatus::Rejected, "{:?}", rejected.last_error);
    let errors = results(&rejected).error_messages;
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].code.as_deref(), Some("BR-KSA-EN16931-01"));
    assert_eq!(errors[0].category.as_deref(), Some("KSA"));
    assert!(rejected.last_error.as_deref().unwrap().contains("BR-KSA-EN16931-01"));
    let events = engine.events_since(0, 100).unwrap();
    assert!(
        events
            .iter()
            .any(|e| e.kind == qayd::engine::EventKind::DocumentRejected && e.data["uuid"] == uuid.as_str())
    );

    let standard = store.document_by_uuid(&cleared.uuid).unwrap().unwrap();
    assert_eq!(standard.status, SubmissionStatus::Cleared, "{:?}", standard.last_error);
    let official = standard.cleared_xml.unwrap();
    assert_ne!(official, standard.xml, "ZATCA's stand-in stamps the cleared document again");
    assert_eq!(qayd::invoice_hash(&official).unwrap(), standard.invoice_hash);
}
