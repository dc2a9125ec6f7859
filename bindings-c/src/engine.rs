//! The durable engine (`qayd::embed::EngineHandle`) behind an opaque handle, and its documents
//! behind another. Lists and reports come back as JSON strings; document bytes as borrowed
//! buffers of the document handle.

use crate::onboard::QaydCredentials;
use crate::{Failure, QaydStatus, block, c_string, guard, json, null, out, utf8_arg};
use qayd::embed::{Document, EngineHandle};
use std::ffi::{CString, c_char};

/// The engine behind one store, with its optional background worker. EngineHandle is Send +
/// Sync: one handle may be used from many threads at once (the store serialises writes; each
/// unit's chain stays gapless). It must not be freed while another thread still uses it.
pub struct QaydEngine(EngineHandle);

/// A stored document: its summary, the stamped XML and, once cleared, ZATCA's cleared XML.
/// Immutable; read with the qayd_document_* getters; free with qayd_document_free.
pub struct QaydDocument {
    info_json: CString,
    uuid: CString,
    invoice_hash: CString,
    status: CString,
    icv: u64,
    xml: Vec<u8>,
    cleared_xml: Option<Vec<u8>>,
    findings_json: CString,
}

impl QaydDocument {
    fn new(document: Document) -> Result<Self, Failure> {
        Ok(QaydDocument {
            info_json: json(&document.info)?,
            uuid: c_string(document.info.uuid)?,
            invoice_hash: c_string(document.info.invoice_hash)?,
            status: c_string(document.info.status.as_str().to_owned())?,
            icv: document.info.icv,
            xml: document.xml,
            cleared_xml: document.cleared_xml,
            findings_json: json(&document.findings)?,
        })
    }

    fn into_raw(document: Option<Document>) -> Result<*mut QaydDocument, Failure> {
        Ok(match document {
            Some(document) => Box::into_raw(Box::new(QaydDocument::new(document)?)),
            None => std::ptr::null_mut(),
        })
    }
}

/// Borrows the engine of an entry point.
unsafe fn engine<'a>(engine: *const QaydEngine) -> Result<&'a EngineHandle, Failure> {
    // SAFETY: NULL or a handle from qayd_engine_open (the caller's contract).
    unsafe { engine.as_ref() }.map(|e| &e.0).ok_or_else(|| null("engine"))
}

/// The shape of the calls that answer with JSON: engine in, JSON text out.
unsafe fn json_call<T: serde::Serialize>(
    handle: *const QaydEngine,
    out_json: *mut *mut c_char,
    call: impl FnOnce(&EngineHandle) -> Result<T, Failure>,
) -> QaydStatus {
    guard(|| unsafe {
        let out_json = out(out_json, std::ptr::null_mut(), "out_json")?;
        let value = call(engine(handle)?)?;
        *out_json = json(&value)?.into_raw();
        Ok(())
    })
}

/// Opens the store and builds the engine. `options_json` (required):
/// {"store":"path/to/qayd.db"|":memory:"|"postgres://…", "environment":"simulation"|…|URL,
/// "master_key":"base64 of 32 bytes", "retry_base_ms":…, "retry_cap_ms":…, "max_attempts":…,
/// "clear_wait_ms":…, "poll_interval_ms":…, "timeout_ms":…, "connect_timeout_ms":…}; only
/// "store" is required. Without "master_key" the engine reads QAYD_MASTER_KEY; without either
/// it cannot store or open credentials. Without "environment" it issues but cannot submit. An
/// unknown field is QAYD_STATUS_INVALID_INPUT; a malformed master key QAYD_STATUS_SECRET. Free
/// `*out_engine` with qayd_engine_free.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qayd_engine_open(
    options_json: *const c_char,
    out_engine: *mut *mut QaydEngine,
) -> QaydStatus {
    guard(|| unsafe {
        let out_engine = out(out_engine, std::ptr::null_mut(), "out_engine")?;
        let options = utf8_arg(options_json, "options_json")?;
        *out_engine = Box::into_raw(Box::new(QaydEngine(EngineHandle::open_json(options)?)));
        Ok(())
    })
}

