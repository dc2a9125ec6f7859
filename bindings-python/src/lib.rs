//! `qayd._native`: the Python face of the qayd engine.
//!
//! This crate only converts types and maps errors; every rule lives in the core. The pure-Python
//! package `qayd` (python/qayd) re-exports what is here and defines the exception classes, so
//! they can inherit from both `QaydError` and `ValueError`.
//!
//! Long work (hash, stamp, verify, store access) runs with the GIL released (`py.detach`), so
//! other Python threads keep running and several threads can stamp in parallel. Network calls
//! (`qayd::embed`) come in two forms: blocking (`engine.drain()`, the GIL released around
//! `qayd::embed::block_on`) and asyncio (`await engine.drain_async()`, pyo3-async-runtimes on the
//! same shared tokio runtime); see `runtime.rs`.

/// The extension's Rust allocations go to mimalloc, as the Node addon's do (Python objects stay
/// with Python's allocator: results are copied into them). A stamp of 500 lines allocates and
/// frees some 6 MB of tree and index; glibc's malloc gave it back to the kernel after each stamp
/// (heap trimming) and faulted it in again at the next, ~270 page faults a stamp. Measured with
/// `bench/bench_stamp.py` (release): 500 lines 2.97 → 2.62 ms, the 5-line fast path 96.8 → 88.0
/// µs; RSS flat over 600 large and 30,000 small stamps.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod api;
mod convert;
mod engine;
mod onboarding;
mod runtime;

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyByteArray, PyBytes, PyList, PyString};
use std::borrow::Cow;

// ---------------------------------------------------------------------------------------------
// Errors: one mapping function from the core's stable code to the Python class of that code.
// ---------------------------------------------------------------------------------------------

/// `qayd._errors._from_core(code, message, rule, status) -> QaydError`, looked up once.
static ERROR_FACTORY: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

pub(crate) fn to_py_err(py: Python<'_>, error: qayd::Error) -> PyErr {
    let factory = ERROR_FACTORY.get_or_try_init(py, || -> PyResult<Py<PyAny>> {
        Ok(py.import("qayd._errors")?.getattr("_from_core")?.unbind())
    });
    let factory = match factory {
        Ok(f) => f,
        Err(e) => return e,
    };
    match factory.call1(py, (error.code(), error.to_string(), error.rule(), error.status())) {
        Ok(exception) => PyErr::from_value(exception.into_bound(py)),
        Err(e) => e,
    }
}

