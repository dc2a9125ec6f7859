//! `Engine`: the durable engine (`qayd::embed::EngineHandle`) as one Python object, shared by
//! every thread that holds it. Store access releases the GIL; `clear`, `drain`, `renew_egs` and
//! `stop` come blocking and as `*_async`. A context manager (`with` / `async with`) stops the background
//! worker on exit.

use crate::OrRaise;
use crate::convert::{
    enum_member, json_arg, optional_bytes, options_arg, timed, to_py, typed_field, typed_list,
};
use crate::onboarding::Credentials;
use crate::runtime::{awaitable, blocking};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList};
use qayd::embed::{ClearResult, Document, EngineHandle};
use std::sync::Arc;

/// `{"info": {…}, "xml": bytes, "cleared_xml": bytes | None, "findings": [Finding]}`.
fn document_object(py: Python<'_>, document: Document) -> PyResult<Py<PyAny>> {
    let dict = PyDict::new(py);
    let info = timed(py, &document.info)?.into_bound(py);
    typed_field(&info, "status", "DocumentStatus")?;
    dict.set_item("info", info)?;
    dict.set_item("xml", PyBytes::new(py, &document.xml))?;
    dict.set_item("cleared_xml", optional_bytes(py, document.cleared_xml.as_deref()))?;
    dict.set_item("findings", crate::findings(py, document.findings)?)?;
    Ok(dict.into_any().unbind())
}

fn optional_document(py: Python<'_>, document: Option<Document>) -> PyResult<Py<PyAny>> {
    document.map_or_else(|| Ok(py.None()), |d| document_object(py, d))
}

/// `{"outcome": str, "document": {…}}`.
fn clear_object(py: Python<'_>, result: ClearResult) -> PyResult<Py<PyAny>> {
    let dict = PyDict::new(py);
    dict.set_item("outcome", enum_member(py, "ClearOutcome", result.outcome.as_str())?)?;
    dict.set_item("document", document_object(py, result.document)?)?;
    Ok(dict.into_any().unbind())
}

fn none(py: Python<'_>, _: ()) -> PyResult<Py<PyAny>> {
    Ok(py.None())
}

/// The durable engine behind one store (SQLite file, `:memory:` or `postgres://`).
#[pyclass(module = "qayd", frozen)]
struct Engine {
    inner: Arc<EngineHandle>,
}

#[pymethods]
impl Engine {
    /// `Engine({"store": …, "environment": …, "master_key": …})`, or the same as keywords
    /// (`Engine(store="qayd.db", environment=url)`; keywords win over the dict), or the store
    /// alone (`Engine("qayd.db", environment=url)`).
    #[new]
    #[pyo3(signature = (options = None, **kwargs))]
    fn new(
        py: Python<'_>,
        options: Option<&Bound<'_, PyAny>>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Self> {
        // `Engine("shop.db")`: a string that is not JSON (`{…}`, `[…]`) names the store.
        let store_only;
        let options = match options.map(|o| o.cast::<pyo3::types::PyString>()) {
            Some(Ok(text)) if !text.to_cow()?.trim_start().starts_with(['{', '[']) => {
                let dict = PyDict::new(py);
                dict.set_item("store", text)?;
                store_only = dict.into_any();
                Some(&store_only)
            }
            _ => options,
        };
        let json = options_arg(py, options, kwargs, "engine options")?;
        let handle = py.detach(|| EngineHandle::open_json(&json)).or_raise(py)?;
        Ok(Engine { inner: Arc::new(handle) })
    }

    fn register_egs(&self, py: Python<'_>, egs_id: &str) -> PyResult<()> {
        py.detach(|| self.inner.register_egs(egs_id)).or_raise(py)
    }

    /// Stores the unit's production credentials, sealed with the master key, and its identity
    /// (the CSR values, which `renew_egs` needs).
    fn set_credentials(&self, py: Python<'_>, egs_id: &str, credentials: &Credentials) -> PyResult<()> {
        let credentials = &credentials.inner;
        py.detach(|| self.inner.set_credentials(egs_id, credentials)).or_raise(py)
    }

    /// Issues an invoice (model dict or JSON): next ICV, PIH, stamp, stored as pending.
    fn issue(&self, py: Python<'_>, egs_id: &str, invoice: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let json = json_arg(invoice, "invoice")?;
        let document = py.detach(|| self.inner.issue(egs_id, &json)).or_raise(py)?;
        document_object(py, document)
    }

