//! Strings and the stamp's result crossing the napi boundary in their cheapest form.
//!
//! Chosen by instruction counts (callgrind, README "Benchmarks"), because these conversions run
//! on every stamp: napi-rs reads a JS string with two `napi_get_value_string_utf8` passes (about
//! 20 instructions a character, 52,000 for the 2.3 KB benchmark model), and an `#[napi(object)]`
//! result defines its properties one at a time, creating every key string on every call
//! (11,000 instructions for the six fields of a stamp). Here a string is read as UTF-16 — a
//! widening copy of V8's one-byte strings — and narrowed in Rust; ASCII values go back as
//! Latin-1 strings (a copy, no UTF-8 decoding); and a stamp goes back as its XML and one string of
//! its other values, which `index.js` names.

use napi::bindgen_prelude::*;

/// A JS string, read through UTF-16 (see the module doc). Lone surrogates become U+FFFD, as in
/// napi's own UTF-8 conversion.
pub struct Text(pub String);

impl TypeName for Text {
    fn type_name() -> &'static str {
        "String"
    }

    fn value_type() -> ValueType {
        ValueType::String
    }
}

impl ValidateNapiValue for Text {}

impl FromNapiValue for Text {
    unsafe fn from_napi_value(env: sys::napi_env, value: sys::napi_value) -> Result<Self> {
        let mut length = 0;
        // SAFETY: a live env and value (napi-rs's contract); without a buffer napi only reports
        // the length in UTF-16 code units.
        let status =
            unsafe { sys::napi_get_value_string_utf16(env, value, std::ptr::null_mut(), 0, &mut length) };
        check_status!(status, "expected a string")?;
        // One more unit for the terminating NUL napi writes; not zeroed, as napi overwrites it.
        let mut units: Vec<u16> = Vec::with_capacity(length + 1);
        let mut written = 0;
        // SAFETY: `units` has room for `length + 1` code units, which napi does not exceed.
        let status = unsafe {
            sys::napi_get_value_string_utf16(env, value, units.as_mut_ptr(), length + 1, &mut written)
        };
        check_status!(status, "cannot read a string of {length} characters")?;
        // SAFETY: napi wrote `written` (≤ `length`) initialised code units.
        unsafe { units.set_len(written.min(length)) };
        Ok(Text(utf8_of_utf16(&units)))
    }
}

/// UTF-8 of UTF-16 code units. Runs of ASCII (all of a JSON model but its names and
/// addresses, all of a document's markup) are narrowed unit by unit, which the compiler
/// vectorises; the rest goes through the standard decoder, which is several times slower.
fn utf8_of_utf16(units: &[u16]) -> String {
    let mut utf8 = Vec::with_capacity(units.len() + units.len() / 2);
    let mut rest = units;
    while !rest.is_empty() {
        let ascii = ascii_prefix(rest);
        utf8.extend(rest[..ascii].iter().map(|&unit| unit as u8));
        rest = &rest[ascii..];
        let other = rest.iter().position(|&unit| unit < 0x80).unwrap_or(rest.len());
        for decoded in char::decode_utf16(rest[..other].iter().copied()) {
            let character = decoded.unwrap_or(char::REPLACEMENT_CHARACTER);
            utf8.extend_from_slice(character.encode_utf8(&mut [0; 4]).as_bytes());
        }
        rest = &rest[other..];
    }
    // Valid by construction; the fallback only keeps this free of a panic path.
    String::from_utf8(utf8).unwrap_or_else(|_| String::from_utf16_lossy(units))
}

/// How many units at the start of `units` are ASCII: tested 16 at a time by a fold the
/// compiler vectorises, then one by one within the first block that is not all ASCII.
fn ascii_prefix(units: &[u16]) -> usize {
    const BLOCK: usize = 16;
    let blocks = units
        .chunks_exact(BLOCK)
        .take_while(|block| block.iter().fold(0, |seen, &unit| seen | unit) < 0x80)
        .count();
    let start = blocks * BLOCK;
    start + units[start..].iter().position(|&unit| unit >= 0x80).unwrap_or(units.len() - start)
}

/// A JS string of `text`: Latin-1 when it is ASCII (a plain copy into a one-byte string),
/// otherwise UTF-8.
///
/// # Safety
/// `env` must be a live napi env (the callers are `ToNapiValue` implementations).
unsafe fn js_string(env: sys::napi_env, text: &str) -> Result<sys::napi_value> {
    let mut value = std::ptr::null_mut();
    let create = if text.is_ascii() { sys::napi_create_string_latin1 } else { sys::napi_create_string_utf8 };
    // SAFETY: `text` is valid for `len` bytes during the call, which copies them; ASCII bytes
    // are the same characters in Latin-1.
    let status = unsafe { create(env, text.as_ptr().cast(), text.len() as isize, &mut value) };
    check_status!(status, "cannot create a string of {} bytes", text.len())?;
    Ok(value)
}

/// A stamped document on its way to `index.js`: `[xml, texts]`, where `texts` holds the
/// invoice hash, signature, QR, signing time and UUID in that order, separated by NULs, which
/// `stampedInvoice()` there splits into the `StampedInvoice` object. One string and two array
/// elements cost a third of the instructions of five strings and six elements. The first four
/// never hold a NUL (base64 and digits); the UUID, the document's own text, comes last and is
/// taken as the rest.
pub struct StampedInvoice(pub qayd::StampedInvoice);

impl TypeName for StampedInvoice {
    fn type_name() -> &'static str {
        "Array"
    }

    fn value_type() -> ValueType {
        ValueType::Object
    }
}

impl ToNapiValue for StampedInvoice {
    unsafe fn to_napi_value(env: sys::napi_env, value: Self) -> Result<sys::napi_value> {
        let stamped = value.0;
        let texts =
            [&stamped.invoice_hash, &stamped.signature, &stamped.qr, &stamped.signing_time, &stamped.uuid]
                .map(String::as_str)
                .join("\0");
        let mut array = std::ptr::null_mut();
        // SAFETY (this block and the calls below): a live env, as napi-rs guarantees to
        // `to_napi_value`; every value set is one just created in it.
        let status = unsafe { sys::napi_create_array_with_length(env, 2, &mut array) };
        check_status!(status, "cannot create the stamp's result")?;
        let xml = unsafe { crate::Bytes::to_napi_value(env, crate::Bytes(stamped.xml)) }?;
        check_status!(unsafe { sys::napi_set_element(env, array, 0, xml) }, "cannot set the stamp's XML")?;
        let texts = unsafe { js_string(env, &texts) }?;
        check_status!(
            unsafe { sys::napi_set_element(env, array, 1, texts) },
            "cannot set the stamp's values"
        )?;
        Ok(array)
    }
}
