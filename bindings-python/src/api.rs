//! `ApiClient`: the six Fatoora calls of `qayd::embed::ApiClient`, each blocking (GIL released)
//! and as `*_async` for asyncio. Answers are dicts of `ApiAnswer`'s serde form plus
//! `cleared_xml` (bytes or None); HTTP failures the call cannot classify raise `ApiError`s.

use crate::convert::{optional_bytes, options_of, to_dict, typed_field};
use crate::runtime::{awaitable, blocking};
use crate::{OrRaise, bytes_arg};
use pyo3::prelude::*;
use qayd::embed::{self, ApiAnswer, ClientOptions};

fn answer_object(py: Python<'_>, answer: ApiAnswer) -> PyResult<Py<PyAny>> {
    let dict = to_dict(py, &answer)?;
    typed_field(dict.as_any(), "outcome", "ApiOutcome")?;
    dict.set_item("cleared_xml", optional_bytes(py, answer.cleared_xml.as_deref()))?;
    Ok(dict.into_any().unbind())
}

/// A Fatoora API client for one environment (`developer-portal`, `simulation`, `core`, or a
/// base URL such as the local gateway's).
#[pyclass(module = "qayd", frozen)]
struct ApiClient {
    inner: embed::ApiClient,
    environment: String,
}

#[pymethods]
impl ApiClient {
    /// `options`: `{"timeout_ms": …, "connect_timeout_ms": …}` (dict or JSON), all optional.
    #[new]
    #[pyo3(signature = (environment, options = None))]
    fn new(py: Python<'_>, environment: &str, options: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        let options: ClientOptions = options_of(py, options, "client options")?;
        let inner = embed::ApiClient::new(environment, &options).or_raise(py)?;
        Ok(ApiClient { inner, environment: environment.to_owned() })
    }

    /// `POST /compliance`: a compliance CSID for a CSR (its base64 form) and an OTP.
    fn compliance_csid(&self, py: Python<'_>, csr: &str, otp: &str) -> PyResult<Py<PyAny>> {
        answer_object(py, blocking(py, self.inner.compliance_csid(csr, otp))?)
    }
    fn compliance_csid_async<'py>(
        &self,
        py: Python<'py>,
        csr: String,
        otp: String,
    ) -> PyResult<Bound<'py, PyAny>> {
        let client = self.inner.clone();
        awaitable(py, async move { client.compliance_csid(&csr, &otp).await }, answer_object)
    }

    /// `POST /compliance/invoices` with the compliance CSID.
    fn compliance_invoice(
        &self,
        py: Python<'_>,
        token: &str,
        secret: &str,
        signed_xml: &Bound<'_, PyAny>,
    ) -> PyResult<Py<PyAny>> {
        let xml = bytes_arg(signed_xml, "signed_xml")?;
        answer_object(py, blocking(py, self.inner.compliance_invoice(token, secret, &xml))?)
    }
    fn compliance_invoice_async<'py>(
        &self,
        py: Python<'py>,
        token: String,
        secret: String,
        signed_xml: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let xml = bytes_arg(signed_xml, "signed_xml")?.into_owned();
        let client = self.inner.clone();
        awaitable(py, async move { client.compliance_invoice(&token, &secret, &xml).await }, answer_object)
    }

    /// `POST /production/csids` with the compliance CSID and its request id.
    fn production_csid(
        &self,
        py: Python<'_>,
        token: &str,
        secret: &str,
        compliance_request_id: &str,
    ) -> PyResult<Py<PyAny>> {
        answer_object(py, blocking(py, self.inner.production_csid(token, secret, compliance_request_id))?)
    }
    fn production_csid_async<'py>(
        &self,
        py: Python<'py>,
        token: String,
        secret: String,
        compliance_request_id: String,
    ) -> PyResult<Bound<'py, PyAny>> {
        let client = self.inner.clone();
        let future = async move { client.production_csid(&token, &secret, &compliance_request_id).await };
        awaitable(py, future, answer_object)
    }

    /// `PATCH /production/csids`: renews the production CSID (new CSR, base64, and OTP).
    fn renew_production_csid(
        &self,
        py: Python<'_>,
        token: &str,
        secret: &str,
        csr: &str,
        otp: &str,
    ) -> PyResult<Py<PyAny>> {
        answer_object(py, blocking(py, self.inner.renew_production_csid(token, secret, csr, otp))?)
    }
    fn renew_production_csid_async<'py>(
        &self,
        py: Python<'py>,
        token: String,
        secret: String,
        csr: String,
        otp: String,
    ) -> PyResult<Bound<'py, PyAny>> {
        let client = self.inner.clone();
        let future = async move { client.renew_production_csid(&token, &secret, &csr, &otp).await };
        awaitable(py, future, answer_object)
    }

    /// `POST /invoices/clearance/single` (standard documents); `cleared_xml` on success.
    fn clearance(
        &self,
        py: Python<'_>,
        token: &str,
        secret: &str,
        signed_xml: &Bound<'_, PyAny>,
    ) -> PyResult<Py<PyAny>> {
        let xml = bytes_arg(signed_xml, "signed_xml")?;
        answer_object(py, blocking(py, self.inner.clearance(token, secret, &xml))?)
    }
    fn clearance_async<'py>(
        &self,
        py: Python<'py>,
        token: String,
        secret: String,
        signed_xml: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let xml = bytes_arg(signed_xml, "signed_xml")?.into_owned();
        let client = self.inner.clone();
        awaitable(py, async move { client.clearance(&token, &secret, &xml).await }, answer_object)
    }

    /// `POST /invoices/reporting/single` (simplified documents).
    fn reporting(
        &self,
        py: Python<'_>,
        token: &str,
        secret: &str,
        signed_xml: &Bound<'_, PyAny>,
    ) -> PyResult<Py<PyAny>> {
        let xml = bytes_arg(signed_xml, "signed_xml")?;
        answer_object(py, blocking(py, self.inner.reporting(token, secret, &xml))?)
    }
    fn reporting_async<'py>(
        &self,
        py: Python<'py>,
        token: String,
        secret: String,
        signed_xml: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let xml = bytes_arg(signed_xml, "signed_xml")?.into_owned();
        let client = self.inner.clone();
        awaitable(py, async move { client.reporting(&token, &secret, &xml).await }, answer_object)
    }

    fn __repr__(&self) -> String {
        format!("ApiClient({:?})", self.environment)
    }
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<ApiClient>()
}