/// Stops the background worker (waiting for in-flight requests to finish and be recorded) and
/// frees the engine. NULL is ignored. No other thread may still use the handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qayd_engine_free(engine: *mut QaydEngine) {
    if engine.is_null() {
        return;
    }
    // SAFETY: a handle from qayd_engine_open, no longer used elsewhere (the caller's contract).
    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let handle = unsafe { Box::from_raw(engine) };
        // A graceful stop; dropping the handle alone would only signal the worker.
        let _ = qayd::embed::block_on(handle.0.stop());
        drop(handle);
    }));
}

/// Registers an EGS unit (its chain starts at ICV 1 with the genesis PIH). Registering twice
/// is harmless.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qayd_engine_register_egs(
    engine: *const QaydEngine,
    egs_id: *const c_char,
) -> QaydStatus {
    guard(|| unsafe {
        let engine = self::engine(engine)?;
        engine.register_egs(utf8_arg(egs_id, "egs_id")?)?;
        Ok(())
    })
}

/// Stores an onboarded unit's production credentials, sealed with the master key, and its
/// identity (the CSR values qayd_engine_renew_egs needs); registers the unit. Without a master
/// key: QAYD_STATUS_SECRET.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qayd_engine_set_credentials(
    engine: *const QaydEngine,
    egs_id: *const c_char,
    credentials: *const QaydCredentials,
) -> QaydStatus {
    guard(|| unsafe {
        let engine = self::engine(engine)?;
        let egs_id = utf8_arg(egs_id, "egs_id")?;
        let credentials = credentials.as_ref().ok_or_else(|| null("credentials"))?;
        engine.set_credentials(egs_id, &credentials.0)?;
        Ok(())
    })
}

/// Issues an invoice (the model's JSON form, as qayd_generate takes) with the unit's stored
/// credentials: next ICV, PIH, stamp, stored as "pending". Never waits for the network: a
/// worker or qayd_engine_drain sends it. Free `*out_document` with qayd_document_free.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qayd_engine_issue(
    engine: *const QaydEngine,
    egs_id: *const c_char,
    invoice_json: *const c_char,
    out_document: *mut *mut QaydDocument,
) -> QaydStatus {
    guard(|| unsafe {
        let out_document = out(out_document, std::ptr::null_mut(), "out_document")?;
        let engine = self::engine(engine)?;
        let egs_id = utf8_arg(egs_id, "egs_id")?;
        let invoice = utf8_arg(invoice_json, "invoice_json")?;
        *out_document = QaydDocument::into_raw(Some(engine.issue(egs_id, invoice)?))?;
        Ok(())
    })
}