/// Converts a core result, mapping its error.
pub(crate) trait OrRaise<T> {
    fn or_raise(self, py: Python<'_>) -> PyResult<T>;
}

impl<T> OrRaise<T> for qayd::Result<T> {
    fn or_raise(self, py: Python<'_>) -> PyResult<T> {
        self.map_err(|e| to_py_err(py, e))
    }
}

// ---------------------------------------------------------------------------------------------
// Arguments: documents, certificates and keys may be bytes, bytearray or str.
// ---------------------------------------------------------------------------------------------

/// The bytes of a `bytes | bytearray | str` argument (str as UTF-8), borrowed where possible.
pub(crate) fn bytes_arg<'a>(value: &'a Bound<'_, PyAny>, what: &str) -> PyResult<Cow<'a, [u8]>> {
    if let Ok(bytes) = value.cast::<PyBytes>() {
        return Ok(Cow::Borrowed(bytes.as_bytes()));
    }
    if let Ok(text) = value.cast::<PyString>() {
        return Ok(match text.to_cow()? {
            Cow::Borrowed(s) => Cow::Borrowed(s.as_bytes()),
            Cow::Owned(s) => Cow::Owned(s.into_bytes()),
        });
    }
    if let Ok(array) = value.cast::<PyByteArray>() {
        // Mutable: copy, so the GIL can be released while the core reads it.
        return Ok(Cow::Owned(array.to_vec()));
    }
    Err(PyTypeError::new_err(format!(
        "{what} must be bytes, bytearray or str, not {}",
        value.get_type().name().map(|n| n.to_string()).unwrap_or_else(|_| "?".into())
    )))
}

// ---------------------------------------------------------------------------------------------
// Hash
// ---------------------------------------------------------------------------------------------

/// The invoice hash (base64 SHA-256 of the C14N 1.1 canonical invoice without its stamp).
#[pyfunction]
fn invoice_hash(py: Python<'_>, xml: &Bound<'_, PyAny>) -> PyResult<String> {
    let xml = bytes_arg(xml, "xml")?;
    py.detach(|| qayd::invoice_hash(&xml)).or_raise(py)
}

// ---------------------------------------------------------------------------------------------
// Generate
// ---------------------------------------------------------------------------------------------

/// The unsigned UBL 2.1 document of an invoice model given in its JSON form (`str`/`bytes`, or a
/// `dict` that `json.dumps` turns into it): validated, totals computed, written in the SDK's
/// layout, ready for `Signer.stamp`.
#[pyfunction]
fn generate<'py>(py: Python<'py>, model: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyBytes>> {
    let json = convert::json_arg(model, "model")?;
    let xml = py.detach(|| qayd::embed::generate(&json)).or_raise(py)?;
    Ok(PyBytes::new(py, &xml))
}

// ---------------------------------------------------------------------------------------------
// Certificate, Signer, StampedInvoice
// ---------------------------------------------------------------------------------------------

/// A signing certificate (compliance or production CSID) and what the stamp takes from it.
#[pyclass(module = "qayd", frozen)]
struct Certificate {
    inner: qayd::Certificate,
}

/// Seconds since the Unix epoch as a timezone-aware UTC `datetime`.
pub(crate) fn utc_datetime(py: Python<'_>, unix: i64) -> PyResult<Py<PyAny>> {
    let datetime = py.import("datetime")?;
    let utc = datetime.getattr("timezone")?.getattr("utc")?;
    Ok(datetime.getattr("datetime")?.call_method1("fromtimestamp", (unix, utc))?.unbind())
}

#[pymethods]
impl Certificate {
    /// Reads PEM, DER, the SDK's bare base64, or a Fatoora `binarySecurityToken`.
    #[new]
    fn new(py: Python<'_>, certificate: &Bound<'_, PyAny>) -> PyResult<Self> {
        let data = bytes_arg(certificate, "certificate")?;
        Ok(Certificate { inner: qayd::Certificate::from_bytes(&data).or_raise(py)? })
    }
    /// `ds:X509IssuerName`: RDNs most specific first, joined by ", ".
    #[getter]
    fn issuer_name(&self) -> &str {
        self.inner.issuer_name()
    }
    /// `ds:X509SerialNumber`: the serial as a decimal string (it exceeds 64 bits).
    #[getter]
    fn serial_number(&self) -> &str {
        self.inner.serial_decimal()
    }
    /// Start of validity, a timezone-aware UTC `datetime`.
    #[getter]
    fn not_before(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        utc_datetime(py, self.inner.not_before_unix())
    }
    /// End of validity, a timezone-aware UTC `datetime`.
    #[getter]
    fn not_after(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        utc_datetime(py, self.inner.not_after_unix())
    }
    /// Start of validity, seconds since the Unix epoch.
    #[getter]
    fn not_before_unix(&self) -> i64 {
        self.inner.not_before_unix()
    }
    /// End of validity, seconds since the Unix epoch.
    #[getter]
    fn not_after_unix(&self) -> i64 {
        self.inner.not_after_unix()
    }
    /// The DER bytes.
    #[getter]
    fn der<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, self.inner.der())
    }
    /// One-line base64 of the DER (the content of `ds:X509Certificate`).
    #[getter]
    fn base64(&self) -> &str {
        self.inner.base64()
    }
    /// QR tag 8: the DER SubjectPublicKeyInfo.
    #[getter]
    fn public_key<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, self.inner.public_key_der())
    }
    fn __repr__(&self) -> String {
        format!(
            "Certificate(issuer_name={:?}, serial_number={:?}, not_after_unix={})",
            self.inner.issuer_name(),
            self.inner.serial_decimal(),
            self.inner.not_after_unix()
        )
    }
}

/// A certificate and the private key that signs with it, checked to belong together.
#[pyclass(module = "qayd", frozen)]
pub(crate) struct Signer {
    pub(crate) inner: qayd::Signer,
}

#[pymethods]
impl Signer {
    /// Both arguments accept every encoding the core reads: PEM, DER, bare base64 (the SDK's
    /// files); the certificate also a `binarySecurityToken`.
    #[new]
    fn new(py: Python<'_>, certificate: &Bound<'_, PyAny>, private_key: &Bound<'_, PyAny>) -> PyResult<Self> {
        let certificate = bytes_arg(certificate, "certificate")?;
        let private_key = bytes_arg(private_key, "private_key")?;
        Ok(Signer { inner: qayd::Signer::from_bytes(&certificate, &private_key).or_raise(py)? })
    }

