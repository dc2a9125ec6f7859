//! The Node.js face of the qayd engine (napi-rs). Loaded by `index.js`, which is the public API.
//!
//! This crate only converts types and maps errors; every rule lives in the core. A core error is
//! thrown as a JS `Error` carrying `code = "QAYD_<CODE>"` (the core's stable `Error::code()`),
//! `rule` (for `QAYD_INVALID_MODEL`) and `status` (the HTTP status of API errors); `index.js`
//! re-throws it as the matching subclass. Async functions cannot throw such an object (napi-rs
//! rejects their Promise with a `Status` error), so they put the same three values in a message
//! prefix, `[QAYD_<CODE> status=401 rule=BR-KSA-40] message`, which `index.js` parses back.
//!
//! The onboarding, API client and engine surface is `qayd::embed`, bound in `onboarding`, `api`
//! and `engine`.

use napi::bindgen_prelude::*;
use napi_derive::napi;

use crossing::{Data, StampedParts, Text, bytes};

// Public so their `#[napi]` items count as used in builds where napi does not register them
// (clippy's test target).
pub mod api;
mod crossing;
pub mod engine;
pub mod onboarding;

/// The addon's Rust allocations go to mimalloc (thread-local heaps). Node is multi-threaded from
/// its start (V8 platform threads, the libuv pool), which puts glibc's malloc on its locked path
/// for every allocation of a stamp; measured with `bench/stamp.mjs` (release), mimalloc took
/// 20,000 stamps of the 5-line invoice from 2.38 s to 2.10 s and the 500-line stamp from 9.0
/// to 8.3 ms, with RSS as flat as before over 200,000 stamps (`bench/memory.mjs`). Memory
/// handed to JS is copied into V8's own buffers (see [`Bytes`]), so no allocator is mixed.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/// Throws the core error as a JS Error with `code` and `rule`, and returns the "already thrown"
/// marker napi-rs passes through unchanged.
fn throw(env: &Env, error: qayd::Error) -> Error {
    let build = || -> Result<()> {
        let mut object = env.create_error(Error::new(Status::GenericFailure, error.to_string()))?;
        object.set("code", format!("QAYD_{}", error.code()))?;
        match error.rule() {
            Some(rule) => object.set("rule", rule)?,
            None => object.set("rule", Null)?,
        }
        match error.status() {
            Some(status) => object.set("status", u32::from(status))?,
            None => object.set("status", Null)?,
        }
        env.throw(object)
    };
    match build() {
        Ok(()) => Error::from_status(Status::PendingException),
        // Could not build the object (e.g. the env is tearing down): fall back to a plain error
        // whose `code` is still the stable one.
        Err(_) => Error::new(Status::GenericFailure, format!("[QAYD_{}] {error}", error.code())),
    }
}

/// The rejection of an async call: a plain error whose message starts with the code, status
/// and rule (see the module doc); the message itself never holds secrets (the core's rule).
fn reject(error: qayd::Error) -> Error {
    let mut prefix = format!("[QAYD_{}", error.code());
    if let Some(status) = error.status() {
        prefix.push_str(&format!(" status={status}"));
    }
    if let Some(rule) = error.rule() {
        prefix.push_str(&format!(" rule={}", rule.replace([' ', ']'], "_")));
    }
    Error::new(Status::GenericFailure, format!("{prefix}] {error}"))
}

trait OrThrow<T> {
    /// Sync calls: throw the core error as a JS Error with `code`, `rule` and `status`.
    fn or_throw(self, env: &Env) -> Result<T>;
    /// Async calls: reject with the prefixed message.
    fn or_reject(self) -> Result<T>;
}

impl<T> OrThrow<T> for qayd::Result<T> {
    fn or_throw(self, env: &Env) -> Result<T> {
        self.map_err(|e| throw(env, e))
    }

    fn or_reject(self) -> Result<T> {
        self.map_err(reject)
    }
}

/// A JS number that must be a non-negative integer on the Rust side (ICVs, limits).
fn non_negative(value: i64, what: &str) -> qayd::Result<u64> {
    u64::try_from(value)
        .map_err(|_| qayd::Error::InvalidInput(format!("{what} must not be negative ({value})")))
}