/// Issues several invoices of one unit in chain order (`count` model JSON strings at
/// `invoices_json`), in one store transaction where the store allows. Each entry is judged on
/// its own: a refused entry (a model that breaks a rule, or is not a model at all) takes no ICV,
/// the others are issued. Never waits for the network.
///
/// The caller passes two arrays of `count` slots:
/// - `out_documents[i]`: the issued document (free each with qayd_document_free), or NULL
///   where entry `i` was refused;
/// - `out_statuses[i]`: QAYD_STATUS_OK where issued, else the status of entry `i`'s refusal.
///
/// `out_refusals_json` may be NULL; otherwise it receives (free with qayd_string_free) a JSON
/// array of the refused entries: [{"index":1,"code":"INVALID_MODEL","message":"…",
/// "rule":"BR-KSA-…"|null},…] (`[]` when every entry was issued).
///
/// The call returns QAYD_STATUS_OK when it ran, even if entries were refused. When the call as
/// a whole fails (a NULL argument or entry, an entry that is not UTF-8, a unit without
/// credentials, a store error), every document slot is NULL and every status slot holds the
/// call's status. `invoices_json` may be NULL only when `count` is 0.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qayd_engine_issue_many(
    engine: *const QaydEngine,
    egs_id: *const c_char,
    invoices_json: *const *const c_char,
    count: usize,
    out_documents: *mut *mut QaydDocument,
    out_statuses: *mut QaydStatus,
    out_refusals_json: *mut *mut c_char,
) -> QaydStatus {
    // SAFETY (all blocks below): the caller's contract: `count` readable entries at
    // `invoices_json`, `count` writable slots at `out_documents` and `out_statuses`.
    let slots = |documents: *mut *mut QaydDocument, statuses: *mut QaydStatus| unsafe {
        let documents =
            (!documents.is_null() && count > 0).then(|| std::slice::from_raw_parts_mut(documents, count));
        let statuses =
            (!statuses.is_null() && count > 0).then(|| std::slice::from_raw_parts_mut(statuses, count));
        (documents, statuses)
    };
    let mut made: Vec<*mut QaydDocument> = Vec::new();
    let status = guard(|| unsafe {
        crate::reset(out_refusals_json, std::ptr::null_mut());
        if let (Some(documents), _) = slots(out_documents, out_statuses) {
            documents.fill(std::ptr::null_mut());
        }
        if out_documents.is_null() {
            return Err(null("out_documents"));
        }
        if out_statuses.is_null() {
            return Err(null("out_statuses"));
        }
        let engine = self::engine(engine)?;
        let egs_id = utf8_arg(egs_id, "egs_id")?;
        if invoices_json.is_null() && count > 0 {
            return Err(null("invoices_json"));
        }
        let entries = if count == 0 { &[][..] } else { std::slice::from_raw_parts(invoices_json, count) };
        let models = entries
            .iter()
            .enumerate()
            .map(|(i, &entry)| utf8_arg(entry, &format!("invoices_json[{i}]")))
            .collect::<Result<Vec<&str>, Failure>>()?;
        let results = engine.issue_many(egs_id, &models)?;
        if results.len() != count {
            return Err(Failure(
                QaydStatus::Storage,
                format!("the engine answered {} entries for {count}", results.len()),
            ));
        }
        // Everything that can fail is done before a handle is made.
        let mut outcomes = Vec::with_capacity(count);
        let mut refusals = Vec::new();
        for (index, result) in results.into_iter().enumerate() {
            outcomes.push(match result {
                Ok(document) => Ok(QaydDocument::new(document)?),
                Err(error) => {
                    let Failure(status, message) = crate::failure_of(&error);
                    refusals.push(serde_json::json!({
                        "index": index, "code": error.code(), "message": message, "rule": error.rule(),
                    }));
                    Err(status)
                }
            });
        }
        let refusals = if out_refusals_json.is_null() { None } else { Some(json(&refusals)?) };
        if let (Some(documents), Some(statuses)) = slots(out_documents, out_statuses) {
            for ((outcome, document), status) in outcomes.into_iter().zip(documents).zip(statuses) {
                match outcome {
                    Ok(handle) => {
                        *document = Box::into_raw(Box::new(handle));
                        made.push(*document);
                        *status = QaydStatus::Ok;
                    }
                    Err(refused) => *status = refused,
                }
            }
        }
        if let Some(text) = refusals {
            *out_refusals_json = text.into_raw();
        }
        Ok(())
    });
    if status != QaydStatus::Ok {
        // Nothing half-given: handles made before a panic are taken back.
        for handle in made {
            // SAFETY: made by Box::into_raw above and not yet seen by the caller.
            unsafe { crate::free_box(handle) };
        }
        let (documents, statuses) = slots(out_documents, out_statuses);
        if let Some(documents) = documents {
            documents.fill(std::ptr::null_mut());
        }
        if let Some(statuses) = statuses {
            statuses.fill(status);
        }
    }
    status
}