    /// Stamps an invoice: hash, XAdES signature, QR code, spliced into the caller's bytes.
    /// `signing_time` is `YYYY-MM-DDTHH:MM:SS` (Riyadh time); `None` means now.
    #[pyo3(signature = (xml, signing_time = None))]
    fn stamp(
        &self,
        py: Python<'_>,
        xml: &Bound<'_, PyAny>,
        signing_time: Option<String>,
    ) -> PyResult<StampedInvoice> {
        let xml = bytes_arg(xml, "xml")?;
        let stamped =
            py.detach(|| qayd::embed::stamp(&self.inner, &xml, signing_time.as_deref())).or_raise(py)?;
        Ok(StampedInvoice::from_core(py, stamped))
    }

    /// Stamps an invoice model (`dict`, or its JSON as `str`/`bytes`) in one call: generated,
    /// judged by ZATCA's rules and stamped without parsing the written XML back — the same bytes
    /// as `stamp(generate(model))`, faster. `signing_time` as in `stamp`.
    #[pyo3(signature = (model, signing_time = None))]
    fn stamp_invoice(
        &self,
        py: Python<'_>,
        model: &Bound<'_, PyAny>,
        signing_time: Option<String>,
    ) -> PyResult<StampedInvoice> {
        let json = convert::json_arg(model, "model")?;
        let stamped = py
            .detach(|| qayd::embed::stamp_invoice(&self.inner, &json, signing_time.as_deref()))
            .or_raise(py)?;
        Ok(StampedInvoice::from_core(py, stamped))
    }

    /// The signing certificate.
    #[getter]
    fn certificate(&self) -> Certificate {
        Certificate { inner: self.inner.certificate().clone() }
    }

    fn __repr__(&self) -> String {
        format!("Signer(certificate={:?})", self.inner.certificate().issuer_name())
    }
}

/// A stamped document and the values the Fatoora API call and the chain need.
#[pyclass(module = "qayd", frozen, get_all)]
struct StampedInvoice {
    /// The stamped XML bytes, ready to send (base64 them for the API's `invoice` field).
    xml: Py<PyBytes>,
    /// Base64 invoice hash: the API's `invoiceHash` and the next document's PIH.
    invoice_hash: String,
    /// `cbc:UUID`, the API's `uuid`.
    uuid: String,
    /// `ds:SignatureValue`, base64 DER.
    signature: String,
    /// The QR payload (base64 TLV).
    qr: String,
    /// `xades:SigningTime` as written.
    signing_time: String,
}

impl StampedInvoice {
    fn from_core(py: Python<'_>, s: qayd::StampedInvoice) -> Self {
        StampedInvoice {
            xml: PyBytes::new(py, &s.xml).unbind(),
            invoice_hash: s.invoice_hash,
            uuid: s.uuid,
            signature: s.signature,
            qr: s.qr,
            signing_time: s.signing_time,
        }
    }
}

#[pymethods]
impl StampedInvoice {
    fn __repr__(&self) -> String {
        format!(
            "StampedInvoice(uuid={:?}, invoice_hash={:?}, signing_time={:?})",
            self.uuid, self.invoice_hash, self.signing_time
        )
    }
}

// ---------------------------------------------------------------------------------------------
// Verify
// ---------------------------------------------------------------------------------------------

/// The outcome of one verification check.
#[pyclass(module = "qayd", frozen, get_all)]
struct Check {
    /// Stable identifier (`invoice_hash`, `signature`, `qr`, `pih`, …).
    name: String,
    passed: bool,
    message: String,
}

#[pymethods]
impl Check {
    fn __repr__(&self) -> String {
        format!(
            "Check(name={:?}, passed={}, message={:?})",
            self.name,
            if self.passed { "True" } else { "False" },
            self.message
        )
    }
}

/// Everything `verify` found.
#[pyclass(module = "qayd", frozen)]
struct VerificationReport {
    valid: bool,
    invoice_hash: String,
    checks: Vec<Py<Check>>,
}