/// Client settings (the JSON form of `qayd::embed::ClientOptions`; `index.js` turns the JS
/// object's camelCase keys into it). `None`: the defaults.
fn client_options(json: Option<String>) -> qayd::Result<qayd::embed::ClientOptions> {
    match json {
        None => Ok(qayd::embed::ClientOptions::default()),
        Some(text) => {
            serde_json::from_str(&text).map_err(|e| qayd::Error::InvalidInput(format!("client options: {e}")))
        }
    }
}

/// Bytes returned to JS as a `Buffer` whose memory V8 owns (`napi_create_buffer_copy`).
///
/// napi-rs turns a `Buffer` made from a `Vec<u8>` into an *external* buffer that keeps the `Vec`
/// alive until its finalizer runs, and Node defers the finalizers of Node-API external buffers
/// to the event loop (`SetImmediate`). A synchronous loop (`for (…) signer.stamp(xml)`) never
/// reaches the event loop, so every stamped document (16 KB for the 5-line invoice) stayed
/// allocated until the loop ended: RSS grew by ~23 KB per stamp without bound (4.7 GB after
/// 200,000 stamps), although V8 had collected the Buffers. Copying once into a V8-owned Buffer
/// lets the GC free it with the object (`bench/memory.mjs` measures this); the copy costs
/// about 1 µs for 16 KB.
pub struct Bytes(pub Vec<u8>);

impl From<Vec<u8>> for Bytes {
    fn from(bytes: Vec<u8>) -> Self {
        Bytes(bytes)
    }
}

impl TypeName for Bytes {
    fn type_name() -> &'static str {
        "Buffer"
    }

    fn value_type() -> ValueType {
        ValueType::Object
    }
}

impl ToNapiValue for Bytes {
    unsafe fn to_napi_value(env: sys::napi_env, value: Self) -> Result<sys::napi_value> {
        let mut buffer = std::ptr::null_mut();
        // SAFETY: `value.0` is valid for `len` bytes for the duration of the call, which copies
        // them into a new V8-owned Buffer; the data out-pointer is not requested.
        let status = unsafe {
            sys::napi_create_buffer_copy(
                env,
                value.0.len(),
                value.0.as_ptr().cast(),
                std::ptr::null_mut(),
                &mut buffer,
            )
        };
        check_status!(status, "cannot create a Buffer of {} bytes", value.0.len())?;
        Ok(buffer)
    }
}

impl FromNapiValue for Bytes {
    unsafe fn from_napi_value(env: sys::napi_env, value: sys::napi_value) -> Result<Self> {
        // SAFETY: forwarded from napi-rs, which calls this with a live env and value.
        let buffer = unsafe { Buffer::from_napi_value(env, value) }?;
        Ok(Bytes(buffer.to_vec()))
    }
}

// ---------------------------------------------------------------------------------------------
// Constants and hash
// ---------------------------------------------------------------------------------------------

/// The engine's version.
#[napi]
pub const VERSION: &str = qayd::VERSION;

/// The PIH of the first document of every EGS unit.
#[napi(js_name = "GENESIS_PIH")]
pub const GENESIS_PIH: &str = qayd::GENESIS_PIH;

/// Every error code the core can raise (without the `QAYD_` prefix).
#[napi]
pub fn error_codes() -> Vec<&'static str> {
    qayd::ERROR_CODES.to_vec()
}

/// The values of the surface's enums, from the core's own lists (`index.js` turns each into a
/// frozen `{ UPPER_NAME: 'value' }` object).
#[napi]
pub fn enum_values() -> std::collections::HashMap<&'static str, Vec<&'static str>> {
    use qayd::embed::{ApiOutcome, ClearOutcome, DocumentStatus, EventKind};
    let names = |values: &[&'static str]| values.to_vec();
    std::collections::HashMap::from([
        ("DocumentStatus", names(&DocumentStatus::ALL.map(DocumentStatus::as_str))),
        ("ClearOutcome", names(&ClearOutcome::ALL.map(ClearOutcome::as_str))),
        ("ApiOutcome", names(&ApiOutcome::ALL.map(ApiOutcome::as_str))),
        ("EventKind", names(&EventKind::ALL.map(EventKind::as_str))),
        ("Severity", names(&qayd::Severity::ALL.map(qayd::Severity::as_str))),
    ])
}

/// The engine records' fields that hold a time, snake_case (`index.js` turns them into `Date`s).
#[napi]
pub fn time_fields() -> Vec<&'static str> {
    qayd::embed::surface::TIME_FIELDS.to_vec()
}

