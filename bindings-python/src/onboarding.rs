//! Keys, identities, CSRs, sample invoices, onboarding and renewal, and the credentials they
//! give — `qayd::embed`'s first half, converted.

use crate::convert::{json_arg, loads, options_of, to_py};
use crate::runtime::{awaitable, blocking};
use crate::{OrRaise, Signer, bytes_arg};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use qayd::CsrConfig;
use qayd::embed::{self, ClientOptions};
use qayd::onboarding::{EgsCredentials, Progress};

/// An identity from a dict, JSON text or the SDK's `.properties` text.
pub(crate) fn identity_arg(value: &Bound<'_, PyAny>) -> PyResult<CsrConfig> {
    let text = json_arg(value, "identity")?;
    embed::identity_from_text(&text).or_raise(value.py())
}

/// The onboarding progress callback: `callback(step, index, total)`, called with the GIL.
/// An exception it raises cannot stop the onboarding in flight: it goes to
/// `sys.unraisablehook` (printed by default) and onboarding carries on.
fn progress_callback(progress: Option<Bound<'_, PyAny>>) -> PyResult<impl FnMut(Progress) + Send + 'static> {
    let callback = match progress {
        Some(p) if !p.is_none() => {
            if !p.is_callable() {
                return Err(PyTypeError::new_err("progress must be callable: progress(step, index, total)"));
            }
            Some(p.unbind())
        }
        _ => None,
    };
    Ok(move |p: Progress| {
        if let Some(callback) = &callback {
            Python::attach(|py| {
                if let Err(error) = callback.call1(py, (p.step, p.index, p.total)) {
                    error.write_unraisable(py, Some(callback.bind(py)));
                }
            });
        }
    })
}

/// A new secp256k1 private key, SEC1 PEM.
#[pyfunction]
fn generate_private_key_pem(py: Python<'_>) -> PyResult<String> {
    embed::generate_private_key_pem().or_raise(py)
}

/// A new random master key, base64: what `QAYD_MASTER_KEY` and `Engine(master_key=…)` take.
/// Keep it outside the store.
#[pyfunction]
fn generate_master_key(py: Python<'_>) -> PyResult<String> {
    embed::generate_master_key().or_raise(py)
}

/// The identity (dict of the nine CSR values) in `.properties` text or JSON (str or dict).
#[pyfunction]
fn identity_from_text(py: Python<'_>, text: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
    to_py(py, &identity_arg(text)?)
}

/// The CSR of `identity` for `environment`, signed with `private_key`: `{"pem", "base64"}`.
#[pyfunction]
fn build_csr(
    py: Python<'_>,
    identity: &Bound<'_, PyAny>,
    private_key: &Bound<'_, PyAny>,
    environment: &str,
) -> PyResult<Py<PyAny>> {
    let identity = identity_arg(identity)?;
    let key = bytes_arg(private_key, "private_key")?;
    let csr = py.detach(|| embed::build_csr(&identity, &key, environment)).or_raise(py)?;
    to_py(py, &csr)
}

/// A sample invoice model (dict) for `identity`, issued now.
#[pyfunction]
#[pyo3(signature = (identity, kind = "simplified", document_type = "invoice"))]
fn sample_invoice(
    py: Python<'_>,
    identity: &Bound<'_, PyAny>,
    kind: &str,
    document_type: &str,
) -> PyResult<Py<PyAny>> {
    let json = embed::sample_invoice_json(&identity_arg(identity)?, kind, document_type).or_raise(py)?;
    loads(py, &json)
}

fn credentials_object(py: Python<'_>, inner: EgsCredentials) -> PyResult<Py<PyAny>> {
    Ok(Py::new(py, Credentials { inner })?.into_any())
}

/// Onboards an EGS unit (blocking; the GIL is released).
#[pyfunction]
#[pyo3(signature = (identity, otp, environment, options = None, progress = None))]
fn onboard(
    py: Python<'_>,
    identity: &Bound<'_, PyAny>,
    otp: String,
    environment: String,
    options: Option<&Bound<'_, PyAny>>,
    progress: Option<Bound<'_, PyAny>>,
) -> PyResult<Credentials> {
    let identity = identity_arg(identity)?;
    let options: ClientOptions = options_of(py, options, "client options")?;
    let mut progress = progress_callback(progress)?;
    let inner = blocking(py, embed::onboard(&identity, &otp, &environment, &options, &mut progress))?;
    Ok(Credentials { inner })
}

/// `onboard` for asyncio: returns an awaitable of the credentials.
#[pyfunction]
#[pyo3(signature = (identity, otp, environment, options = None, progress = None))]
fn onboard_async<'py>(
    py: Python<'py>,
    identity: &Bound<'py, PyAny>,
    otp: String,
    environment: String,
    options: Option<&Bound<'py, PyAny>>,
    progress: Option<Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let identity = identity_arg(identity)?;
    let options: ClientOptions = options_of(py, options, "client options")?;
    let mut progress = progress_callback(progress)?;
    let future = async move { embed::onboard(&identity, &otp, &environment, &options, &mut progress).await };
    awaitable(py, future, credentials_object)
}