/// Issues a standard invoice and blocks until it is cleared, or `clear_wait_ms` has passed.
/// `*out_outcome` (free with qayd_string_free): "cleared", "cleared_with_warnings", "pending"
/// (the worker or a drain finishes it), "rejected" or "dead". `*out_document` (free with
/// qayd_document_free) carries the cleared XML once cleared. A simplified invoice is
/// QAYD_STATUS_INVALID_INPUT.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qayd_engine_clear(
    engine: *const QaydEngine,
    egs_id: *const c_char,
    invoice_json: *const c_char,
    out_outcome: *mut *mut c_char,
    out_document: *mut *mut QaydDocument,
) -> QaydStatus {
    guard(|| unsafe {
        crate::reset(out_document, std::ptr::null_mut());
        let out_outcome = out(out_outcome, std::ptr::null_mut(), "out_outcome")?;
        let out_document = out(out_document, std::ptr::null_mut(), "out_document")?;
        let engine = self::engine(engine)?;
        let egs_id = utf8_arg(egs_id, "egs_id")?;
        let invoice = utf8_arg(invoice_json, "invoice_json")?;
        let result = block(engine.clear(egs_id, invoice))??;
        let outcome = c_string(result.outcome.as_str().to_owned())?;
        *out_document = QaydDocument::into_raw(Some(result.document))?;
        *out_outcome = outcome.into_raw();
        Ok(())
    })
}

/// One pass over the outbox: sends everything due, raises deadline and certificate events.
/// Blocks. `*out_json` (free with qayd_string_free): {"sent":…,"cleared":…,"reported":…,
/// "accepted_with_warnings":…,"duplicates":…,"rejected":…,"retry_scheduled":…,"dead":…,
/// "stopped_units":[…],"other_environment_units":[…],"errors":[{"egs_id":…,"code":…,"message":…}]}.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qayd_engine_drain(
    engine: *const QaydEngine,
    out_json: *mut *mut c_char,
) -> QaydStatus {
    // SAFETY: the caller's contract, as documented above.
    unsafe { json_call(engine, out_json, |e| Ok(block(e.drain())??)) }
}

/// Renews the unit's production CSID with a new `otp` from what the store holds (its identity
/// and current CSID; the engine must be connected to the unit's environment, else
/// QAYD_STATUS_ENVIRONMENT_MISMATCH). Blocks. The stored credentials are replaced only once the
/// platform issued the new certificate: on any error they are untouched. Raises the
/// "certificate_renewed" event. `*out_json` (free with qayd_string_free): {"egs_id":…,
/// "not_after":…,"previous_not_after":…,"certificate_serial":"…","compliance_samples":…,
/// "sent_before_renewal":…,"unsent_with_previous_certificate":…}. A refused OTP is
/// QAYD_STATUS_API_REJECTED.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qayd_engine_renew_egs(
    engine: *const QaydEngine,
    egs_id: *const c_char,
    otp: *const c_char,
    out_json: *mut *mut c_char,
) -> QaydStatus {
    // SAFETY: the caller's contract, as documented above.
    unsafe {
        json_call(engine, out_json, |e| {
            let egs_id = utf8_arg(egs_id, "egs_id")?;
            let otp = utf8_arg(otp, "otp")?;
            Ok(block(e.renew_egs(egs_id, otp))??)
        })
    }
}

/// Starts the background worker on the library's shared runtime (after recovering documents a
/// killed process left in flight). Starting a running worker is a no-op. Needs an environment.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qayd_engine_start(engine: *const QaydEngine) -> QaydStatus {
    guard(|| unsafe {
        self::engine(engine)?.start()?;
        Ok(())
    })
}

/// Stops the background worker gracefully (in-flight requests finish and are recorded) and
/// waits for it. A no-op when it is not running.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qayd_engine_stop(engine: *const QaydEngine) -> QaydStatus {
    guard(|| unsafe { Ok(block(self::engine(engine)?.stop())??) })
}

/// Whether the background worker runs (false for NULL).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qayd_engine_is_running(engine: *const QaydEngine) -> bool {
    // SAFETY: NULL or a handle from qayd_engine_open.
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        unsafe { engine.as_ref() }.is_some_and(|e| e.0.is_running())
    }))
    .unwrap_or(false)
}