#[pymethods]
impl VerificationReport {
    /// True when every check passed.
    #[getter]
    fn valid(&self) -> bool {
        self.valid
    }
    /// The invoice hash recomputed from the document.
    #[getter]
    fn invoice_hash(&self) -> &str {
        &self.invoice_hash
    }
    /// Every check, in the order they ran.
    #[getter]
    fn checks<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        PyList::new(py, self.checks.iter().map(|c| c.clone_ref(py)))
    }
    /// The checks that failed.
    #[getter]
    fn failures<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        PyList::new(py, self.checks.iter().filter(|c| !c.get().passed).map(|c| c.clone_ref(py)))
    }
    fn __bool__(&self) -> bool {
        self.valid
    }
    fn __repr__(&self) -> String {
        let failed: Vec<&str> =
            self.checks.iter().filter(|c| !c.get().passed).map(|c| c.get().name.as_str()).collect();
        format!(
            "VerificationReport(valid={}, invoice_hash={:?}, failures={failed:?})",
            if self.valid { "True" } else { "False" },
            self.invoice_hash
        )
    }
}

/// Verifies a stamped invoice check by check. Raises only when the input is not an invoice.
#[pyfunction]
fn verify(py: Python<'_>, xml: &Bound<'_, PyAny>) -> PyResult<VerificationReport> {
    let xml = bytes_arg(xml, "xml")?;
    let report = py.detach(|| qayd::verify(&xml)).or_raise(py)?;
    let checks = report
        .checks
        .into_iter()
        .map(|c| Py::new(py, Check { name: c.name, passed: c.passed, message: c.message }))
        .collect::<PyResult<Vec<_>>>()?;
    Ok(VerificationReport { valid: report.valid, invoice_hash: report.invoice_hash, checks })
}

// ---------------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------------

/// One business-rule or schema finding.
#[pyclass(module = "qayd", frozen, get_all)]
pub(crate) struct Finding {
    /// The rule id (`BR-KSA-37`) or, for schema checks, `XSD-…`.
    rule: String,
    /// `qayd.Severity.ERROR` or `.WARNING` (equal to `"error"`, `"warning"`).
    severity: Py<PyAny>,
    /// Where, XPath-like: `/Invoice/cac:InvoiceLine[2]/cbc:LineExtensionAmount`.
    path: String,
    message_en: String,
    message_ar: String,
    /// What to change, with the values found and expected.
    fix: String,
}

#[pymethods]
impl Finding {
    fn __repr__(&self, py: Python<'_>) -> String {
        let severity = self.severity.bind(py).str().map(|s| s.to_string()).unwrap_or_default();
        format!("Finding(rule={:?}, severity={severity:?}, path={:?})", self.rule, self.path)
    }
}

/// Everything `validate` found.
#[pyclass(module = "qayd", frozen, get_all)]
struct ValidationReport {
    /// True when there is no error (warnings allowed).
    valid: bool,
    findings: Vec<Py<Finding>>,
}

#[pymethods]
impl ValidationReport {
    fn __bool__(&self) -> bool {
        self.valid
    }
    fn __repr__(&self) -> String {
        format!(
            "ValidationReport(valid={}, findings={})",
            if self.valid { "True" } else { "False" },
            self.findings.len()
        )
    }
}

/// Validates an invoice against the UBL structure and ZATCA's business rules. Raises only when
/// the input is not an invoice.
#[pyfunction]
fn validate(py: Python<'_>, xml: &Bound<'_, PyAny>) -> PyResult<ValidationReport> {
    let xml = bytes_arg(xml, "xml")?;
    let report = py.detach(|| qayd::validate(&xml)).or_raise(py)?;
    Ok(ValidationReport { valid: report.valid, findings: findings(py, report.findings)? })
}