/// Renews the production CSID of `credentials` with a new OTP (blocking).
#[pyfunction]
#[pyo3(signature = (credentials, otp, options = None, progress = None))]
fn renew(
    py: Python<'_>,
    credentials: &Credentials,
    otp: String,
    options: Option<&Bound<'_, PyAny>>,
    progress: Option<Bound<'_, PyAny>>,
) -> PyResult<Credentials> {
    let options: ClientOptions = options_of(py, options, "client options")?;
    let mut progress = progress_callback(progress)?;
    let inner = blocking(py, embed::renew(&credentials.inner, &otp, &options, &mut progress))?;
    Ok(Credentials { inner })
}

/// `renew` for asyncio.
#[pyfunction]
#[pyo3(signature = (credentials, otp, options = None, progress = None))]
fn renew_async<'py>(
    py: Python<'py>,
    credentials: &Credentials,
    otp: String,
    options: Option<&Bound<'py, PyAny>>,
    progress: Option<Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let options: ClientOptions = options_of(py, options, "client options")?;
    let mut progress = progress_callback(progress)?;
    let current = credentials.inner.clone();
    let future = async move { embed::renew(&current, &otp, &options, &mut progress).await };
    awaitable(py, future, credentials_object)
}

/// An onboarded EGS unit's credentials: identity, key, both CSIDs, environment. They hold
/// secrets: `repr` shows none, `to_json()` has them all (store it sealed: `Engine.set_credentials`).
#[pyclass(module = "qayd", frozen)]
pub(crate) struct Credentials {
    pub(crate) inner: EgsCredentials,
}

#[pymethods]
impl Credentials {
    /// Reads the JSON form (`str`, `bytes` or a dict of it).
    #[staticmethod]
    fn from_json(text: &Bound<'_, PyAny>) -> PyResult<Self> {
        let json = json_arg(text, "credentials")?;
        Ok(Credentials { inner: EgsCredentials::from_json(&json).or_raise(text.py())? })
    }
    /// The JSON form, secrets included.
    fn to_json(&self, py: Python<'_>) -> PyResult<String> {
        self.inner.to_json().or_raise(py)
    }
    /// What may be printed or logged: no key, no secret, no token.
    fn summary(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        to_py(py, &self.inner.summary())
    }
    /// The production certificate with the private key, to stamp documents.
    fn signer(&self, py: Python<'_>) -> PyResult<Signer> {
        Ok(Signer { inner: self.inner.signer().or_raise(py)? })
    }
    /// `developer-portal`, `simulation`, `core` or `custom(<url>)`.
    #[getter]
    fn environment(&self) -> String {
        self.inner.environment.name()
    }
    /// The base URL of the environment that issued the credentials.
    #[getter]
    fn base_url(&self) -> &str {
        self.inner.environment.base_url()
    }
    /// The nine CSR values (a dict).
    #[getter]
    fn identity(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        to_py(py, &self.inner.identity)
    }
    #[getter]
    fn common_name(&self) -> &str {
        &self.inner.identity.common_name
    }
    #[getter]
    fn vat_number(&self) -> &str {
        &self.inner.identity.organization_identifier
    }
    /// The production certificate's end of validity, a timezone-aware UTC `datetime`.
    #[getter]
    fn certificate_expiry(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        crate::utc_datetime(py, self.inner.certificate_expiry)
    }
    /// The same, seconds since the Unix epoch.
    #[getter]
    fn certificate_expiry_unix(&self) -> i64 {
        self.inner.certificate_expiry
    }
    /// When onboarding (or the last renewal) finished, a timezone-aware UTC `datetime`.
    #[getter]
    fn issued_at(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        crate::utc_datetime(py, self.inner.issued_at)
    }
    /// The same, seconds since the Unix epoch.
    #[getter]
    fn issued_at_unix(&self) -> i64 {
        self.inner.issued_at
    }
    #[getter]
    fn compliance_request_id(&self) -> Option<&str> {
        self.inner.compliance.request_id.as_deref()
    }
    #[getter]
    fn production_request_id(&self) -> Option<&str> {
        self.inner.production.request_id.as_deref()
    }
    /// The production `binarySecurityToken` (for `ApiClient`).
    #[getter]
    fn token(&self) -> &str {
        &self.inner.production.binary_security_token
    }
    /// The production secret (for `ApiClient`; never log it).
    #[getter]
    fn secret(&self) -> &str {
        &self.inner.production.secret
    }
    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.cast::<Credentials>().is_ok_and(|o| o.get().inner == self.inner)
    }
    fn __repr__(&self) -> String {
        format!(
            "Credentials(environment={:?}, common_name={:?}, vat_number={:?}, certificate_expiry_unix={})",
            self.inner.environment.name(),
            self.inner.identity.common_name,
            self.inner.identity.organization_identifier,
            self.inner.certificate_expiry
        )
    }
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(generate_private_key_pem, m)?)?;
    m.add_function(wrap_pyfunction!(generate_master_key, m)?)?;
    m.add_function(wrap_pyfunction!(identity_from_text, m)?)?;
    m.add_function(wrap_pyfunction!(build_csr, m)?)?;
    m.add_function(wrap_pyfunction!(sample_invoice, m)?)?;
    m.add_function(wrap_pyfunction!(onboard, m)?)?;
    m.add_function(wrap_pyfunction!(onboard_async, m)?)?;
    m.add_function(wrap_pyfunction!(renew, m)?)?;
    m.add_function(wrap_pyfunction!(renew_async, m)?)?;
    m.add_class::<Credentials>()?;
    Ok(())
}