/// Up to `limit` events after `cursor` (0: from the start), oldest first, as a JSON array
/// (free with qayd_string_free): [{"seq":…,"at":…,"kind":"reported"|…,"egs_id":…,"icv":…|null,
/// "data":{…}},…]. Pass the last `seq` seen as the next cursor.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qayd_engine_events(
    engine: *const QaydEngine,
    cursor: i64,
    limit: usize,
    out_json: *mut *mut c_char,
) -> QaydStatus {
    // SAFETY: the caller's contract, as documented above.
    unsafe { json_call(engine, out_json, |e| Ok(e.events(cursor, limit)?)) }
}

/// One document with its bytes; `*out_document` is NULL (and the status OK) when the unit has
/// no document `icv`. Free with qayd_document_free.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qayd_engine_document(
    engine: *const QaydEngine,
    egs_id: *const c_char,
    icv: u64,
    out_document: *mut *mut QaydDocument,
) -> QaydStatus {
    guard(|| unsafe {
        let out_document = out(out_document, std::ptr::null_mut(), "out_document")?;
        let engine = self::engine(engine)?;
        let egs_id = utf8_arg(egs_id, "egs_id")?;
        *out_document = QaydDocument::into_raw(engine.document(egs_id, icv)?)?;
        Ok(())
    })
}

/// The QR payload (base64 TLV) to print for document `icv` of the unit: from ZATCA's cleared
/// XML once a standard document is cleared, else from the stamped XML. `*out_qr` (free with
/// qayd_string_free) is NULL, with status OK, when the unit has no such document, or when a
/// standard document not yet cleared carries no QR. Decode it with qayd_qr_decode, draw it with
/// qayd_qr_png / qayd_qr_svg / qayd_qr_text.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qayd_engine_document_qr(
    engine: *const QaydEngine,
    egs_id: *const c_char,
    icv: u64,
    out_qr: *mut *mut c_char,
) -> QaydStatus {
    guard(|| unsafe {
        let out_qr = out(out_qr, std::ptr::null_mut(), "out_qr")?;
        let engine = self::engine(engine)?;
        let egs_id = utf8_arg(egs_id, "egs_id")?;
        if let Some(qr) = engine.document_qr(egs_id, icv)? {
            *out_qr = c_string(qr)?.into_raw();
        }
        Ok(())
    })
}

/// The document with cbc:UUID `uuid`; `*out_document` is NULL (status OK) when there is none.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qayd_engine_document_by_uuid(
    engine: *const QaydEngine,
    uuid: *const c_char,
    out_document: *mut *mut QaydDocument,
) -> QaydStatus {
    guard(|| unsafe {
        let out_document = out(out_document, std::ptr::null_mut(), "out_document")?;
        let engine = self::engine(engine)?;
        *out_document = QaydDocument::into_raw(engine.document_by_uuid(utf8_arg(uuid, "uuid")?)?)?;
        Ok(())
    })
}

/// A unit's documents in chain order, without their bytes, as a JSON array of document
/// summaries (the form of qayd_document_info_json). Free with qayd_string_free.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qayd_engine_documents(
    engine: *const QaydEngine,
    egs_id: *const c_char,
    out_json: *mut *mut c_char,
) -> QaydStatus {
    // SAFETY: the caller's contract, as documented above.
    unsafe { json_call(engine, out_json, |e| Ok(e.documents(utf8_arg(egs_id, "egs_id")?)?)) }
}

/// Up to `limit` documents in `status` ("pending", "submitting", "cleared", "reported",
/// "accepted_with_warnings", "rejected", "retry_scheduled", "dead"), all units, oldest first, as
/// a JSON array of summaries. An unknown status is QAYD_STATUS_INVALID_INPUT.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qayd_engine_documents_by_status(
    engine: *const QaydEngine,
    status: *const c_char,
    limit: usize,
    out_json: *mut *mut c_char,
) -> QaydStatus {
    // SAFETY: the caller's contract, as documented above.
    unsafe { json_call(engine, out_json, |e| Ok(e.documents_by_status(utf8_arg(status, "status")?, limit)?)) }
}

