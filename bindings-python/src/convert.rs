//! Values across the boundary: the core's serde forms become Python dicts and lists (through
//! `json.loads`, so they are exactly the JSON the other bindings see), and dicts or JSON text
//! from Python become the JSON text `qayd::embed` reads.

use crate::{OrRaise, bytes_arg, to_py_err};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyDict, PyList, PyMapping};
use serde::Serialize;

static JSON_LOADS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static JSON_DUMPS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

fn json_function<'py>(
    py: Python<'py>,
    cell: &'static PyOnceLock<Py<PyAny>>,
    name: &str,
) -> PyResult<&'py Bound<'py, PyAny>> {
    Ok(cell
        .get_or_try_init(py, || -> PyResult<_> { Ok(py.import("json")?.getattr(name)?.unbind()) })?
        .bind(py))
}

/// The surface's enums (`qayd._types`), looked up once.
static TYPES: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// `value` as a member of the `str` enum `class` of `qayd._types` (`DocumentStatus("reported")`):
/// equal to the string, and typed.
pub(crate) fn enum_member<'py>(py: Python<'py>, class: &str, value: &str) -> PyResult<Bound<'py, PyAny>> {
    let module =
        TYPES.get_or_try_init(py, || -> PyResult<_> { Ok(py.import("qayd._types")?.into_any().unbind()) })?;
    module.bind(py).getattr(class)?.call1((value,))
}

/// Replaces `dict[key]`, a core enum's string, by the member of the enum `class`.
pub(crate) fn typed_field(dict: &Bound<'_, PyAny>, key: &str, class: &str) -> PyResult<()> {
    let value: String = dict.get_item(key)?.extract()?;
    dict.set_item(key, enum_member(dict.py(), class, &value)?)
}

/// A list of core records whose field `key` holds a value of the enum `class` (times as
/// `datetime`s).
pub(crate) fn typed_list<'py, T: Serialize>(
    py: Python<'py>,
    values: &[T],
    key: &str,
    class: &str,
) -> PyResult<Bound<'py, PyList>> {
    let list = to_list(py, values)?;
    for item in list.iter() {
        typed_field(&item, key, class)?;
        with_times(&item)?;
    }
    Ok(list)
}

/// Turns the time fields of an engine record (`qayd::embed::surface::TIME_FIELDS`) (or of each record of a list; `last_error`
/// nested) into `datetime`s in place. The platform's own JSON (`response`, `messages`) is
/// never touched.
pub(crate) fn with_times(value: &Bound<'_, PyAny>) -> PyResult<()> {
    let py = value.py();
    if let Ok(list) = value.cast::<PyList>() {
        for item in list.iter() {
            with_times(&item)?;
        }
    } else if let Ok(dict) = value.cast::<PyDict>() {
        for key in qayd::embed::surface::TIME_FIELDS {
            if let Some(unix) = dict.get_item(key)?.and_then(|v| v.extract::<i64>().ok()) {
                dict.set_item(key, crate::utc_datetime(py, unix)?)?;
            }
        }
        if let Some(nested) = dict.get_item("last_error")? {
            with_times(&nested)?;
        }
    }
    Ok(())
}

/// A core record (or list of records) as Python, its times as `datetime`s.
pub(crate) fn timed<T: Serialize>(py: Python<'_>, value: &T) -> PyResult<Py<PyAny>> {
    let object = to_py(py, value)?;
    with_times(object.bind(py))?;
    Ok(object)
}

/// A core value as the Python object of its serde form (dict, list, str, int, None …).
pub(crate) fn to_py<T: Serialize>(py: Python<'_>, value: &T) -> PyResult<Py<PyAny>> {
    let text = serde_json::to_string(value)
        .map_err(|e| qayd::Error::InvalidInput(format!("cannot convert a result to Python ({e})")))
        .or_raise(py)?;
    loads(py, &text)
}

