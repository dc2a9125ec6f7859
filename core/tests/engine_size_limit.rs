//! A document larger than the platform accepts is refused at issue, before it takes an ICV
//! (`EngineConfig::max_submission_bytes`): stored, it could never be sent (413), and every later
//! document's PIH would chain to a document the platform never saw.

use qayd::api::InvoiceSubmission;
use qayd::engine::{DEFAULT_MAX_SUBMISSION_BYTES, Engine, EngineConfig, submission_size};
use qayd::model::Invoice;
use qayd::store::{SqliteStore, Store};
use qayd::{GENESIS_PIH, Signer, StampOptions};
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

/// 2025-03-14T20:42:05+03:00: an hour after the fixture's issue time.
const ISSUED_PLUS_ONE_HOUR: i64 = 1_741_974_125;

fn engine_with_limit(limit: usize) -> (Engine, Arc<dyn Store>) {
    let store: Arc<dyn Store> = Arc::new(SqliteStore::in_memory().unwrap());
    let config = EngineConfig { max_submission_bytes: limit, ..Default::default() };
    let clock = Arc::new(qayd::clock::FixedClock::at(ISSUED_PLUS_ONE_HOUR));
    let engine = Engine::with_clock(store.clone(), clock).with_config(config);
    engine.register_egs("pos-1").unwrap();
    (engine, store)
}

#[test]
fn the_limit_is_the_request_size_to_the_byte_and_refused_documents_take_no_icv() {
    assert_eq!(EngineConfig::default().max_submission_bytes, DEFAULT_MAX_SUBMISSION_BYTES);
    let json = String::from_utf8(read("core/tests/fixtures/models/simplified_invoice.json")).unwrap();
    let invoice = Invoice::from_json(&json).unwrap();
    // The request a document makes, exactly as the client will send it.
    let (engine, _) = engine_with_limit(DEFAULT_MAX_SUBMISSION_BYTES);
    let issued = engine.issue("pos-1", &signer(), &invoice, &options()).unwrap();
    let body = serde_json::to_vec(&InvoiceSubmission::from_signed_xml(&issued.xml).unwrap()).unwrap();
    let size = submission_size(issued.xml.len(), &issued.invoice_hash, &issued.uuid);
    assert_eq!(size, body.len());

    // One byte over: refused, and the chain has not moved.
    let (engine, store) = engine_with_limit(size - 1);
    let error = engine.issue("pos-1", &signer(), &invoice, &options()).unwrap_err();
    assert_eq!(error.code(), "INVALID_INPUT");
    assert!(
        error.to_string().contains("too large") && error.to_string().contains(&size.to_string()),
        "{error}"
    );
    let head = store.chain_head("pos-1").unwrap();
    assert_eq!((head.next_icv, head.last_hash.as_str()), (1, GENESIS_PIH));
    assert!(store.document("pos-1", 1).unwrap().is_none());
    // The next document (within the limit) takes ICV 1 and chains to the genesis PIH.
    let (engine, store) = engine_with_limit(size);
    let issued = engine.issue("pos-1", &signer(), &invoice, &options()).unwrap();
    assert_eq!((issued.icv, issued.pih.as_str()), (1, GENESIS_PIH));
    assert_eq!(store.chain_head("pos-1").unwrap().next_icv, 2);
}

/// The same limit holds for a batch: the oversized entry is refused on its own and takes no ICV,
/// the entries around it are issued in one chain.
#[test]
fn a_batch_refuses_its_oversized_entry_alone() {
    let json = String::from_utf8(read("core/tests/fixtures/models/simplified_invoice.json")).unwrap();
    let small = Invoice::from_json(&json).unwrap();
    let (engine, _) = engine_with_limit(DEFAULT_MAX_SUBMISSION_BYTES);
    let issued = engine.issue("pos-1", &signer(), &small, &options()).unwrap();
    let limit = submission_size(issued.xml.len(), &issued.invoice_hash, &issued.uuid) + 64;
    let mut large = small.clone();
    large.lines = (0..4).flat_map(|_| small.lines.clone()).collect();
    for line in &mut large.lines {
        line.net_amount = None;
        line.vat_amount = None;
        line.amount_with_vat = None;
    }
    large.totals = None;
    let batch: Vec<Invoice> = [small.clone(), large, small.clone()]
        .into_iter()
        .map(|mut invoice| {
            invoice.uuid = uuid::Uuid::new_v4();
            invoice
        })
        .collect();
    let (engine, store) = engine_with_limit(limit);
    let issued = engine.issue_many("pos-1", &signer(), &batch, &options()).unwrap();
    let error = issued[1].as_ref().unwrap_err();
    assert!(error.to_string().contains("too large"), "{error}");
    let first = &issued[0].as_ref().unwrap().document;
    let third = &issued[2].as_ref().unwrap().document;
    assert_eq!((first.icv, third.icv, third.pih.as_str()), (1, 2, first.invoice_hash.as_str()));
    assert_eq!(store.chain_head("pos-1").unwrap().next_icv, 3);
}