/// The invoice hash (base64 SHA-256 of the C14N 1.1 canonical invoice without its stamp).
#[napi]
pub fn invoice_hash(env: Env, xml: Data) -> Result<String> {
    qayd::invoice_hash(bytes(&xml)).or_throw(&env)
}

/// The unsigned UBL 2.1 document of an invoice model given in its JSON form: validated, totals
/// computed, written in the SDK's layout, ready for `Signer.stamp`.
#[napi]
pub fn generate(env: Env, model: Data) -> Result<Bytes> {
    let xml = std::str::from_utf8(bytes(&model))
        .map_err(|e| qayd::Error::InvalidInput(format!("invoice JSON is not UTF-8 ({e})")))
        .and_then(qayd::embed::generate)
        .or_throw(&env)?;
    Ok(xml.into())
}

// ---------------------------------------------------------------------------------------------
// Signer and stamp
// ---------------------------------------------------------------------------------------------

/// What the stamp takes from the signing certificate.
#[napi(object)]
pub struct CertificateInfo {
    /// `ds:X509IssuerName`.
    pub issuer_name: String,
    /// `ds:X509SerialNumber`, decimal.
    pub serial_number: String,
    /// Start of validity, seconds since the Unix epoch.
    pub not_before_unix: i64,
    /// End of validity, seconds since the Unix epoch.
    pub not_after_unix: i64,
    /// One-line base64 of the DER.
    pub base64: String,
    /// QR tag 8: the DER SubjectPublicKeyInfo.
    pub public_key: Bytes,
}

/// A certificate and the private key that signs with it.
#[napi]
pub struct Signer {
    inner: qayd::Signer,
}

#[napi]
impl Signer {
    #[napi(constructor)]
    pub fn new(env: Env, certificate: Data, private_key: Data) -> Result<Self> {
        let inner = qayd::Signer::from_bytes(bytes(&certificate), bytes(&private_key)).or_throw(&env)?;
        Ok(Signer { inner })
    }

    /// Stamps a document. `signing_time`: `xades:SigningTime` as `YYYY-MM-DDTHH:MM:SS` (Riyadh
    /// time), `undefined` = now — a plain argument, not an options object, to save reading one
    /// on every call.
    #[napi]
    pub fn stamp(&self, env: Env, xml: Data, signing_time: Option<String>) -> Result<StampedParts> {
        let stamped = qayd::embed::stamp(&self.inner, bytes(&xml), signing_time.as_deref());
        stamped.map(StampedParts).or_throw(&env)
    }

    /// Stamps an invoice model (its JSON text) in one call: written, judged and stamped without
    /// parsing the written XML back — the bytes of `stamp(generate(model))`.
    #[napi]
    pub fn stamp_invoice(&self, env: Env, model: Text, signing_time: Option<String>) -> Result<StampedParts> {
        let stamped = qayd::embed::stamp_invoice(&self.inner, &model.0, signing_time.as_deref());
        stamped.map(StampedParts).or_throw(&env)
    }

