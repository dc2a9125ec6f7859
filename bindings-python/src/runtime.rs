//! The two forms of a network call, on the one shared tokio runtime of `qayd::embed`:
//!
//! * blocking — `py.detach` (GIL released) around `qayd::embed::block_on`; other Python threads
//!   run meanwhile. Inside a running event loop it blocks that loop: use the asyncio form there.
//! * asyncio — `pyo3_async_runtimes::tokio::future_into_py`: the call returns an awaitable at
//!   once (it must be made with an event loop running) and the future runs on the runtime's
//!   workers; cancelling the awaitable drops the Rust future.

use crate::{OrRaise, to_py_err};
use pyo3::prelude::*;
use std::future::Future;

/// Makes pyo3-async-runtimes use the core's runtime, so both forms share one set of threads and
/// one connection pool. Called once at import.
pub(crate) fn init(py: Python<'_>) -> PyResult<()> {
    let runtime = qayd::embed::runtime().or_raise(py)?;
    // Err only when already set (a second import of the module): the same runtime either way.
    let _ = pyo3_async_runtimes::tokio::init_with_runtime(runtime);
    Ok(())
}

/// Runs `future` to completion with the GIL released, mapping the core's error.
pub(crate) fn blocking<F, T>(py: Python<'_>, future: F) -> PyResult<T>
where
    F: Future<Output = qayd::Result<T>> + Send,
    T: Send,
{
    py.detach(|| qayd::embed::block_on(future)).or_raise(py)?.or_raise(py)
}

/// An asyncio awaitable of `future`; `convert` turns its value into Python (with the GIL).
pub(crate) fn awaitable<'py, F, T, C>(py: Python<'py>, future: F, convert: C) -> PyResult<Bound<'py, PyAny>>
where
    F: Future<Output = qayd::Result<T>> + Send + 'static,
    T: Send + 'static,
    C: FnOnce(Python<'_>, T) -> PyResult<Py<PyAny>> + Send + 'static,
{
    pyo3_async_runtimes::tokio::future_into_py(py, async move {
        let result = future.await;
        Python::attach(|py| match result {
            Ok(value) => convert(py, value),
            Err(error) => Err(to_py_err(py, error)),
        })
    })
}