/// The core's findings as `Finding` objects (also on issued documents).
pub(crate) fn findings(py: Python<'_>, findings: Vec<qayd::Finding>) -> PyResult<Vec<Py<Finding>>> {
    findings
        .into_iter()
        .map(|f| {
            let severity = convert::enum_member(py, "Severity", f.severity.as_str())?.unbind();
            Py::new(
                py,
                Finding {
                    rule: f.rule,
                    severity,
                    path: f.path,
                    message_en: f.message_en,
                    message_ar: f.message_ar,
                    fix: f.fix,
                },
            )
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// PDF
// ---------------------------------------------------------------------------------------------

/// A stamped document as a bilingual PDF/A-3b page with its QR code and the signed XML embedded
/// unchanged; `logo` is a PNG shown at the top, `footer` a line or two at the foot.
#[pyfunction]
#[pyo3(signature = (xml, *, logo = None, footer = None))]
fn pdf<'py>(
    py: Python<'py>,
    xml: &Bound<'py, PyAny>,
    logo: Option<&Bound<'py, PyAny>>,
    footer: Option<String>,
) -> PyResult<Bound<'py, PyBytes>> {
    let xml = bytes_arg(xml, "xml")?;
    let logo_png = logo.map(|logo| bytes_arg(logo, "logo").map(Cow::into_owned)).transpose()?;
    let options = qayd::pdf::PdfOptions { logo_png, footer };
    let pdf = py.detach(|| qayd::pdf::render(&xml, &options)).or_raise(py)?;
    Ok(PyBytes::new(py, &pdf))
}

// ---------------------------------------------------------------------------------------------
// QR
// ---------------------------------------------------------------------------------------------

/// One decoded TLV field of the QR code.
#[pyclass(module = "qayd", frozen, get_all)]
struct QrField {
    tag: u8,
    /// What the tag means (`seller_name`, `vat_number`, …).
    name: String,
    /// Text for tags 1–7, base64 of the raw bytes for tags 8 and 9.
    value: String,
    /// The raw value bytes.
    raw: Py<PyBytes>,
}

#[pymethods]
impl QrField {
    fn __repr__(&self) -> String {
        format!("QrField(tag={}, name={:?}, value={:?})", self.tag, self.name, self.value)
    }
}

/// Decodes a base64 TLV QR payload into its fields.
#[pyfunction]
fn qr_decode(py: Python<'_>, text: &str) -> PyResult<Vec<QrField>> {
    let fields = qayd::qr::decode(text).or_raise(py)?;
    Ok(fields
        .into_iter()
        .map(|f| QrField { tag: f.tag, name: f.name, value: f.value, raw: PyBytes::new(py, &f.raw).unbind() })
        .collect())
}

/// An SVG image of the QR code carrying `text`.
#[pyfunction]
fn qr_svg(py: Python<'_>, text: &str) -> PyResult<String> {
    qayd::qr::render_svg(text).or_raise(py)
}

/// A PNG image of the QR code carrying `text`, `scale` pixels per module (clamped to 1..=64).
#[pyfunction]
#[pyo3(signature = (text, scale = 8))]
fn qr_png<'py>(py: Python<'py>, text: &str, scale: u32) -> PyResult<Bound<'py, PyBytes>> {
    let png = qayd::qr::render_png(text, scale).or_raise(py)?;
    Ok(PyBytes::new(py, &png))
}

/// The QR code drawn with Unicode half blocks, for a terminal.
#[pyfunction]
fn qr_text(py: Python<'_>, text: &str) -> PyResult<String> {
    qayd::qr::render_text(text).or_raise(py)
}

// ---------------------------------------------------------------------------------------------
// Module
// ---------------------------------------------------------------------------------------------

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", qayd::VERSION)?;
    m.add("GENESIS_PIH", qayd::GENESIS_PIH)?;
    m.add("ERROR_CODES", qayd::ERROR_CODES.to_vec())?;
    m.add_function(wrap_pyfunction!(invoice_hash, m)?)?;
    m.add_function(wrap_pyfunction!(generate, m)?)?;
    m.add_function(wrap_pyfunction!(verify, m)?)?;
    m.add_function(wrap_pyfunction!(validate, m)?)?;
    m.add_function(wrap_pyfunction!(pdf, m)?)?;
    m.add_function(wrap_pyfunction!(qr_decode, m)?)?;
    m.add_function(wrap_pyfunction!(qr_svg, m)?)?;
    m.add_function(wrap_pyfunction!(qr_png, m)?)?;
    m.add_function(wrap_pyfunction!(qr_text, m)?)?;
    m.add_class::<Certificate>()?;
    m.add_class::<Signer>()?;
    m.add_class::<StampedInvoice>()?;
    m.add_class::<Check>()?;
    m.add_class::<VerificationReport>()?;
    m.add_class::<Finding>()?;
    m.add_class::<ValidationReport>()?;
    m.add_class::<QrField>()?;
    onboarding::register(m)?;
    api::register(m)?;
    engine::register(m)?;
    runtime::init(m.py())?;
    Ok(())
}