/// Like [`to_py`], for a value whose serde form is an object: the dict, to add fields to.
pub(crate) fn to_dict<'py, T: Serialize>(py: Python<'py>, value: &T) -> PyResult<Bound<'py, PyDict>> {
    Ok(to_py(py, value)?.into_bound(py).cast_into::<PyDict>()?)
}

/// A list of core values as a list of their serde forms.
pub(crate) fn to_list<'py, T: Serialize>(py: Python<'py>, values: &[T]) -> PyResult<Bound<'py, PyList>> {
    Ok(to_py(py, &values)?.into_bound(py).cast_into::<PyList>()?)
}

/// Optional bytes as `bytes | None`.
pub(crate) fn optional_bytes(py: Python<'_>, bytes: Option<&[u8]>) -> Py<PyAny> {
    match bytes {
        Some(bytes) => PyBytes::new(py, bytes).into_any().unbind(),
        None => py.None(),
    }
}

/// `qayd._types._json_value`: how `json.dumps` writes `Decimal` (exactly, as a string the core
/// reads as a decimal), `date`/`time` (ISO) and other mappings.
static JSON_VALUE: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// JSON text from a `dict` (or any mapping; `Decimal`, `date` and `time` values allowed), or
/// JSON given as `str`/`bytes`/`bytearray` (anything else: TypeError).
pub(crate) fn json_arg(value: &Bound<'_, PyAny>, what: &str) -> PyResult<String> {
    let py = value.py();
    if value.cast::<PyDict>().is_ok() || value.cast::<PyMapping>().is_ok() {
        let kwargs = PyDict::new(py);
        kwargs.set_item("ensure_ascii", false)?;
        let default = JSON_VALUE.get_or_try_init(py, || -> PyResult<_> {
            Ok(py.import("qayd._types")?.getattr("_json_value")?.unbind())
        })?;
        kwargs.set_item("default", default.bind(py))?;
        return json_function(py, &JSON_DUMPS, "dumps")?.call((value,), Some(&kwargs))?.extract();
    }
    let bytes = bytes_arg(value, what)?;
    String::from_utf8(bytes.into_owned())
        .map_err(|e| to_py_err(py, qayd::Error::InvalidInput(format!("{what} is not UTF-8 JSON ({e})"))))
}

/// Optional JSON options (`dict`, JSON text or `None`) merged with keyword arguments, as JSON.
pub(crate) fn options_arg(
    py: Python<'_>,
    options: Option<&Bound<'_, PyAny>>,
    kwargs: Option<&Bound<'_, PyDict>>,
    what: &str,
) -> PyResult<String> {
    let merged = PyDict::new(py);
    if let Some(options) = options.filter(|o| !o.is_none()) {
        let text = json_arg(options, what)?;
        let parsed = json_function(py, &JSON_LOADS, "loads")?
            .call1((text,))
            .map_err(|e| to_py_err(py, qayd::Error::InvalidInput(format!("{what}: {e}"))))?;
        let parsed = parsed
            .cast_into::<PyDict>()
            .map_err(|_| to_py_err(py, qayd::Error::InvalidInput(format!("{what} must be a JSON object"))))?;
        merged.update(parsed.as_mapping())?;
    }
    if let Some(kwargs) = kwargs {
        merged.update(kwargs.as_mapping())?;
    }
    json_arg(merged.as_any(), what)
}

/// JSON text as the Python object it denotes.
pub(crate) fn loads(py: Python<'_>, text: &str) -> PyResult<Py<PyAny>> {
    Ok(json_function(py, &JSON_LOADS, "loads")?.call1((text,))?.unbind())
}

/// Options of type `T` from a `dict`, JSON text or `None` (the defaults).
pub(crate) fn options_of<T: serde::de::DeserializeOwned + Default>(
    py: Python<'_>,
    options: Option<&Bound<'_, PyAny>>,
    what: &str,
) -> PyResult<T> {
    let Some(options) = options.filter(|o| !o.is_none()) else { return Ok(T::default()) };
    let text = json_arg(options, what)?;
    serde_json::from_str(&text).map_err(|e| qayd::Error::InvalidInput(format!("{what}: {e}"))).or_raise(py)
}