    #[napi(getter)]
    pub fn certificate(&self) -> CertificateInfo {
        let c = self.inner.certificate();
        CertificateInfo {
            issuer_name: c.issuer_name().to_owned(),
            serial_number: c.serial_decimal().to_owned(),
            not_before_unix: c.not_before_unix(),
            not_after_unix: c.not_after_unix(),
            base64: c.base64().to_owned(),
            public_key: c.public_key_der().to_vec().into(),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Verify
// ---------------------------------------------------------------------------------------------

#[napi(object)]
pub struct Check {
    pub name: String,
    pub passed: bool,
    pub message: String,
}

#[napi(object)]
pub struct VerificationReport {
    pub valid: bool,
    pub invoice_hash: String,
    pub checks: Vec<Check>,
}

/// Verifies a stamped invoice check by check. Throws only when the input is not an invoice.
#[napi]
pub fn verify(env: Env, xml: Data) -> Result<VerificationReport> {
    let report = qayd::verify(bytes(&xml)).or_throw(&env)?;
    Ok(VerificationReport {
        valid: report.valid,
        invoice_hash: report.invoice_hash,
        checks: report
            .checks
            .into_iter()
            .map(|c| Check { name: c.name, passed: c.passed, message: c.message })
            .collect(),
    })
}

// ---------------------------------------------------------------------------------------------
// Validate
// ---------------------------------------------------------------------------------------------

#[napi(object)]
pub struct Finding {
    /// The rule id (`BR-KSA-37`) or, for schema checks, `XSD-…`.
    pub rule: String,
    /// `"error"` or `"warning"`.
    pub severity: String,
    pub path: String,
    pub message_en: String,
    pub message_ar: String,
    pub fix: String,
}

#[napi(object)]
pub struct ValidationReport {
    pub valid: bool,
    pub findings: Vec<Finding>,
}

/// Validates an invoice against the UBL structure and ZATCA's business rules. Throws only when
/// the input is not an invoice.
#[napi]
pub fn validate(env: Env, xml: Data) -> Result<ValidationReport> {
    let report = qayd::validate(bytes(&xml)).or_throw(&env)?;
    Ok(ValidationReport {
        valid: report.valid,
        findings: report.findings.into_iter().map(Finding::from).collect(),
    })
}

impl From<qayd::Finding> for Finding {
    fn from(f: qayd::Finding) -> Self {
        Finding {
            // The core's own name: a severity it adds reaches JavaScript under its own name.
            severity: f.severity.as_str().into(),
            rule: f.rule,
            path: f.path,
            message_en: f.message_en,
            message_ar: f.message_ar,
            fix: f.fix,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// PDF
// ---------------------------------------------------------------------------------------------

/// Options of `pdf`.
#[napi(object)]
pub struct PdfOptions {
    /// A PNG shown at the top of the page (scaled to at most 150 × 48 pt).
    pub logo: Option<Buffer>,
    /// A line or two at the foot of the document (bank details, a thank-you).
    pub footer: Option<String>,
}

/// A stamped document as a bilingual PDF/A-3b page with its QR code and the signed XML embedded
/// unchanged.
#[napi]
pub fn pdf(env: Env, xml: Data, options: Option<PdfOptions>) -> Result<Bytes> {
    let options = options.map_or_else(qayd::pdf::PdfOptions::default, |o| qayd::pdf::PdfOptions {
        logo_png: o.logo.map(|logo| logo.to_vec()),
        footer: o.footer,
    });
    qayd::pdf::render(bytes(&xml), &options).map(Bytes).or_throw(&env)
}

// ---------------------------------------------------------------------------------------------
// QR
// ---------------------------------------------------------------------------------------------

#[napi(object)]
pub struct QrField {
    pub tag: u32,
    pub name: String,
    /// Text for tags 1–7, base64 of the raw bytes for tags 8 and 9.
    pub value: String,
    pub raw: Bytes,
}

/// Decodes a base64 TLV QR payload into its fields.
#[napi]
pub fn qr_decode(env: Env, text: String) -> Result<Vec<QrField>> {
    let fields = qayd::qr::decode(&text).or_throw(&env)?;
    Ok(fields
        .into_iter()
        .map(|f| QrField { tag: f.tag.into(), name: f.name, value: f.value, raw: f.raw.into() })
        .collect())
}

/// An SVG image of the QR code carrying `text`.
#[napi]
pub fn qr_svg(env: Env, text: String) -> Result<String> {
    qayd::qr::render_svg(&text).or_throw(&env)
}

/// A PNG image of the QR code carrying `text`, `scale` pixels per module (default 8, clamped to
/// 1..=64).
#[napi]
pub fn qr_png(env: Env, text: String, scale: Option<u32>) -> Result<Bytes> {
    qayd::qr::render_png(&text, scale.unwrap_or(8)).map(Bytes).or_throw(&env)
}

/// The QR code drawn with Unicode half blocks, for a terminal.
#[napi]
pub fn qr_text(env: Env, text: String) -> Result<String> {
    qayd::qr::render_text(&text).or_throw(&env)
}