    /// Issues a batch (a list of models) in one transaction, in list order: one entry per model,
    /// the document dict or the `QaydError` that refused that model alone (the others are
    /// issued and chained without it).
    fn issue_many<'py>(
        &self,
        py: Python<'py>,
        egs_id: &str,
        invoices: Vec<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyList>> {
        let models = invoices.iter().map(|m| json_arg(m, "invoice")).collect::<PyResult<Vec<_>>>()?;
        let results = py
            .detach(|| self.inner.issue_many(egs_id, &models.iter().map(String::as_str).collect::<Vec<_>>()))
            .or_raise(py)?;
        let list = PyList::empty(py);
        for result in results {
            match result {
                Ok(document) => list.append(document_object(py, document)?)?,
                Err(error) => list.append(crate::to_py_err(py, error).into_value(py))?,
            }
        }
        Ok(list)
    }

    /// Issues a standard invoice and waits (up to `clear_wait_ms`) for its clearance.
    fn clear(&self, py: Python<'_>, egs_id: &str, invoice: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let json = json_arg(invoice, "invoice")?;
        clear_object(py, blocking(py, self.inner.clear(egs_id, &json))?)
    }
    fn clear_async<'py>(
        &self,
        py: Python<'py>,
        egs_id: String,
        invoice: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let json = json_arg(invoice, "invoice")?;
        let engine = Arc::clone(&self.inner);
        awaitable(py, async move { engine.clear(&egs_id, &json).await }, clear_object)
    }

    /// One pass over the outbox; the report of what it did.
    fn drain(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        to_py(py, &blocking(py, self.inner.drain())?)
    }
    fn drain_async<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let engine = Arc::clone(&self.inner);
        awaitable(py, async move { engine.drain().await }, |py, report| to_py(py, &report))
    }

    /// Renews the unit's production CSID with a new OTP from what the store holds; the stored
    /// credentials are replaced only once the platform issued the new certificate.
    fn renew_egs(&self, py: Python<'_>, egs_id: &str, otp: &str) -> PyResult<Py<PyAny>> {
        timed(py, &blocking(py, self.inner.renew_egs(egs_id, otp))?)
    }
    fn renew_egs_async<'py>(
        &self,
        py: Python<'py>,
        egs_id: String,
        otp: String,
    ) -> PyResult<Bound<'py, PyAny>> {
        let engine = Arc::clone(&self.inner);
        awaitable(py, async move { engine.renew_egs(&egs_id, &otp).await }, |py, outcome| timed(py, &outcome))
    }

    /// Starts the background worker (no-op when it runs).
    fn start(&self, py: Python<'_>) -> PyResult<()> {
        py.detach(|| self.inner.start()).or_raise(py)
    }
    /// Stops the background worker and waits for it (no-op when it does not run).
    fn stop(&self, py: Python<'_>) -> PyResult<()> {
        blocking(py, self.inner.stop())
    }
    fn stop_async<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let engine = Arc::clone(&self.inner);
        awaitable(py, async move { engine.stop().await }, none)
    }
    /// `stop()`: what leaving a `with` block does.
    fn close(&self, py: Python<'_>) -> PyResult<()> {
        self.stop(py)
    }
    #[getter]
    fn is_running(&self) -> bool {
        self.inner.is_running()
    }

    /// Events after `cursor` (0: from the start), oldest first.
    #[pyo3(signature = (cursor = 0, limit = 100))]
    fn events(&self, py: Python<'_>, cursor: i64, limit: usize) -> PyResult<Py<PyAny>> {
        let events = py.detach(|| self.inner.events(cursor, limit)).or_raise(py)?;
        Ok(typed_list(py, &events, "kind", "EventKind")?.into_any().unbind())
    }
    /// One document with its bytes, or None.
    fn document(&self, py: Python<'_>, egs_id: &str, icv: u64) -> PyResult<Py<PyAny>> {
        optional_document(py, py.detach(|| self.inner.document(egs_id, icv)).or_raise(py)?)
    }
    /// The QR payload to print for a stored document (from the cleared XML once cleared), or
    /// None when the unit has no such document.
    fn document_qr(&self, py: Python<'_>, egs_id: &str, icv: u64) -> PyResult<Option<String>> {
        py.detach(|| self.inner.document_qr(egs_id, icv)).or_raise(py)
    }
    fn document_by_uuid(&self, py: Python<'_>, uuid: &str) -> PyResult<Py<PyAny>> {
        optional_document(py, py.detach(|| self.inner.document_by_uuid(uuid)).or_raise(py)?)
    }
    /// A unit's documents in chain order, without their bytes.
    fn documents(&self, py: Python<'_>, egs_id: &str) -> PyResult<Py<PyAny>> {
        let documents = py.detach(|| self.inner.documents(egs_id)).or_raise(py)?;
        Ok(typed_list(py, &documents, "status", "DocumentStatus")?.into_any().unbind())
    }
    #[pyo3(signature = (status, limit = 100))]
    fn documents_by_status(&self, py: Python<'_>, status: &str, limit: usize) -> PyResult<Py<PyAny>> {
        let documents = py.detach(|| self.inner.documents_by_status(status, limit)).or_raise(py)?;
        Ok(typed_list(py, &documents, "status", "DocumentStatus")?.into_any().unbind())
    }
    /// `{DocumentStatus: count}` for the statuses that have documents (the keys equal the core's
    /// strings too: `counts["reported"]` works).
    fn status_counts<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let counts = py.detach(|| self.inner.status_counts()).or_raise(py)?;
        let dict = PyDict::new(py);
        for (status, count) in counts {
            dict.set_item(enum_member(py, "DocumentStatus", status.as_str())?, count)?;
        }
        Ok(dict)
    }
    /// Every unit with its chain head and a credential summary (no secrets).
    fn egs_units(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let units = py.detach(|| self.inner.egs_units()).or_raise(py)?;
        timed(py, &units)
    }
    /// Sends a dead document again; False if it is not dead.
    fn requeue(&self, py: Python<'_>, egs_id: &str, icv: u64) -> PyResult<bool> {
        py.detach(|| self.inner.requeue(egs_id, icv)).or_raise(py)
    }
    /// Lets a unit stopped by an `unauthorized` answer send again.
    fn resume_egs(&self, py: Python<'_>, egs_id: &str) -> PyResult<()> {
        py.detach(|| self.inner.resume_egs(egs_id)).or_raise(py)
    }
    /// Documents a killed process left in flight become due again; how many.
    fn recover(&self, py: Python<'_>) -> PyResult<usize> {
        py.detach(|| self.inner.recover()).or_raise(py)
    }
    /// The store's and the worker's metrics in the Prometheus text format, for the
    /// application's web server to serve at /metrics.
    fn metrics(&self, py: Python<'_>) -> String {
        py.detach(|| self.inner.metrics())
    }
    /// The audit log as JSON lines.
    fn export_audit(&self, py: Python<'_>) -> PyResult<String> {
        py.detach(|| self.inner.export_audit()).or_raise(py)
    }
    /// What the background worker has been doing: `passes`, `consecutive_failures` and the
    /// `last_error` (`{at, code, message, egs_id}`) of a pass — a wrong master key, an
    /// unreachable database: the worker keeps retrying them, so watch this.
    fn worker_health(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        timed(py, &self.inner.worker_health())
    }
    /// Whether the hash-linked audit log is intact.
    fn verify_audit(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        to_py(py, &py.detach(|| self.inner.verify_audit()).or_raise(py)?)
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }
    fn __exit__(
        &self,
        py: Python<'_>,
        _exc_type: &Bound<'_, PyAny>,
        _exc: &Bound<'_, PyAny>,
        _traceback: &Bound<'_, PyAny>,
    ) -> PyResult<bool> {
        self.stop(py)?;
        Ok(false)
    }
    fn __aenter__<'py>(slf: Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let engine = slf.unbind();
        pyo3_async_runtimes::tokio::future_into_py(py, async move { Ok(engine) })
    }
    fn __aexit__<'py>(
        &self,
        py: Python<'py>,
        _exc_type: &Bound<'py, PyAny>,
        _exc: &Bound<'py, PyAny>,
        _traceback: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let engine = Arc::clone(&self.inner);
        awaitable(py, async move { engine.stop().await }, |py, ()| {
            Ok(false.into_pyobject(py)?.to_owned().into_any().unbind())
        })
    }
    fn __repr__(&self) -> String {
        format!("Engine(running={})", if self.inner.is_running() { "True" } else { "False" })
    }
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Engine>()
}