/// How many documents are in each status, as a JSON object: {"cleared":1,"reported":2,…}.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qayd_engine_status_counts(
    engine: *const QaydEngine,
    out_json: *mut *mut c_char,
) -> QaydStatus {
    // SAFETY: the caller's contract, as documented above.
    unsafe { json_call(engine, out_json, |e| Ok(e.status_counts()?)) }
}

/// Every unit, as a JSON array (no secrets): [{"egs_id":…,"next_icv":…,"last_hash":…,
/// "has_credentials":…,"environment":…|null,"certificate_expiry":…|null,"stopped":…|null},…].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qayd_engine_egs_units(
    engine: *const QaydEngine,
    out_json: *mut *mut c_char,
) -> QaydStatus {
    // SAFETY: the caller's contract, as documented above.
    unsafe { json_call(engine, out_json, |e| Ok(e.egs_units()?)) }
}

/// Queues a dead document for sending again; `*out_requeued` is false when it was not dead.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qayd_engine_requeue(
    engine: *const QaydEngine,
    egs_id: *const c_char,
    icv: u64,
    out_requeued: *mut bool,
) -> QaydStatus {
    guard(|| unsafe {
        let out_requeued = out(out_requeued, false, "out_requeued")?;
        let engine = self::engine(engine)?;
        *out_requeued = engine.requeue(utf8_arg(egs_id, "egs_id")?, icv)?;
        Ok(())
    })
}

/// Lets a unit that an "unauthorized" answer stopped send again (after fixing its credentials).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qayd_engine_resume_egs(
    engine: *const QaydEngine,
    egs_id: *const c_char,
) -> QaydStatus {
    guard(|| unsafe {
        let engine = self::engine(engine)?;
        engine.resume_egs(utf8_arg(egs_id, "egs_id")?)?;
        Ok(())
    })
}

/// Makes documents a killed process left "submitting" due again; `*out_recovered` is how many.
/// Call at start-up when no other worker is live on this store (qayd_engine_start does it).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qayd_engine_recover(
    engine: *const QaydEngine,
    out_recovered: *mut usize,
) -> QaydStatus {
    guard(|| unsafe {
        let out_recovered = out(out_recovered, 0, "out_recovered")?;
        *out_recovered = self::engine(engine)?.recover()?;
        Ok(())
    })
}

/// The store's and the worker's metrics in the Prometheus text format (documents by status,
/// open documents and their age per unit, the B2C deadline margin, certificate days left, the
/// worker's passes, requests, retries and last error): for the application's web server to
/// serve at /metrics. Free with qayd_string_free.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qayd_engine_metrics(
    engine: *const QaydEngine,
    out_text: *mut *mut c_char,
) -> QaydStatus {
    guard(|| unsafe {
        let out_text = out(out_text, std::ptr::null_mut(), "out_text")?;
        *out_text = c_string(self::engine(engine)?.metrics())?.into_raw();
        Ok(())
    })
}

/// The hash-linked audit log as JSON lines (one object per line). Free with qayd_string_free.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qayd_engine_export_audit(
    engine: *const QaydEngine,
    out_jsonl: *mut *mut c_char,
) -> QaydStatus {
    guard(|| unsafe {
        let out_jsonl = out(out_jsonl, std::ptr::null_mut(), "out_jsonl")?;
        *out_jsonl = c_string(self::engine(engine)?.export_audit()?)?.into_raw();
        Ok(())
    })
}

/// Checks the audit log's links: {"intact":bool,"rows":…,"head":"…","broken_at":…|null,
/// "broken_reason":…|null}. Free with qayd_string_free.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qayd_engine_verify_audit(
    engine: *const QaydEngine,
    out_json: *mut *mut c_char,
) -> QaydStatus {
    // SAFETY: the caller's contract, as documented above.
    unsafe { json_call(engine, out_json, |e| Ok(e.verify_audit()?)) }
}

/// What the background worker has been doing — failed passes do not stop it, so watch this:
/// {"passes":…,"last_pass_at":…|null,"consecutive_failures":…,"last_error":{"at":…,"code":"SECRET",
/// "message":"…","egs_id":"…"|null}|null}. Free with qayd_string_free.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qayd_engine_worker_health(
    engine: *const QaydEngine,
    out_json: *mut *mut c_char,
) -> QaydStatus {
    // SAFETY: the caller's contract, as documented above.
    unsafe { json_call(engine, out_json, |e| Ok(e.worker_health())) }
}

// ---------------------------------------------------------------------------------------------
// Documents

fn document_field(document: *const QaydDocument, pick: impl Fn(&QaydDocument) -> &CString) -> *const c_char {
    // SAFETY: NULL or a handle from this library.
    unsafe { document.as_ref() }.map_or(std::ptr::null(), |d| pick(d).as_ptr())
}

/// The document's summary as JSON: {"egs_id":…,"icv":…,"uuid":…,"invoice_hash":…,"pih":…,
/// "simplified":…,"status":…,"issued_at":…,"attempts":…,"next_attempt_at":…,"last_error":…,
/// "messages":…,"finished_at":…}. Borrowed from the handle; NULL for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qayd_document_info_json(document: *const QaydDocument) -> *const c_char {
    document_field(document, |d| &d.info_json)
}

/// What local validation said when the document was issued (warnings), as a JSON array in
/// qayd_validate's finding shape: [{"rule":…,"severity":"warning","path":…,"message_en":…,
/// "message_ar":…,"fix":…}]; `[]` for documents read back from the store. Borrowed; NULL for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qayd_document_findings_json(document: *const QaydDocument) -> *const c_char {
    document_field(document, |d| &d.findings_json)
}

/// cbc:UUID. Borrowed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qayd_document_uuid(document: *const QaydDocument) -> *const c_char {
    document_field(document, |d| &d.uuid)
}

/// The invoice hash (base64): the next document's PIH. Borrowed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qayd_document_invoice_hash(document: *const QaydDocument) -> *const c_char {
    document_field(document, |d| &d.invoice_hash)
}

/// The submission status when the handle was made ("pending", "reported", "cleared", …).
/// Borrowed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qayd_document_status(document: *const QaydDocument) -> *const c_char {
    document_field(document, |d| &d.status)
}

/// The ICV (the unit's document counter; 0 for NULL).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qayd_document_icv(document: *const QaydDocument) -> u64 {
    // SAFETY: NULL or a handle from this library.
    unsafe { document.as_ref() }.map_or(0, |d| d.icv)
}

/// The stamped XML (not NUL-terminated); `*out_len` receives its length. Borrowed. NULL and
/// length 0 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qayd_document_xml(document: *const QaydDocument, out_len: *mut usize) -> *const u8 {
    // SAFETY: NULL or a handle from this library; out_len NULL or writable.
    let bytes = unsafe { document.as_ref() }.map(|d| d.xml.as_slice());
    unsafe { borrowed(bytes, out_len) }
}

/// ZATCA's cleared XML (the one to deliver to the buyer) once cleared; NULL and length 0
/// otherwise. Borrowed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qayd_document_cleared_xml(
    document: *const QaydDocument,
    out_len: *mut usize,
) -> *const u8 {
    // SAFETY: NULL or a handle from this library; out_len NULL or writable.
    let bytes = unsafe { document.as_ref() }.and_then(|d| d.cleared_xml.as_deref());
    unsafe { borrowed(bytes, out_len) }
}

/// Lends bytes out: the pointer, and their length through `out_len` (if not NULL).
unsafe fn borrowed(bytes: Option<&[u8]>, out_len: *mut usize) -> *const u8 {
    // SAFETY: NULL or writable (the caller's contract).
    if let Some(len) = unsafe { out_len.as_mut() } {
        *len = bytes.map_or(0, <[u8]>::len);
    }
    bytes.map_or(std::ptr::null(), <[u8]>::as_ptr)
}

/// Frees a document and everything its getters returned. NULL is ignored.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qayd_document_free(document: *mut QaydDocument) {
    // SAFETY: NULL or a handle from this library.
    unsafe { crate::free_box(document) }
}
